//! What every reader of a table shares: the row number column, the map
//! from rows to physical lines, the columns wanted, what a reader hands
//! back, and the errors that name the file.

use std::path::Path;

use polars::prelude::*;

use super::DataError;
use crate::scheme::ColType;

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

/// What a CSV source keeps to read some of its records again.
#[derive(Clone)]
pub struct CsvRows {
    pub text: CsvText,
    /// The encoding of the text's records, where not UTF-8 (GB18030):
    /// each record read again is decoded.
    pub enc: Option<&'static encoding_rs::Encoding>,
    pub delimiter: u8,
    /// The header's names (all columns) and the ones read.
    pub header: Vec<String>,
    pub cols: Vec<String>,
    /// The file's line index, once a subset has needed it.
    pub index: Arc<std::sync::OnceLock<super::csvscan::LineIndex>>,
}

/// Where a CSV source's records are read again from.
#[derive(Clone)]
pub enum CsvText {
    /// The file itself (UTF-8, GB18030), read with positional reads: it
    /// is not kept mapped (a second mapping beside the windows' own would
    /// count the file twice in the process's memory).
    File(std::path::PathBuf),
    /// The decoded copy of a UTF-16 file: its unnamed temporary file,
    /// read the same way.
    Decoded(Arc<std::fs::File>),
}

/// How a source reads a subset of its rows (`Source::subset`, in
/// `subset.rs`).
#[derive(Clone)]
pub enum Subset {
    Csv(CsvRows),
    /// Slices of the source's own query (Parquet).
    Slices,
    /// A filter on the source's own query (a table in memory).
    Filter,
}

/// A part of a file that its own query reads (docs/architecture.md, "How
/// a dataset is read"): a CSV file is read window by window, so that only
/// one window's pages are in memory at a time; other files are one window.
#[derive(Clone)]
pub struct Window {
    rows: WindowRows,
    /// The mapped bytes the window reads, released once its query has run.
    pub pages: Option<super::pages::Pages>,
    /// polars reads `pages` itself while the query runs (a Parquet file,
    /// handed to it as our mapping), rather than before it.
    read_by_query: bool,
}

#[derive(Clone)]
enum WindowRows {
    Query(Box<LazyFrame>),
    /// Records of a CSV text, read when the window's query is built.
    Csv(Arc<CsvWindow>),
}

/// What a CSV window reads (`csvread::read_window`).
pub(super) struct CsvWindow {
    pub text: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub segments: Vec<std::ops::Range<usize>>,
    pub parts: Vec<usize>,
    pub wanted: Vec<(usize, PlSmallStr, super::fields::Read)>,
    pub delimiter: u8,
    /// The text's encoding, where not UTF-8 (GB18030: the records are
    /// decoded as they are read).
    pub enc: Option<&'static encoding_rs::Encoding>,
    pub first_row: IdxSize,
}

impl Window {
    pub fn whole(lf: LazyFrame) -> Window {
        Window {
            rows: WindowRows::Query(Box::new(lf)),
            pages: None,
            read_by_query: false,
        }
    }

    /// A query that reads the mapped `pages` itself as it runs.
    pub(super) fn mapped(lf: LazyFrame, pages: super::pages::Pages) -> Window {
        Window {
            rows: WindowRows::Query(Box::new(lf)),
            pages: Some(pages),
            read_by_query: true,
        }
    }

    pub(super) fn csv(w: CsvWindow, pages: super::pages::Pages) -> Window {
        Window {
            rows: WindowRows::Csv(Arc::new(w)),
            pages: Some(pages),
            read_by_query: false,
        }
    }

    /// The window's rows: the wanted columns and [`ROW`] (the file's own
    /// row numbers). A CSV window's records are read here, its `int`,
    /// `bool`, `date` and `datetime` columns as values, with the flag of
    /// the rows the lenient parser must read (`fields::FALLBACK`).
    pub fn rows(&self) -> PolarsResult<LazyFrame> {
        match &self.rows {
            WindowRows::Query(lf) => Ok((**lf).clone()),
            WindowRows::Csv(w) => {
                let text = (*w.text).as_ref();
                let df = super::csvread::read_window(
                    text,
                    &w.segments,
                    &w.parts,
                    &w.wanted,
                    w.delimiter,
                    w.enc,
                )?;
                Ok(df.lazy().with_row_index(ROW, Some(w.first_row)))
            }
        }
    }

    /// Runs the window's `query`, then lets its pages go. Where polars
    /// reads the mapping itself while the query runs (Parquet), its pages
    /// are also let go every 50 ms meanwhile: a process's resident memory
    /// counts every page of a mapping it has touched, so a 1 GB file read
    /// to its end would otherwise add 1 GB. Letting go of a page that is
    /// still being read only means it is read again from the kernel's
    /// page cache ([`super::pages::release`]).
    pub fn run<T>(&self, query: impl FnOnce() -> T) -> T {
        let out = match (&self.pages, self.read_by_query) {
            (Some(pages), true) => {
                let (done, wait) = std::sync::mpsc::channel::<()>();
                std::thread::scope(|s| {
                    s.spawn(move || {
                        let every = std::time::Duration::from_millis(50);
                        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                            wait.recv_timeout(every)
                        {
                            pages.release();
                        }
                    });
                    let out = query();
                    drop(done);
                    out
                })
            }
            _ => query(),
        };
        if let Some(p) = &self.pages {
            p.release();
        }
        out
    }
}

/// A record that is not one (csvscan): its line, its text, the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: u64,
    pub text: String,
    pub reason: String,
}

/// Which columns to take: the declared ones (with their types, which guide
/// how spreadsheet cells are turned into text), or all of them, in a
/// header that holds some of the names given (a sheet's header is looked
/// for by them, below a title).
pub enum Wanted<'a> {
    Declared(&'a [(String, ColType)]),
    All(&'a [&'a str]),
}

/// A table opened: its query (whole and by windows), line map
/// and what was skipped.
pub(super) struct Opened {
    pub lf: LazyFrame,
    pub windows: Vec<Window>,
    pub lines: LineMap,
    pub malformed: Vec<Malformed>,
    pub blank_lines: u64,
    /// Rows with a value above a sheet's header (a title), not read.
    pub title_rows: u64,
    pub subset: Subset,
}

impl Opened {
    pub(super) fn plain(lf: LazyFrame, lines: LineMap) -> Opened {
        Opened {
            windows: vec![Window::whole(lf.clone())],
            lf,
            lines,
            malformed: Vec::new(),
            blank_lines: 0,
            title_rows: 0,
            subset: Subset::Filter,
        }
    }
}

pub(super) const GBK_HINT: &str =
    " (hint: if the file is GBK/GB18030, declare encoding = \"gb18030\")";

pub(super) fn io_err(path: &Path, e: std::io::Error) -> DataError {
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

    /// A query that reads the mapping itself (Parquet) reads the file's
    /// bytes while its pages are let go under it every 50 ms: a page let
    /// go is read again from the page cache, the same bytes.
    #[test]
    fn a_mapped_window_reads_the_same_bytes_while_its_pages_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let bytes: Vec<u8> = (0..1u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.unwrap());
        let pages = super::super::pages::Pages {
            map: map.clone(),
            range: 0..map.len(),
        };
        let w = Window::mapped(df!("a" => [1]).unwrap().lazy(), pages);
        let start = std::time::Instant::now();
        // Long enough for the pages to be let go several times.
        let reads = w.run(|| {
            let mut n = 0;
            while start.elapsed() < std::time::Duration::from_millis(300) {
                assert!(map[..] == bytes[..]);
                n += 1;
            }
            n
        });
        assert!(reads > 1);
        assert!(map[..] == bytes[..]);
    }
}
