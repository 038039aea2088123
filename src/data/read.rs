//! Reading one input file into a raw table.
//!
//! CSV and XLSX are read as text columns (every value as written, so that a
//! bad value can be reported as written and parsed by one set of rules in
//! [`super::parse`]); Parquet keeps its own types. Every table gets a row
//! number `__row`, and a [`LineMap`] turns row numbers into the physical
//! line of the file (header = line 1; a quoted field may span lines).

use std::fs::File;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use polars::prelude::*;

use super::DataError;
use crate::scheme::diag::{list, suggest};
use crate::scheme::{ColType, Encoding, FileSpec, Format};

pub const ROW: &str = "__row";

/// Row number (0-based, data rows only) to physical line.
#[derive(Debug, Clone)]
pub enum LineMap {
    /// line = row + offset.
    Offset(u64),
    /// line = table[row].
    Table(Arc<Vec<u64>>),
}

impl LineMap {
    pub fn line(&self, row: usize) -> u64 {
        match self {
            LineMap::Offset(o) => row as u64 + o,
            LineMap::Table(t) => t[row],
        }
    }

    /// The line of each row as a polars expression over `__row`.
    pub fn expr(&self) -> Expr {
        match self {
            LineMap::Offset(o) => col(ROW).cast(DataType::UInt64) + lit(*o),
            LineMap::Table(t) => {
                let s = Series::new("__lines".into(), t.as_slice());
                lit(s).gather(col(ROW), false)
            }
        }
    }
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
}

/// A file read into memory (the unit register).
pub struct RawTable {
    pub frame: DataFrame,
    pub lines: LineMap,
    pub digest: String,
    pub bytes: u64,
    pub path: PathBuf,
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
    let path = data_dir.join(&spec.file);
    if !path.is_file() {
        return Err(DataError::MissingFile {
            dataset: dataset.to_string(),
            path,
        });
    }
    let file = File::open(&path).map_err(|e| io_err(&path, e))?;
    // SAFETY: the file is only read; a concurrent writer would make the
    // digest and contents inconsistent, as with any reader.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_err(&path, e))?;
    let bytes = map.len() as u64;
    let (digest, table) = rayon::join(
        || {
            let mut t = crate::Trace::new(format!("{dataset} file"));
            let mut h = blake3::Hasher::new();
            h.update_rayon(&map);
            t.step("digest");
            format!("blake3:{}", h.finalize().to_hex())
        },
        || match spec.format {
            Format::Csv => read_csv(&path, &map, spec.encoding, dataset, &wanted),
            Format::Parquet => read_parquet(&path, dataset, &wanted),
            Format::Xlsx => read_xlsx(&path, spec.sheet.as_deref(), dataset, &wanted),
        },
    );
    let (lf, schema, lines) = table?;
    Ok(Source {
        lf,
        schema,
        lines,
        digest,
        bytes,
        path,
    })
}

type Opened = (LazyFrame, Schema, LineMap);

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

fn io_err(path: &Path, e: std::io::Error) -> DataError {
    DataError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

pub fn polars_err(path: &Path, e: PolarsError) -> DataError {
    let mut message = crate::scheme::expr::clean_polars_error(&e);
    if message.contains("utf-8") || message.contains("utf8") {
        message.push_str(" (hint: if the file is GBK/GB18030, declare encoding = \"gb18030\")");
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
    match wanted {
        Wanted::All => Ok(found.to_vec()),
        Wanted::Declared(cols) => {
            for (c, _) in cols.iter() {
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

fn read_csv(
    path: &Path,
    bytes: &[u8],
    encoding: Encoding,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let mut t = crate::Trace::new(format!("{dataset} csv"));
    let lf = match encoding {
        Encoding::Utf8 => {
            let p = PlRefPath::new(path.to_str().ok_or_else(|| DataError::Read {
                path: path.to_path_buf(),
                message: "path is not valid UTF-8".into(),
            })?);
            LazyCsvReader::new(p)
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .finish()
                .map_err(|e| polars_err(path, e))?
        }
        Encoding::Gb18030 => {
            // Decoded into memory: GB18030 files are office exports, small.
            let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(DataError::Read {
                    path: path.to_path_buf(),
                    message: "the file is not valid GB18030 text".into(),
                });
            }
            let text = s.into_owned().into_bytes();
            let lines = csv_line_map(&text);
            let lf = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .into_reader_with_file_handle(Cursor::new(text))
                .finish()
                .map_err(|e| polars_err(path, e))?
                .lazy();
            let (lf, schema) = wanted_columns(path, dataset, lf, wanted)?;
            return Ok((lf, schema, lines));
        }
    };
    let lines = csv_line_map(bytes);
    t.step("line map");
    let (lf, schema) = wanted_columns(path, dataset, lf, wanted)?;
    Ok((lf, schema, lines))
}

/// Physical line of each data record of a CSV text: `row + 2` unless a
/// quoted field contains a line break, then a table from a quote-aware scan.
pub fn csv_line_map(text: &[u8]) -> LineMap {
    if memchr::memchr(b'"', text).is_none() {
        return LineMap::Offset(2);
    }
    let mut starts = Vec::new();
    let mut line = 1u64;
    let mut in_quotes = false;
    let mut at_record_start = true;
    let mut first = true;
    for (i, &b) in text.iter().enumerate() {
        if at_record_start {
            if !first {
                starts.push(line);
            }
            first = false;
            at_record_start = false;
        }
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' => {
                line += 1;
                if !in_quotes && i + 1 < text.len() {
                    at_record_start = true;
                }
            }
            _ => {}
        }
    }
    LineMap::Table(Arc::new(starts))
}

fn read_parquet(path: &Path, dataset: &str, wanted: &Wanted) -> Result<Opened, DataError> {
    let p = PlRefPath::new(path.to_str().unwrap_or_default());
    let lf =
        LazyFrame::scan_parquet(p, ScanArgsParquet::default()).map_err(|e| polars_err(path, e))?;
    let (lf, schema) = wanted_columns(path, dataset, lf, wanted)?;
    // No header line in Parquet: row 0 is "line 2", as if exported to CSV.
    Ok((lf, schema, LineMap::Offset(2)))
}

fn read_xlsx(
    path: &Path,
    sheet: Option<&str>,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let err = |m: String| DataError::Read {
        path: path.to_path_buf(),
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
    let cols = pick(path, dataset, &header, wanted)?;
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
    for r in rows {
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
    let frame = DataFrame::new(height, columns).map_err(|e| polars_err(path, e))?;
    // The sheet's own row numbers: header at first_row + 1 (1-based).
    Ok((frame.lazy(), schema, LineMap::Offset(first_row + 2)))
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
    fn line_map_without_quotes_is_an_offset() {
        assert!(matches!(csv_line_map(b"a,b\n1,2\n"), LineMap::Offset(2)));
    }

    #[test]
    fn line_map_follows_quoted_line_breaks() {
        // header line 1; record 0 at line 2 spans lines 2-3; record 1 at
        // line 4; a blank line 5 is a record (polars reads it as a null
        // row); record 3 at line 6.
        let m = csv_line_map(b"a,b\n1,\"x\ny\"\n2,z\n\n3,w\n");
        let lines: Vec<u64> = (0..4).map(|r| m.line(r)).collect();
        assert_eq!(lines, vec![2, 4, 5, 6]);
    }
}
