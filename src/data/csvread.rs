//! The records of a CSV window as columns, read by govtrust itself.
//!
//! The structure scan ([`super::csvscan`]) has already found every
//! well-formed record and where a window can be cut into parts that start
//! at a record. So the fields are split here, part by part in parallel,
//! and only the wanted columns are kept, as text, exactly as polars' CSV
//! reader gives them: an empty field is null, a quoted field loses its
//! quotes and `""` becomes `"` (so `""` is the empty text, not null), a
//! line's `\r` before its `\n` is not part of its last field. polars'
//! reader would count the lines of the text again, one byte at a time
//! before it parses (a third of the reading of a large file), and read
//! the columns not wanted as well. The columns of a type with one
//! canonical form are read as values instead ([`super::fields`]), with
//! the [`FALLBACK`] flag of the rows where a field was not in that form.

use std::ops::Range;

use polars::prelude::*;
use rayon::prelude::*;

use super::csvscan::record_spans;
use super::fields::{Builder, FALLBACK, Read};

/// The wanted columns (header position, name) of the records in
/// `segments` (well-formed records only, from the scan) of `text`, read in
/// the parts that start at `parts` (record starts, ascending, the first at
/// or before the first segment).
pub(super) fn read_window(
    text: &[u8],
    segments: &[Range<usize>],
    parts: &[usize],
    wanted: &[(usize, PlSmallStr, Read)],
    delim: u8,
) -> PolarsResult<DataFrame> {
    // The parts' byte ranges within the segments.
    let mut pieces: Vec<Vec<Range<usize>>> = vec![Vec::new(); parts.len()];
    for s in segments {
        let first = parts.partition_point(|&p| p <= s.start).saturating_sub(1);
        for (k, &p) in parts.iter().enumerate().skip(first) {
            let end = parts.get(k + 1).copied().unwrap_or(usize::MAX);
            let r = s.start.max(p)..s.end.min(end);
            if r.start >= s.end {
                break;
            }
            if !r.is_empty() {
                pieces[k].push(r);
            }
        }
    }
    let columns: Vec<Vec<Column>> = pieces
        .par_iter()
        .map(|ranges| read_part(text, ranges, wanted, delim))
        .collect::<PolarsResult<_>>()?;
    let mut out: Option<DataFrame> = None;
    for cols in columns {
        let df = DataFrame::new_infer_height(cols)?;
        match out.as_mut() {
            None => out = Some(df),
            Some(a) => {
                a.vstack_mut(&df)?;
            }
        }
    }
    match out {
        Some(df) => Ok(df),
        None => DataFrame::new_infer_height(
            wanted
                .iter()
                .map(|(_, n, r)| Builder::new(*r, n.clone(), 0).finish())
                .chain(flags(wanted, 0).map(|b| b.finish().into_series().into_column()))
                .collect(),
        ),
    }
}

/// One part's records (byte ranges of whole records) as the wanted
/// columns.
fn read_part(
    text: &[u8],
    ranges: &[Range<usize>],
    wanted: &[(usize, PlSmallStr, Read)],
    delim: u8,
) -> PolarsResult<Vec<Column>> {
    let bytes: usize = ranges.iter().map(|r| r.len()).sum();
    // About 100 bytes a record; the builders grow if more.
    let rows = bytes / 100 + 1;
    let mut builders: Vec<Builder> = wanted
        .iter()
        .map(|(_, n, r)| Builder::new(*r, n.clone(), rows))
        .collect();
    let mut fallback = flags(wanted, rows);
    // Which builder takes field k, if any.
    let width = wanted.iter().map(|w| w.0 + 1).max().unwrap_or(0);
    let mut slot = vec![usize::MAX; width];
    for (j, (k, _, _)) in wanted.iter().enumerate() {
        slot[*k] = j;
    }
    let mut spans = Vec::new();
    let mut scratch = Vec::new();
    for r in ranges {
        let part = &text[r.clone()];
        // Valid UTF-8 as a whole, so every field is (fields are cut at
        // ASCII bytes); otherwise each wanted field is checked.
        let checked = std::str::from_utf8(part).is_ok();
        let mut pos = 0;
        while pos < part.len() {
            let line_end = memchr::memchr(b'\n', &part[pos..]).map_or(part.len(), |i| pos + i);
            let line = &part[pos..line_end];
            // Every typed field of the record in its canonical form?
            let mut canonical = true;
            if memchr::memchr(b'"', line).is_none() {
                // The usual line: no quote, fields cut at the delimiter.
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let mut start = 0;
                let ends = memchr::memchr_iter(delim, line).chain(std::iter::once(line.len()));
                for (k, end) in ends.enumerate() {
                    if k < width && slot[k] != usize::MAX {
                        canonical &=
                            push(&mut builders[slot[k]], &line[start..end], false, checked)?;
                    }
                    start = end + 1;
                }
                pos = line_end + 1;
            } else {
                // A line with quotes: the record parser gives its fields
                // (it may span lines).
                spans.clear();
                let end = record_spans(part, pos, delim, &mut spans).ok_or_else(
                    || polars_err!(ComputeError: "a record the structure scan found is not one (was the file changed while it was read?)"),
                )?;
                for (k, &(s, e, quoted)) in spans.iter().enumerate() {
                    if k >= width || slot[k] == usize::MAX {
                        continue;
                    }
                    let field = &part[s..e];
                    let last = k + 1 == spans.len();
                    let b = &mut builders[slot[k]];
                    canonical &= if quoted {
                        scratch.clear();
                        unquote(field, &mut scratch);
                        push(b, &scratch, true, checked)?
                    } else if last {
                        push(
                            b,
                            field.strip_suffix(b"\r").unwrap_or(field),
                            false,
                            checked,
                        )?
                    } else {
                        push(b, field, false, checked)?
                    };
                }
                pos = end;
            }
            if let Some(f) = fallback.as_mut() {
                f.append_value(!canonical);
            }
        }
    }
    Ok(builders
        .into_iter()
        .map(Builder::finish)
        .chain(fallback.map(|b| b.finish().into_series().into_column()))
        .collect())
}

/// The [`FALLBACK`] flags of a part, if any wanted column is typed.
fn flags(wanted: &[(usize, PlSmallStr, Read)], rows: usize) -> Option<BooleanChunkedBuilder> {
    wanted
        .iter()
        .any(|w| w.2 != Read::Text)
        .then(|| BooleanChunkedBuilder::new(FALLBACK.into(), rows))
}

/// Append a field (`quoted`: its quotes removed): to a text column, an
/// empty unquoted field is null and any other is text (a quoted one, even
/// `""`, never null); to a typed column, see [`Builder::push_typed`].
/// False where a typed field is not in its canonical form.
fn push(b: &mut Builder, field: &[u8], quoted: bool, checked: bool) -> PolarsResult<bool> {
    match b {
        Builder::Text(b) if field.is_empty() && !quoted => b.append_null(),
        Builder::Text(b) => b.append_value(text_of(field, checked)?),
        typed => {
            let read = typed.push_typed(field);
            if !read {
                // Not read here: it must still be text, as the lenient
                // parser will read it.
                text_of(field, checked)?;
            }
            return Ok(read);
        }
    }
    Ok(true)
}

/// A field as text (`checked`: known to be valid UTF-8).
fn text_of(field: &[u8], checked: bool) -> PolarsResult<&str> {
    if checked {
        // SAFETY: a field of a text that is valid UTF-8, cut at ASCII
        // bytes (or unquoted from one).
        Ok(unsafe { std::str::from_utf8_unchecked(field) })
    } else {
        std::str::from_utf8(field).map_err(|_| polars_err!(ComputeError: "invalid utf-8 sequence"))
    }
}

/// A quoted field's text: the quotes around it removed, `""` made `"`.
fn unquote(field: &[u8], out: &mut Vec<u8>) {
    let inner = &field[1..field.len() - 1];
    let mut i = 0;
    while i < inner.len() {
        out.push(inner[i]);
        i += if inner[i] == b'"' { 2 } else { 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, parts: &[usize], wanted: &[usize]) -> Vec<Vec<Option<String>>> {
        let scan = crate::data::csvscan::scan(text.as_bytes(), b',').unwrap();
        let w: Vec<(usize, PlSmallStr, Read)> = wanted
            .iter()
            .map(|&k| (k, scan.header[k].as_str().into(), Read::Text))
            .collect();
        let df = read_window(text.as_bytes(), &scan.segments(text.len()), parts, &w, b',').unwrap();
        texts(&df)
    }

    /// Every column's values as text.
    fn texts(df: &DataFrame) -> Vec<Vec<Option<String>>> {
        df.columns()
            .iter()
            .map(|c| {
                c.str()
                    .unwrap()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn fields_are_read_as_polars_reads_them() {
        // Empty: null; quoted: unquoted, "" doubled inside; "" alone: the
        // empty text; a \r before \n is not text; a record spanning two
        // lines; a ragged line skipped by the scan; no final line break.
        let text = "a,b,c\r\n1,,x\r\n\"2,5\",\"q\"\"t\",\"\"\r\n3,\"多\n行\",z\r\n4,5\n5,y,\"w\"";
        let s = |v: &str| Some(v.to_string());
        let want = vec![
            vec![s("1"), s("2,5"), s("3"), s("5")],
            vec![None, s("q\"t"), s("多\n行"), s("y")],
            vec![s("x"), s(""), s("z"), s("w")],
        ];
        assert_eq!(read(text, &[0], &[0, 1, 2]), want);
        // Only the wanted columns, in the order asked.
        assert_eq!(
            read(text, &[0], &[2, 0]),
            vec![want[2].clone(), want[0].clone()]
        );
        // In parts (each at a record's start): the same rows in order.
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(read(text, &[0, at("3,"), at("5,y")], &[0, 1, 2]), want);
    }

    /// What polars' own CSV reader gives for the same text, all columns
    /// as text.
    fn polars_reads(text: &str) -> Vec<Vec<Option<String>>> {
        let buf = polars_buffer::Buffer::from_owner(text.as_bytes().to_vec());
        let df = LazyCsvReader::new_with_sources(ScanSources::Buffers(vec![buf].into()))
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()
            .unwrap()
            .collect()
            .unwrap();
        texts(&df)
    }

    #[test]
    fn well_formed_records_read_as_polars_reads_them() {
        for text in [
            "a,b,c\n1,,x\n\"2,5\",\"q\"\"t\",\"\"\n3,\"多\n行\",z\n",
            "a,b,c\r\n1,,x\r\n\"\",\" s \",\"\"\"\"\r\n,,\r\n4,五,六",
            "a,b,c\n 1 ,\t2,3 \n\"a\"\"\",\"\"\"b\",c\n",
        ] {
            assert_eq!(read(text, &[0], &[0, 1, 2]), polars_reads(text), "{text:?}");
        }
    }

    #[test]
    fn invalid_utf8_in_a_wanted_field_is_an_error_elsewhere_not() {
        let bytes = b"a,b\n\xff,1\n".to_vec();
        let scan = crate::data::csvscan::scan(&bytes, b',').unwrap();
        let segs = scan.segments(bytes.len());
        let only_b =
            read_window(&bytes, &segs, &[0], &[(1, "b".into(), Read::Text)], b',').unwrap();
        assert_eq!(only_b.column("b").unwrap().str().unwrap().get(0), Some("1"));
        let err =
            read_window(&bytes, &segs, &[0], &[(0, "a".into(), Read::Text)], b',').unwrap_err();
        assert!(err.to_string().contains("utf-8"), "{err}");
    }

    #[test]
    fn typed_fields_are_values_or_flagged() {
        // Line 2 canonical (the date quoted); line 3: a slash date and a
        // bool the fast parser does not take (`Y`): nulls, flagged; line
        // 4: empty fields are null and not flagged.
        let text = "d,b,s\n\"2025-03-01\",1,x\n2025/3/1,Y,y\n,,z\n";
        let scan = crate::data::csvscan::scan(text.as_bytes(), b',').unwrap();
        let w = [
            (0, "d".into(), Read::Date),
            (1, "b".into(), Read::Bool),
            (2, "s".into(), Read::Text),
        ];
        let df = read_window(text.as_bytes(), &scan.segments(text.len()), &[0], &w, b',').unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["d", "b", "s", FALLBACK]);
        // 2025-03-01: day 20148 since 1970-01-01 (see fields.rs).
        let d: Vec<Option<i32>> = df
            .column("d")
            .unwrap()
            .date()
            .unwrap()
            .physical()
            .iter()
            .collect();
        assert_eq!(d, [Some(20_148), None, None]);
        let b: Vec<Option<bool>> = df.column("b").unwrap().bool().unwrap().iter().collect();
        assert_eq!(b, [Some(true), None, None]);
        let f: Vec<Option<bool>> = df
            .column(FALLBACK)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(f, [Some(false), Some(true), Some(false)]);
    }
}
