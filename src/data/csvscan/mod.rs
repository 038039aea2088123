//! The structure of a CSV text, before polars parses it (docs/scheme.md
//! section 1: a row that cannot be parsed as a record is a bad row).
//!
//! polars' CSV reader is fast but all-or-nothing: a row with too many
//! fields or a stray quote aborts the whole file, and a row with too few
//! is padded silently. [`scan`] reads the text once, quote-aware, and
//! finds every line that is not a well-formed record with the header's
//! number of fields, and every blank line. polars then reads only the
//! well-formed records: the file as is when there is nothing to skip (the
//! usual case), else the byte ranges between the skipped lines, with no
//! copy ([`Scan::segments`]). The scan also maps polars' row numbers to
//! physical lines ([`Scan::pieces`]).
//!
//! A record is well formed when every quoted field (one that starts with
//! `"`) closes, with `""` for a quote inside, and is followed by the
//! delimiter or the end of the line, no unquoted field holds a quote, and
//! it has as many fields as the header. A record that is not, and that
//! spans several lines because a quote opened on its first line, is
//! judged as its first line alone: that line is rejected, and the scan
//! goes on at the next line, so one stray quote never swallows the good
//! records after it. A quote still open at the end of the file is an
//! error naming the line where it opened.
//!
//! Blank lines (empty, or only spaces and tabs) are not records: they are
//! skipped and counted (`blank_lines` in the manifest).
//!
//! Large texts are scanned in parallel chunks split at line starts, 64
//! bytes at a time with bit masks; a line with a quote in it is parsed
//! quote-aware. A chunk is scanned as if it started outside quotes: a
//! quoted field crossing a chunk boundary leaves its chunk unclosed, and
//! then the text is scanned again as one piece.

mod index;
mod lines;
#[cfg(test)]
mod tests;

use rayon::prelude::*;

pub use index::LineIndex;
use lines::{Part, Record, fast_part, line_end, record};

/// What is wrong with a skipped line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Blank,
    /// Fields found, expected.
    FieldCount(usize, usize),
    /// A quote inside a field that does not start with one.
    StrayQuote,
    /// Text between a closing quote and the next delimiter.
    AfterQuote,
    /// A quoted field opened on this line does not end as a record.
    Unbalanced,
}

impl Problem {
    /// The reason, in plain words, for rejects.csv.
    pub fn reason(self) -> String {
        match self {
            Problem::Blank => "blank line".into(),
            Problem::FieldCount(found, want) if found > want => format!(
                "{} more field{} than the header ({want} expected, {found} found)",
                found - want,
                if found - want == 1 { "" } else { "s" }
            ),
            Problem::FieldCount(found, want) => format!(
                "{} fewer field{} than the header ({want} expected, {found} found)",
                want - found,
                if want - found == 1 { "" } else { "s" }
            ),
            Problem::StrayQuote => "unbalanced quote: a quote inside a field that does not start with one (a field holding quotes must be quoted, with each quote doubled)".into(),
            Problem::AfterQuote => "unbalanced quote: text after the closing quote of a field".into(),
            Problem::Unbalanced => "unbalanced quote: the quoted field opened on this line does not close before the record ends".into(),
        }
    }
}

/// One skipped line: its physical line (1-based), its byte range in the
/// text (line break included) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub start: usize,
    pub end: usize,
    pub problem: Problem,
}

/// A CSV text's structure.
#[derive(Debug, Clone)]
pub struct Scan {
    /// Header field names, unquoted.
    pub header: Vec<String>,
    /// Byte offset of the first record (after the header line).
    pub body: usize,
    /// Well-formed records: the rows polars reads.
    pub rows: u64,
    /// Skipped lines, in order.
    pub skipped: Vec<Skipped>,
    /// (first row, offset): row r of polars' reading is physical line
    /// r + offset of the last piece starting at or before r.
    pub pieces: Vec<(u64, u64)>,
    /// The windows the body was scanned in, in order ([`scan_windows`]):
    /// each ends at a record's end, so that a window can be read alone.
    pub windows: Vec<Window>,
}

/// A part of the body read alone: its bytes (skipped lines included)
/// and the row number of its first well-formed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub bytes: std::ops::Range<usize>,
    pub first_row: u64,
    /// Where the window's parts start: each at a record's start, so that
    /// the parts can be read in parallel (the window's start first).
    pub parts: Vec<usize>,
}

/// A CSV text polars cannot be given at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error(
        "line {0}: a quoted field opens here and is never closed; the rest of the file would be one field (check the quotes on this line)"
    )]
    Unclosed(u64),
    #[error("the header (line 1) is not a well-formed CSV record: {0}")]
    Header(String),
    #[error("the file has no header line")]
    Empty,
}

impl Scan {
    /// The byte ranges of well-formed records, in order: everything after
    /// the header except the skipped lines.
    pub fn segments(&self, len: usize) -> Vec<std::ops::Range<usize>> {
        self.segments_in(self.body..len)
    }

    /// [`Self::segments`] within a byte range that starts and ends at
    /// line starts outside quoted fields (a window).
    pub fn segments_in(&self, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut at = range.start;
        let first = self.skipped.partition_point(|s| s.start < range.start);
        for s in self.skipped[first..]
            .iter()
            .take_while(|s| s.start < range.end)
        {
            if s.start > at {
                out.push(at..s.start);
            }
            at = s.end;
        }
        if range.end > at {
            out.push(at..range.end);
        }
        out
    }

    pub fn blank_lines(&self) -> u64 {
        self.skipped
            .iter()
            .filter(|s| s.problem == Problem::Blank)
            .count() as u64
    }

    /// The skipped lines that are bad records (not blank).
    pub fn malformed(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped.iter().filter(|s| s.problem != Problem::Blank)
    }
}

/// The end (after its line break) of the well-formed record that starts
/// at byte `pos`, as [`scan`] judged it; `None` if it is not one.
pub fn record_end(b: &[u8], pos: usize, delim: u8) -> Option<usize> {
    match record(b, pos, delim, None) {
        Record::Ok { end, .. } => Some(end),
        _ => None,
    }
}

/// The fields of the well-formed record at byte `pos`, as (start, end,
/// quoted) byte ranges (a quoted field with its quotes, the last field
/// without its line break but with a `\r` before it), and where the
/// record ends (after its line break); `None` if it is not one.
pub fn record_spans(
    b: &[u8],
    pos: usize,
    delim: u8,
    spans: &mut Vec<(usize, usize, bool)>,
) -> Option<usize> {
    match record(b, pos, delim, Some(spans)) {
        Record::Ok { end, .. } => Some(end),
        _ => None,
    }
}

/// Scan a CSV text (UTF-8, BOM allowed) with this delimiter, as one
/// window.
pub fn scan(b: &[u8], delim: u8) -> Result<Scan, ScanError> {
    scan_chunked(b, delim, 1 << 22, usize::MAX, &mut |_| {})
}

/// [`scan`], window by window: the body is cut at line starts about every
/// `window` bytes (later where a quoted field crosses the cut), each
/// window is scanned (in parallel chunks) and then handed to `done`, so
/// that the caller can release its pages before the next one is read.
/// The windows are in [`Scan::windows`].
pub fn scan_windows(
    b: &[u8],
    delim: u8,
    window: usize,
    done: &mut dyn FnMut(std::ops::Range<usize>),
) -> Result<Scan, ScanError> {
    scan_chunked(b, delim, 1 << 22, window, done)
}

/// [`scan_windows`], in parallel chunks when a window is `min` bytes or
/// more.
fn scan_chunked(
    b: &[u8],
    delim: u8,
    min: usize,
    window: usize,
    done: &mut dyn FnMut(std::ops::Range<usize>),
) -> Result<Scan, ScanError> {
    let start = if b.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    if start >= b.len() {
        return Err(ScanError::Empty);
    }
    let mut spans = Vec::new();
    let (body, header_lines) = match record(b, start, delim, Some(&mut spans)) {
        Record::Ok { end, lines, .. } => (end, lines),
        Record::Bad(p) => return Err(ScanError::Header(p.reason())),
        Record::Unclosed(_) => return Err(ScanError::Unclosed(1)),
    };
    let header = spans
        .iter()
        .map(|&(s, e, quoted)| {
            let mut text = &b[s..e];
            if !quoted && text.ends_with(b"\r") {
                text = &text[..text.len() - 1];
            }
            let t = String::from_utf8_lossy(text);
            if quoted {
                t[1..t.len() - 1].replace("\"\"", "\"")
            } else {
                t.into_owned()
            }
        })
        .collect::<Vec<_>>();
    let want = header.len();
    let mut scan = Scan {
        header,
        body,
        rows: 0,
        skipped: Vec::new(),
        pieces: vec![(0, header_lines + 1)],
        windows: Vec::new(),
    };
    let mut offset = header_lines + 1;
    // The physical line of the window's first line.
    let mut first_line = header_lines + 1;
    // The window after `at`: `window` bytes on, at the next line start.
    let cut = |at: usize| {
        if b.len() - at <= window {
            b.len()
        } else {
            line_end(b, at + window)
        }
    };
    let mut at = body;
    while at < b.len() {
        // A quoted field crossing the cut leaves the window unclosed: it
        // then takes in the next one, until the quote closes (or the text
        // ends, where an unclosed quote is an error).
        let mut end = cut(at);
        let (parts, starts) = loop {
            match scan_window(b, at, end, want, delim, min) {
                Err(ScanError::Unclosed(_)) if end < b.len() => end = cut(end),
                // Lines are counted from the window: add its first line.
                Err(ScanError::Unclosed(l)) => return Err(ScanError::Unclosed(l + first_line)),
                Err(e) => return Err(e),
                Ok(parts) => break parts,
            }
        };
        scan.windows.push(Window {
            bytes: at..end,
            first_row: scan.rows,
            parts: starts,
        });
        for mut p in parts {
            for k in &mut p.skipped {
                k.line += first_line;
            }
            first_line += p.lines;
            for (row, extra) in p.steps {
                offset += extra;
                let row = scan.rows + row;
                match scan.pieces.last_mut() {
                    Some(last) if last.0 == row => last.1 = offset,
                    _ => scan.pieces.push((row, offset)),
                }
            }
            scan.rows += p.rows;
            scan.skipped.extend(p.skipped);
        }
        done(at..end);
        at = end;
    }
    Ok(scan)
}

/// The scan of the window `b[from..to]` (both at line starts), in
/// parallel chunks split at line starts when it is `min` bytes or more.
/// A chunk is scanned as if it started outside quotes. If a quoted field
/// crosses into the next chunk, the chunk it opens in cannot close it:
/// `Unclosed`. Then, and only then, the window is scanned again as one
/// piece, which gives the true answer (or `Unclosed` again, where the
/// field crosses the window's end).
fn scan_window(
    b: &[u8],
    from: usize,
    to: usize,
    want: usize,
    delim: u8,
    min: usize,
) -> Result<(Vec<Part>, Vec<usize>), ScanError> {
    let one = || Ok((vec![fast_part(b, from, to, want, delim)?], vec![from]));
    if to - from < min {
        return one();
    }
    let n = rayon::current_num_threads().max(1) * 4;
    let size = (to - from) / n + 1;
    let mut bounds = vec![from];
    while let Some(&last) = bounds.last() {
        let guess = last + size;
        if guess >= to {
            break;
        }
        let next = line_end(b, guess);
        if next >= to {
            break;
        }
        bounds.push(next);
    }
    bounds.push(to);
    let chunks: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let parallel: Result<Vec<Part>, ScanError> = chunks
        .par_iter()
        .map(|&(s, e)| fast_part(b, s, e, want, delim))
        .collect();
    match parallel {
        Err(ScanError::Unclosed(_)) if chunks.len() > 1 => one(),
        r => Ok((r?, chunks.iter().map(|c| c.0).collect())),
    }
}
