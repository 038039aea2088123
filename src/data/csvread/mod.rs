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
//! A GB18030 text is decoded here, record range by record range, on the
//! same cores ([`super::transcode`]).

use std::ops::Range;

use polars::prelude::*;
use rayon::prelude::*;

use super::csvscan::{Scan, record_spans};
use super::fields::{Builder, FALLBACK, Read};

/// The wanted columns (header position, name) of the records in
/// `segments` (well-formed records only, from the scan) of `text`, read in
/// the parts that start at `parts` (record starts, ascending, the first at
/// or before the first segment); `enc`: the text's encoding, where it is
/// not UTF-8 (GB18030).
pub(super) fn read_window(
    text: &[u8],
    segments: &[Range<usize>],
    parts: &[usize],
    wanted: &[(usize, PlSmallStr, Read)],
    delim: u8,
    enc: Option<&'static encoding_rs::Encoding>,
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
        .map(|ranges| read_part(text, ranges, wanted, delim, enc))
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
    enc: Option<&'static encoding_rs::Encoding>,
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
    let mut decoded = String::new();
    for r in ranges {
        let part = match enc {
            None => &text[r.clone()],
            Some(enc) => {
                // Whole records, so decoded as in the whole text.
                if super::transcode::decode_into(enc, &text[r.clone()], &mut decoded) {
                    polars_bail!(ComputeError: "{}", super::transcode::not_gb18030(text));
                }
                decoded.as_bytes()
            }
        };
        // Valid UTF-8 as a whole (decoded, or checked), so every field is
        // (fields are cut at ASCII bytes); otherwise each wanted field is
        // checked.
        let checked = enc.is_some() || std::str::from_utf8(part).is_ok();
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

/// A GB18030 file's well-formed records, the columns `cols` as text, read
/// as its windows read them (decoded part by part) when the query runs:
/// the whole-file query of a text polars cannot read itself
/// (`Opened::lf`: a small table read whole, or the search for the row
/// behind a sum out of range).
struct Decoding {
    text: Arc<memmap2::Mmap>,
    segments: Vec<Range<usize>>,
    parts: Vec<usize>,
    wanted: Vec<(usize, PlSmallStr, Read)>,
    delimiter: u8,
    enc: &'static encoding_rs::Encoding,
}

impl AnonymousScan for Decoding {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn scan(&self, args: AnonymousScanArgs) -> PolarsResult<DataFrame> {
        let df = read_window(
            &self.text,
            &self.segments,
            &self.parts,
            &self.wanted,
            self.delimiter,
            Some(self.enc),
        )?;
        Ok(match args.n_rows {
            Some(n) => df.head(Some(n)),
            None => df,
        })
    }
}

/// The query of a GB18030 file's `wanted` columns (header position,
/// name), all read as text, over its well-formed records.
pub(super) fn decoding(
    (text, delimiter, enc): (Arc<memmap2::Mmap>, u8, &'static encoding_rs::Encoding),
    scan: &Scan,
    wanted: Vec<(usize, PlSmallStr)>,
) -> PolarsResult<LazyFrame> {
    let schema: Schema = wanted
        .iter()
        .map(|(_, n)| Field::new(n.clone(), DataType::String))
        .collect();
    let wanted = wanted
        .into_iter()
        .map(|(k, n)| (k, n, Read::Text))
        .collect();
    let records = Decoding {
        segments: scan.segments(text.len()),
        parts: scan.windows.iter().flat_map(|w| w.parts.clone()).collect(),
        text,
        wanted,
        delimiter,
        enc,
    };
    LazyFrame::anonymous_scan(
        Arc::new(records),
        ScanArgsAnonymous {
            schema: Some(Arc::new(schema)),
            name: "GB18030 CSV",
            ..Default::default()
        },
    )
}

#[cfg(test)]
mod tests;
