//! Reading one input file into a raw table.
//!
//! CSV and XLSX are read as text columns (every value as written, so that a
//! bad value can be reported as written and parsed by one set of rules in
//! [`super::parse`]); Parquet keeps its own types. Every table gets a row
//! number `__row`, and a [`LineMap`] turns row numbers into the physical
//! line of the file (header = line 1; a quoted field may span lines).

use std::fs::File;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use polars::prelude::*;

use super::DataError;
use crate::diag::{list, suggest};
use crate::scheme::{ColType, Encoding, FileSpec, Format};

pub const ROW: &str = "__row";

/// Row number (0-based, data rows only) to physical line.
#[derive(Debug, Clone)]
pub enum LineMap {
    /// line = row + offset.
    Offset(u64),
    /// line = row + the offset of the last piece (first row, offset)
    /// starting at or before the row (CSV files with skipped lines or
    /// records spanning lines); `rows` in all.
    Pieces {
        pieces: Arc<Vec<(u64, u64)>>,
        rows: u64,
    },
}

impl LineMap {
    pub fn from_pieces(pieces: Vec<(u64, u64)>, rows: u64) -> LineMap {
        match pieces.as_slice() {
            [] => LineMap::Offset(2),
            [(0, o)] => LineMap::Offset(*o),
            _ => LineMap::Pieces {
                pieces: Arc::new(pieces),
                rows,
            },
        }
    }

    pub fn line(&self, row: usize) -> u64 {
        match self {
            LineMap::Offset(o) => row as u64 + o,
            LineMap::Pieces { pieces, .. } => {
                let k = pieces.partition_point(|p| p.0 <= row as u64);
                row as u64 + pieces[k.saturating_sub(1)].1
            }
        }
    }

    /// The line of each row as a polars expression over `__row`.
    pub fn expr(&self) -> Expr {
        let row = col(ROW).cast(DataType::UInt64);
        match self {
            LineMap::Offset(o) => row + lit(*o),
            LineMap::Pieces { pieces, .. } if pieces.len() <= 16 => {
                let mut offset = lit(pieces[0].1);
                for &(first, o) in &pieces[1..] {
                    offset = when(row.clone().gt_eq(lit(first)))
                        .then(lit(o))
                        .otherwise(offset);
                }
                row + offset
            }
            LineMap::Pieces { rows, .. } => {
                let t: Vec<u64> = (0..*rows as usize).map(|r| self.line(r)).collect();
                let s = Series::new("__lines".into(), t);
                lit(s).gather(col(ROW), false)
            }
        }
    }
}

/// A record that is not one (csvscan): its line, its text, the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: u64,
    pub text: String,
    pub reason: String,
}

/// A file opened for reading: a lazy frame of its wanted columns (text
/// for CSV and XLSX, their own types for Parquet) and the row number
/// [`ROW`]. CSV and Parquet are scanned when the query runs, not here.
pub struct Source {
    pub lf: LazyFrame,
    /// Wanted column names and their types as found in the file.
    pub schema: Schema,
    pub lines: LineMap,
    pub digest: String,
    pub bytes: u64,
    pub path: PathBuf,
    /// Rows that are not records (too many or too few fields, a quote
    /// that does not parse): rejected, not read.
    pub malformed: Vec<Malformed>,
    /// Blank lines (or blank spreadsheet rows), skipped.
    pub blank_lines: u64,
}

/// A file read into memory (the unit register).
pub struct RawTable {
    pub frame: DataFrame,
    pub lines: LineMap,
    pub digest: String,
    pub bytes: u64,
    pub path: PathBuf,
    pub malformed: Vec<Malformed>,
    pub blank_lines: u64,
}

/// Read a whole (small) table into memory.
pub fn read_table(
    data_dir: &Path,
    spec: &FileSpec,
    dataset: &str,
    wanted: Wanted,
) -> Result<RawTable, DataError> {
    let s = open(data_dir, spec, dataset, wanted)?;
    let frame = s.lf.collect().map_err(|e| polars_err(&s.path, e))?;
    Ok(RawTable {
        frame,
        lines: s.lines,
        digest: s.digest,
        bytes: s.bytes,
        path: s.path,
        malformed: s.malformed,
        blank_lines: s.blank_lines,
    })
}

/// Which columns to take: the declared ones (with their types, which guide
/// how spreadsheet cells are turned into text), or all of them.
pub enum Wanted<'a> {
    Declared(&'a [(String, ColType)]),
    All,
}

/// Open a table: check it exists and has the wanted columns, digest it,
/// map its lines; its rows are read when the returned query runs.
pub fn open(
    data_dir: &Path,
    spec: &FileSpec,
    dataset: &str,
    wanted: Wanted,
) -> Result<Source, DataError> {
    let shown = data_dir.join(&spec.file);
    let path = match crate::paths::inside(data_dir, &spec.file) {
        Ok(p) => p,
        Err(crate::paths::PathError::Missing(_)) => {
            return Err(DataError::MissingFile {
                dataset: dataset.to_string(),
                path: shown,
            });
        }
        Err(e) => {
            return Err(DataError::Read {
                path: shown,
                message: format!("{e}; hint: put the file itself in the data directory"),
            });
        }
    };
    if !path.is_file() {
        return Err(DataError::Read {
            path: shown,
            message: "not a file".into(),
        });
    }
    let file = File::open(&path).map_err(|e| io_err(&shown, e))?;
    // SAFETY: the file is only read; a concurrent writer would make the
    // digest and contents inconsistent, as with any reader.
    let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_err(&shown, e))?);
    let bytes = map.len() as u64;
    let (digest, table) = rayon::join(
        || {
            let mut t = crate::Stopwatch::new(format!("{dataset} file"));
            let mut h = blake3::Hasher::new();
            h.update_rayon(&map);
            t.lap("digest");
            format!("blake3:{}", h.finalize().to_hex())
        },
        || match spec.format {
            Format::Csv => read_csv(&shown, &path, map.clone(), spec.encoding, dataset, &wanted),
            Format::Parquet => read_parquet(&shown, &path, dataset, &wanted),
            Format::Xlsx => read_xlsx(&shown, &path, spec.sheet.as_deref(), dataset, &wanted),
        },
    );
    let o = table?;
    Ok(Source {
        lf: o.lf,
        schema: o.schema,
        lines: o.lines,
        digest,
        bytes,
        path: shown,
        malformed: o.malformed,
        blank_lines: o.blank_lines,
    })
}

/// A table opened: its query, schema, line map and what was skipped.
struct Opened {
    lf: LazyFrame,
    schema: Schema,
    lines: LineMap,
    malformed: Vec<Malformed>,
    blank_lines: u64,
}

impl Opened {
    fn plain((lf, schema, lines): (LazyFrame, Schema, LineMap)) -> Opened {
        Opened {
            lf,
            schema,
            lines,
            malformed: Vec::new(),
            blank_lines: 0,
        }
    }
}

/// The wanted columns of `lf` (after checking them) with a row number.
fn wanted_columns(
    path: &Path,
    dataset: &str,
    mut lf: LazyFrame,
    wanted: &Wanted,
) -> Result<(LazyFrame, Schema), DataError> {
    let found_schema = lf.collect_schema().map_err(|e| polars_err(path, e))?;
    let found: Vec<String> = found_schema.iter_names().map(|n| n.to_string()).collect();
    let cols = pick(path, dataset, &found, wanted)?;
    let mut schema = Schema::default();
    for c in &cols {
        schema.with_column(
            c.as_str().into(),
            found_schema
                .get(c.as_str())
                .cloned()
                .unwrap_or(DataType::String),
        );
    }
    let lf = lf
        .select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
        .with_row_index(ROW, None);
    Ok((lf, schema))
}

const GBK_HINT: &str = " (hint: if the file is GBK/GB18030, declare encoding = \"gb18030\")";

fn io_err(path: &Path, e: std::io::Error) -> DataError {
    DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

pub fn polars_err(path: &Path, e: PolarsError) -> DataError {
    let mut message = crate::scheme::expr::clean_polars_error(&e);
    if message.contains("utf-8") || message.contains("utf8") {
        message.push_str(GBK_HINT);
    }
    DataError::Read {
        path: path.to_path_buf(),
        message,
    }
}

/// Check the wanted columns are present; return the names to select.
fn pick(
    path: &Path,
    dataset: &str,
    found: &[String],
    wanted: &Wanted,
) -> Result<Vec<String>, DataError> {
    let twice = |c: &str| -> Result<(), DataError> {
        let at: Vec<usize> = (0..found.len()).filter(|&k| found[k] == c).collect();
        if at.len() > 1 {
            let cols: Vec<String> = at.iter().map(|k| (k + 1).to_string()).collect();
            return Err(DataError::Read {
                path: path.to_path_buf(),
                message: format!(
                    "column {c:?} appears {} times in the header (columns {}); hint: rename or remove all but one, so that it is clear which one to read",
                    at.len(),
                    cols.join(" and ")
                ),
            });
        }
        Ok(())
    };
    match wanted {
        Wanted::All => {
            for c in found {
                twice(c)?;
            }
            Ok(found.to_vec())
        }
        Wanted::Declared(cols) => {
            for (c, _) in cols.iter() {
                twice(c)?;
                if !found.contains(c) {
                    let hint = match suggest(c, found.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!("the file has: {}", list(found, 16)),
                    };
                    return Err(DataError::MissingColumn {
                        dataset: dataset.to_string(),
                        path: path.to_path_buf(),
                        column: c.clone(),
                        hint,
                    });
                }
            }
            Ok(cols.iter().map(|(c, _)| c.clone()).collect())
        }
    }
}

/// The text polars reads: the mapped file itself (UTF-8), or a decoded
/// copy (GB18030, UTF-16); `mapped` says which.
struct Text {
    bytes: Arc<dyn AsRef<[u8]> + Send + Sync>,
    mapped: bool,
    delimiter: u8,
}

/// A byte range of a shared text, for polars without a copy.
struct Slice {
    text: Arc<dyn AsRef<[u8]> + Send + Sync>,
    range: std::ops::Range<usize>,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &(*self.text).as_ref()[self.range.clone()]
    }
}

/// The file's text as UTF-8, by its declared encoding and its byte-order
/// mark (which wins: a UTF-16 file is what Excel's "Unicode text" export
/// writes), and the delimiter: `,`, or a tab for a UTF-16 file whose
/// header has tabs and no commas (that same export).
fn decode(shown: &Path, map: Arc<memmap2::Mmap>, encoding: Encoding) -> Result<Text, DataError> {
    let err = |message: String| DataError::Read {
        path: shown.to_path_buf(),
        message,
    };
    let decoded = |v: Vec<u8>, delimiter| Text {
        bytes: Arc::new(v),
        mapped: false,
        delimiter,
    };
    let utf16 = if map.starts_with(b"\xFF\xFE") {
        Some(encoding_rs::UTF_16LE)
    } else if map.starts_with(b"\xFE\xFF") {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    if let Some(enc) = utf16 {
        let name = enc.name();
        if encoding == Encoding::Gb18030 {
            return Err(err(format!(
                "declared encoding = \"gb18030\", but the file starts with a {name} byte-order mark; hint: remove the encoding line (a file with a UTF-16 byte-order mark is read as UTF-16)"
            )));
        }
        let (text, had_errors) = enc.decode_with_bom_removal(&map);
        if had_errors {
            return Err(err(format!(
                "the file starts with a {name} byte-order mark but is not valid {name} text"
            )));
        }
        let text = text.into_owned().into_bytes();
        let first = &text[..memchr::memchr(b'\n', &text).unwrap_or(text.len())];
        let tab = first.contains(&b'\t') && !first.contains(&b',');
        return Ok(decoded(text, if tab { b'\t' } else { b',' }));
    }
    match encoding {
        Encoding::Utf8 => Ok(Text {
            bytes: map,
            mapped: true,
            delimiter: b',',
        }),
        Encoding::Gb18030 => {
            if !map.is_ascii() && std::str::from_utf8(&map).is_ok() {
                return Err(err(
                    "declared encoding = \"gb18030\", but the file is UTF-8 text (all of it is valid UTF-8, Chinese included): read as GB18030 every Chinese value would be garbled; hint: remove the line encoding = \"gb18030\" from the dataset in the scheme".into(),
                ));
            }
            let (s, _, had_errors) = encoding_rs::GB18030.decode(&map);
            if had_errors {
                return Err(err("the file is not valid GB18030 text".into()));
            }
            Ok(decoded(s.into_owned().into_bytes(), b','))
        }
    }
}

fn read_csv(
    shown: &Path,
    path: &Path,
    map: Arc<memmap2::Mmap>,
    encoding: Encoding,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let mut t = crate::Stopwatch::new(format!("{dataset} csv"));
    let err = |message: String| DataError::Read {
        path: shown.to_path_buf(),
        message,
    };
    let text = decode(shown, map, encoding)?;
    let bytes = (*text.bytes).as_ref();
    let delim = text.delimiter;
    let scan = super::csvscan::scan(bytes, delim).map_err(|e| err(e.to_string()))?;
    t.lap("scan");
    if scan.header.iter().any(|h| h.contains('\u{FFFD}')) {
        return Err(err(format!("the header is not UTF-8 text{GBK_HINT}")));
    }
    let cols = pick(shown, dataset, &scan.header, wanted)?;
    let malformed: Vec<Malformed> = scan
        .malformed()
        .map(|k| {
            let raw = String::from_utf8_lossy(&bytes[k.start..k.end]);
            let raw = raw.trim_end_matches(['\r', '\n']);
            let mut text: String = raw.chars().take(120).collect();
            if raw.chars().count() > 120 {
                text.push('…');
            }
            Malformed {
                line: k.line,
                text,
                reason: k.problem.reason(),
            }
        })
        .collect();
    let whole = scan.skipped.is_empty();
    let lf = if whole && text.mapped {
        // The usual case: the file as it is, scanned by polars itself.
        let p = PlRefPath::new(
            path.to_str()
                .ok_or_else(|| err("path is not valid UTF-8".into()))?,
        );
        LazyCsvReader::new(p)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()
            .map_err(|e| polars_err(shown, e))?
    } else {
        // The whole text (decoded), or its well-formed records only, as
        // byte ranges of the text (no copy) under the header's names.
        let ranges = if whole {
            std::iter::once(0..bytes.len()).collect()
        } else {
            scan.segments(bytes.len())
        };
        let buffers: Vec<polars_buffer::Buffer<u8>> = ranges
            .into_iter()
            .map(|range| {
                polars_buffer::Buffer::from_owner(Slice {
                    text: text.bytes.clone(),
                    range,
                })
            })
            .collect();
        let mut schema = Schema::default();
        for (k, h) in scan.header.iter().enumerate() {
            // Columns not read may repeat a name: keep them apart.
            let name = if schema.contains(h) {
                format!("{h}\u{0}{k}").into()
            } else {
                h.as_str().into()
            };
            schema.with_column(name, DataType::String);
        }
        if buffers.is_empty() {
            DataFrame::empty_with_schema(&schema).lazy()
        } else {
            let r = LazyCsvReader::new_with_sources(ScanSources::Buffers(buffers.into()))
                .with_separator(delim);
            let r = if whole {
                r.with_has_header(true).with_infer_schema_length(Some(0))
            } else {
                r.with_has_header(false).with_schema(Some(Arc::new(schema)))
            };
            r.finish().map_err(|e| polars_err(shown, e))?
        }
    };
    let lf = lf
        .select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
        .with_row_index(ROW, None);
    let schema: Schema = cols
        .iter()
        .map(|c| (c.as_str().into(), DataType::String))
        .collect();
    Ok(Opened {
        lf,
        schema,
        lines: LineMap::from_pieces(scan.pieces.clone(), scan.rows),
        malformed,
        blank_lines: scan.blank_lines(),
    })
}

fn read_parquet(
    shown: &Path,
    path: &Path,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let p = PlRefPath::new(path.to_str().unwrap_or_default());
    let lf =
        LazyFrame::scan_parquet(p, ScanArgsParquet::default()).map_err(|e| polars_err(shown, e))?;
    let (lf, schema) = wanted_columns(shown, dataset, lf, wanted)?;
    // No header line in Parquet: row 0 is "line 2", as if exported to CSV.
    Ok(Opened::plain((lf, schema, LineMap::Offset(2))))
}

fn read_xlsx(
    shown: &Path,
    path: &Path,
    sheet: Option<&str>,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let err = |m: String| DataError::Read {
        path: shown.to_path_buf(),
        message: m,
    };
    let mut wb = open_workbook_auto(path).map_err(|e| err(e.to_string()))?;
    let range = match sheet {
        Some(s) => wb.worksheet_range(s).map_err(|e| {
            err(format!(
                "sheet {s:?}: {e} (sheets: {})",
                list(wb.sheet_names(), 12)
            ))
        })?,
        None => wb
            .worksheet_range_at(0)
            .ok_or_else(|| err("the workbook has no sheets".into()))?
            .map_err(|e| err(e.to_string()))?,
    };
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| cell_text(c, ColType::String).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let cols = pick(shown, dataset, &header, wanted)?;
    let types: Vec<ColType> = cols
        .iter()
        .map(|c| match wanted {
            Wanted::Declared(d) => d
                .iter()
                .find(|(n, _)| n == c)
                .map_or(ColType::String, |x| x.1),
            Wanted::All => ColType::String,
        })
        .collect();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap())
        .collect();
    let mut values: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(range.height()); cols.len()];
    // The sheet's own row numbers: header at first_row + 1 (1-based);
    // blank rows (every cell empty) are skipped and counted.
    let mut pieces = vec![(0u64, first_row + 2)];
    let mut blank_lines = 0;
    let mut kept = 0u64;
    for r in rows {
        let empty = r
            .iter()
            .all(|c| cell_text(c, ColType::String).is_none_or(|t| t.trim().is_empty()));
        if empty {
            blank_lines += 1;
            let o = pieces.last().map_or(0, |p| p.1) + 1;
            match pieces.last_mut() {
                Some(last) if last.0 == kept => last.1 = o,
                _ => pieces.push((kept, o)),
            }
            continue;
        }
        kept += 1;
        for (k, &i) in idx.iter().enumerate() {
            values[k].push(r.get(i).and_then(|c| cell_text(c, types[k])));
        }
    }
    let mut columns: Vec<Column> = cols
        .iter()
        .zip(values)
        .map(|(c, v)| Column::new(c.as_str().into(), v))
        .collect();
    let height = columns.first().map_or(0, |c| c.len());
    let schema: Schema = columns
        .iter()
        .map(|c| (c.name().clone(), DataType::String))
        .collect();
    columns.insert(
        0,
        Column::new(ROW.into(), (0..height as IdxSize).collect::<Vec<_>>()),
    );
    let frame = DataFrame::new(height, columns).map_err(|e| polars_err(shown, e))?;
    Ok(Opened {
        lf: frame.lazy(),
        schema,
        lines: LineMap::from_pieces(pieces, kept),
        malformed: Vec::new(),
        blank_lines,
    })
}

/// A spreadsheet cell as text, in the form the parser expects for `ty`.
fn cell_text(c: &Data, ty: ColType) -> Option<String> {
    Some(match c {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => match ty {
                ColType::Date => t.format("%Y-%m-%d").to_string(),
                ColType::Datetime => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                _ if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                _ => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            },
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_map_pieces_follow_skipped_lines() {
        // Rows 0-1 at lines 2-3; a skipped line 4; rows 2.. from line 5.
        let m = LineMap::from_pieces(vec![(0, 2), (2, 3)], 4);
        let lines: Vec<u64> = (0..4).map(|r| m.line(r)).collect();
        assert_eq!(lines, vec![2, 3, 5, 6]);
        let df = df!(ROW => [0u32, 1, 2, 3]).unwrap();
        let out = df.lazy().select([m.expr().alias("l")]).collect().unwrap();
        let l: Vec<u64> = out
            .column("l")
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(l, lines);
        assert!(matches!(
            LineMap::from_pieces(vec![(0, 2)], 9),
            LineMap::Offset(2)
        ));
    }
}
