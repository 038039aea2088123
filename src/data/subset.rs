//! A few rows of a file, read again without reading the file again.
//!
//! A dataset's pass reads every row once. A handful of rows then need a
//! second look: values the fast parser could not read (the lenient parser
//! judges them) and rows whose key repeats an earlier one (their share of
//! the aggregates is taken back). [`Source::subset`] gives just those rows,
//! with their own row numbers, at a cost that grows with their number, not
//! with the file's:
//! - CSV: each row's physical line comes from the line map, its first
//!   byte from counting line breaks (in parallel chunks), its end from the
//!   structure scan's own record parser; polars reads those bytes (a
//!   GB18030 record decoded first), nothing else. The file, or a UTF-16
//!   file's decoded copy, is read with positional reads (it is not mapped
//!   a second time);
//! - Parquet: one slice per run of consecutive rows, which polars pushes
//!   down to the row groups that hold them;
//! - XLSX: the sheet is in memory already; a filter.

use polars::prelude::*;

use super::csvscan::LineIndex;
use super::read::{ROW, Source};
use super::table::{CsvRows, CsvText, Subset};

/// More runs of consecutive rows than this are read with one filter.
const MAX_SLICES: usize = 256;

impl Source {
    /// The rows `rows` (ascending row numbers) of the source, as its own
    /// query would give them: the wanted columns (as text for CSV) and
    /// [`ROW`].
    pub fn subset(&self, rows: &[IdxSize]) -> PolarsResult<LazyFrame> {
        debug_assert!(rows.windows(2).all(|w| w[0] < w[1]));
        match &self.subset {
            Subset::Csv(c) => csv_rows(c, &self.lines, rows),
            Subset::Slices => {
                let runs = runs(rows);
                if runs.len() > MAX_SLICES {
                    return Ok(self.lf.clone().filter(in_rows(rows)));
                }
                concat(
                    runs.into_iter()
                        .map(|(start, len)| self.lf.clone().slice(start as i64, len))
                        .collect::<Vec<_>>(),
                    UnionArgs::default(),
                )
            }
            Subset::Filter => Ok(self.lf.clone().filter(in_rows(rows))),
        }
    }
}

/// Is the row one of `rows`?
fn in_rows(rows: &[IdxSize]) -> Expr {
    col(ROW).is_in(lit(Series::new("r".into(), rows)).implode(false), false)
}

/// Runs of consecutive rows: (first, length).
fn runs(rows: &[IdxSize]) -> Vec<(IdxSize, IdxSize)> {
    let mut out: Vec<(IdxSize, IdxSize)> = Vec::new();
    for &r in rows {
        match out.last_mut() {
            Some((s, l)) if *s + *l == r => *l += 1,
            _ => out.push((r, 1)),
        }
    }
    out
}

fn csv_rows(
    c: &CsvRows,
    lines: &super::read::LineMap,
    rows: &[IdxSize],
) -> PolarsResult<LazyFrame> {
    let physical: Vec<u64> = rows.iter().map(|&r| lines.line(r as usize)).collect();
    let changed = |line: &u64| polars_err!(ComputeError: "line {line} is not the record the first reading found there (was the file changed while it was read?)");
    let mut buffers = Vec::with_capacity(rows.len());
    let opened;
    let file = match &c.text {
        CsvText::File(path) => {
            opened = std::fs::File::open(path)?;
            &opened
        }
        CsvText::Decoded(file) => &**file,
    };
    let len = file.metadata()?.len() as usize;
    // The line index is built on the first subset (a read of the whole
    // file) and kept for the next.
    let index = c
        .index
        .get_or_init(|| LineIndex::build(len, |r| breaks(file, r, usize::MAX).0));
    let starts = index.starts(&physical, |r, n| breaks(file, r, n).1);
    let mut text = String::new();
    for (start, line) in starts.into_iter().zip(&physical) {
        let mut record = start
            .and_then(|s| record_at(file, len, s, c.delimiter))
            .ok_or_else(|| changed(line))?;
        if let Some(enc) = c.enc {
            // The pass decoded this record without error.
            if super::transcode::decode_into(enc, &record, &mut text) {
                return Err(changed(line));
            }
            record = std::mem::take(&mut text).into_bytes();
        }
        buffers.push(polars_buffer::Buffer::from_owner(record));
    }
    let schema = super::csv::header_schema(&c.header);
    let picked: Vec<Expr> = c.cols.iter().map(|n| col(n.as_str())).collect();
    if buffers.is_empty() {
        return Ok(DataFrame::empty_with_schema(&schema)
            .lazy()
            .select(picked)
            .with_row_index(ROW, None));
    }
    let numbers = Series::new("__rows".into(), rows);
    Ok(
        LazyCsvReader::new_with_sources(ScanSources::Buffers(buffers.into()))
            .with_separator(c.delimiter)
            .with_has_header(false)
            .with_schema(Some(Arc::new(schema)))
            .finish()?
            .select(picked)
            .with_row_index(ROW, None)
            .with_column(lit(numbers).gather(col(ROW), false).alias(ROW)),
    )
}

/// Positional reads of a file in 1 MiB blocks, so that reading it again
/// does not map it: with `n` = `usize::MAX`, the number of line breaks in
/// `range`; else the offset of the `n`-th (0-based) break, if it is there
/// (the count is then only of the blocks before it).
fn breaks(file: &std::fs::File, range: std::ops::Range<usize>, n: usize) -> (u64, Option<usize>) {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 1 << 20];
    let (mut at, mut seen) = (range.start, 0usize);
    while at < range.end {
        let want = (range.end - at).min(buf.len());
        let got = match file.read_at(&mut buf[..want], at as u64) {
            Ok(0) | Err(_) => break,
            Ok(k) => k,
        };
        let block = &buf[..got];
        let here = memchr::memchr_iter(b'\n', block).count();
        if seen + here > n {
            let i = memchr::memchr_iter(b'\n', block).nth(n - seen);
            return (seen as u64, i.map(|i| at + i));
        }
        seen += here;
        at += got;
    }
    (seen as u64, None)
}

/// The record starting at byte `start` of the file, read with positional
/// reads (a 4 KiB window, four times larger each time until the record
/// ends inside it or the file does).
fn record_at(file: &std::fs::File, len: usize, start: usize, delim: u8) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut window = 1 << 12;
    loop {
        let want = window.min(len.checked_sub(start)?);
        let mut buf = vec![0u8; want];
        file.read_exact_at(&mut buf, start as u64).ok()?;
        match super::csvscan::record_end(&buf, 0, delim) {
            // A record cut off by the window (not by the file) may go on.
            Some(end) if end < want || start + want == len => {
                buf.truncate(end);
                return Some(buf);
            }
            _ if start + want == len => return None,
            _ => window *= 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_consecutive_rows() {
        assert_eq!(runs(&[1, 2, 3, 7, 9, 10]), vec![(1, 3), (7, 1), (9, 2)]);
        assert!(runs(&[]).is_empty());
    }
}
