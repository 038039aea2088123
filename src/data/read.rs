//! Reading one input file into a raw table.
//!
//! CSV and XLSX are read as text columns (every value as written, so that a
//! bad value can be reported as written and parsed by one set of rules in
//! [`super::parse`]); Parquet keeps its own types. Every table gets a row
//! number `__row`, and a [`LineMap`] turns row numbers into the physical
//! line of the file (header = line 1; a quoted field may span lines).

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::DataError;
use super::header::pick;
pub use super::table::{LineMap, Malformed, ROW, Wanted, Window, polars_err};
use super::table::{Opened, io_err};
use crate::scheme::{FileSpec, Format};

/// A file opened for reading: a lazy frame of its wanted columns (text
/// for CSV and XLSX, their own types for Parquet) and the row number
/// [`ROW`]. CSV and Parquet are scanned when the query runs, not here.
/// A CSV window reads some columns as values instead of text (see
/// [`Window::rows`]): the query takes each column's type from the rows it
/// is given.
pub struct Source {
    /// All the rows (for the few queries that need them at once).
    pub lf: LazyFrame,
    /// The same rows, part by part, for the pass ([`Window`]).
    pub windows: Vec<Window>,
    pub lines: LineMap,
    pub digest: String,
    pub bytes: u64,
    pub path: PathBuf,
    /// Rows that are not records (too many or too few fields, a quote
    /// that does not parse): rejected, not read.
    pub malformed: Vec<Malformed>,
    /// Blank lines (or blank spreadsheet rows), skipped.
    pub blank_lines: u64,
    /// Rows with a value above a sheet's header (a title), not read.
    pub title_rows: u64,
    /// The objection register's marks on this file's records (set by
    /// [`super::prepare`]).
    pub marks: Vec<super::marks::Mark>,
    /// How a few of its rows are read again ([`Source::subset`]).
    pub subset: super::table::Subset,
    /// What the file's own statistics prove about its columns (Parquet;
    /// none for CSV and XLSX): checks that cannot fail are left out.
    pub proven: super::stats::Proofs,
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
    /// Rows with a value above a sheet's header (a title), not read.
    pub title_rows: u64,
}

/// Read a whole (small) table into memory.
pub fn read_table(
    data_dir: &Path,
    spec: &FileSpec,
    dataset: &str,
    wanted: Wanted,
) -> Result<RawTable, DataError> {
    let s = open(
        data_dir,
        spec,
        dataset,
        wanted,
        super::pages::WindowSize::from_env(),
    )?;
    let frame = s.lf.collect().map_err(|e| polars_err(&s.path, e))?;
    Ok(RawTable {
        frame,
        lines: s.lines,
        digest: s.digest,
        bytes: s.bytes,
        path: s.path,
        malformed: s.malformed,
        blank_lines: s.blank_lines,
        title_rows: s.title_rows,
    })
}

/// Open a table: check it exists and has the wanted columns, digest it,
/// map its lines; its rows are read when the returned query runs, a CSV
/// file's in windows of about `window.bytes` bytes, a Parquet file's in
/// windows of whole row groups, at least `window.rows` rows each.
pub fn open(
    data_dir: &Path,
    spec: &FileSpec,
    dataset: &str,
    wanted: Wanted,
    window: super::pages::WindowSize,
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
            let digest = super::pages::digest(&map);
            t.lap("digest");
            digest
        },
        || match spec.format {
            Format::Csv => {
                let file = (shown.as_path(), path.as_path());
                let bytes = window.bytes;
                super::csv::read_csv(file, map.clone(), spec.encoding, dataset, &wanted, bytes)
            }
            Format::Parquet => read_parquet(&shown, map.clone(), dataset, &wanted, window.rows),
            Format::Xlsx => {
                let sheet = spec.sheet.as_deref();
                super::sheets::read_xlsx(&shown, &path, &map, sheet, dataset, &wanted)
            }
        },
    );
    let o = table?;
    let proven = match spec.format {
        Format::Parquet => super::stats::parquet_proofs(&map),
        Format::Csv | Format::Xlsx => super::stats::Proofs::new(),
    };
    Ok(Source {
        lf: o.lf,
        windows: o.windows,
        lines: o.lines,
        digest,
        bytes,
        path: shown,
        malformed: o.malformed,
        blank_lines: o.blank_lines,
        title_rows: o.title_rows,
        marks: Vec::new(),
        subset: o.subset,
        proven,
    })
}

/// The wanted columns of `lf` (after checking them) with a row number,
/// counted from `first` (the row `lf` starts at in its file).
fn wanted_columns(
    path: &Path,
    dataset: &str,
    mut lf: LazyFrame,
    wanted: &Wanted,
    first: IdxSize,
) -> Result<LazyFrame, DataError> {
    let found_schema = lf.collect_schema().map_err(|e| polars_err(path, e))?;
    let found: Vec<String> = found_schema.iter_names().map(|n| n.to_string()).collect();
    let cols = pick(path, dataset, &found, wanted)?;
    Ok(lf
        .select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
        .with_row_index(ROW, Some(first)))
}

/// A Parquet file's row groups (their rows, in order) taken whole into
/// windows of at least `rows` rows, the last one possibly fewer: (first
/// row, rows) of each. None for a file without row groups.
pub fn parquet_windows(groups: &[u64], rows: usize) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut first = 0;
    for &n in groups {
        match out.last_mut() {
            Some((_, len)) if *len < rows as u64 => *len += n,
            _ => out.push((first, n)),
        }
        first += n;
    }
    out
}

/// A Parquet file, read by polars from our mapping of it, window by
/// window (docs/architecture.md, "How a dataset is read").
fn read_parquet(
    shown: &Path,
    map: Arc<memmap2::Mmap>,
    dataset: &str,
    wanted: &Wanted,
    window_rows: usize,
) -> Result<Opened, DataError> {
    // polars reads our mapping of the file (its own would keep every
    // page it decodes resident to the end: Window::run lets ours go).
    let pages = super::pages::Pages {
        range: 0..map.len(),
        map,
    };
    let whole = polars_buffer::Buffer::from_owner(pages.clone());
    let sources = ScanSources::Buffers(Arc::from([whole]));
    let args = ScanArgsParquet {
        hive_options: HiveOptions::new_disabled(),
        glob: false,
        ..ScanArgsParquet::default()
    };
    let scan = LazyFrame::scan_parquet_sources(sources, args).map_err(|e| polars_err(shown, e))?;
    let lf = wanted_columns(shown, dataset, scan.clone(), wanted, 0)?;
    // No header line in Parquet: row 0 is "line 2", as if exported to CSV.
    let mut o = Opened::plain(lf.clone(), LineMap::Offset(2));
    // A window of whole row groups: the slice goes down to the reader,
    // which reads those row groups alone.
    let windows = parquet_windows(&super::stats::row_group_rows(&pages.map), window_rows);
    o.windows = if windows.len() > 1 {
        let too_many = |_| DataError::Read {
            path: shown.to_path_buf(),
            message: format!("more than {} rows", IdxSize::MAX),
        };
        windows
            .into_iter()
            .map(|(first, n)| {
                let (first, n) = (
                    IdxSize::try_from(first).map_err(too_many)?,
                    IdxSize::try_from(n).map_err(too_many)?,
                );
                let part = scan.clone().slice(i64::from(first), n);
                let part = wanted_columns(shown, dataset, part, wanted, first)?;
                Ok(super::table::Window::mapped(part, pages.clone()))
            })
            .collect::<Result<_, DataError>>()?
    } else {
        vec![super::table::Window::mapped(lf, pages)]
    };
    o.subset = super::table::Subset::Slices;
    Ok(o)
}
