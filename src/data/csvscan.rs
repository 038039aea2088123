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

use memchr::{memchr, memchr3};
use rayon::prelude::*;

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
        let mut out = Vec::new();
        let mut at = self.body;
        for s in &self.skipped {
            if s.start > at {
                out.push(at..s.start);
            }
            at = s.end;
        }
        if len > at {
            out.push(at..len);
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

/// The shape of one record.
enum Record {
    /// Ends at this byte (after its line break), with this many fields,
    /// over this many physical lines.
    Ok {
        end: usize,
        fields: usize,
        lines: u64,
    },
    Bad(Problem),
    /// The quote at this byte opens a field that never closes.
    Unclosed(usize),
}

/// The end of the physical line at `pos` (after its `\n`, or `len`).
fn line_end(b: &[u8], pos: usize) -> usize {
    memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i + 1)
}

/// Parse one record starting at `pos`; with `spans`, collect its fields'
/// byte ranges (for the header).
fn record(
    b: &[u8],
    pos: usize,
    delim: u8,
    mut spans: Option<&mut Vec<(usize, usize, bool)>>,
) -> Record {
    let mut i = pos;
    let mut fields = 1;
    let mut lines = 1;
    loop {
        let start = i;
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                let Some(q) = memchr(b'"', &b[i..]) else {
                    return Record::Unclosed(start);
                };
                lines += memchr::memchr_iter(b'\n', &b[i..i + q]).count() as u64;
                i += q + 1;
                if i < b.len() && b[i] == b'"' {
                    i += 1;
                    continue;
                }
                break;
            }
            if let Some(s) = spans.as_deref_mut() {
                s.push((start, i, true));
            }
            match b.get(i) {
                None => {
                    return Record::Ok {
                        end: i,
                        fields,
                        lines,
                    };
                }
                Some(&c) if c == delim => {
                    fields += 1;
                    i += 1;
                }
                Some(b'\n') => {
                    return Record::Ok {
                        end: i + 1,
                        fields,
                        lines,
                    };
                }
                Some(b'\r') if b.get(i + 1) == Some(&b'\n') => {
                    return Record::Ok {
                        end: i + 2,
                        fields,
                        lines,
                    };
                }
                Some(_) => return Record::Bad(Problem::AfterQuote),
            }
        } else {
            match memchr3(delim, b'\n', b'"', &b[i..]) {
                None => {
                    if let Some(s) = spans.as_deref_mut() {
                        s.push((start, b.len(), false));
                    }
                    return Record::Ok {
                        end: b.len(),
                        fields,
                        lines,
                    };
                }
                Some(k) => {
                    let c = b[i + k];
                    if let Some(s) = spans.as_deref_mut() {
                        s.push((start, i + k, false));
                    }
                    i += k + 1;
                    if c == delim {
                        fields += 1;
                    } else if c == b'\n' {
                        return Record::Ok {
                            end: i,
                            fields,
                            lines,
                        };
                    } else {
                        return Record::Bad(Problem::StrayQuote);
                    }
                }
            }
        }
    }
}

/// Count `x` in `s` (vectorises: 16 byte counters per block).
fn count(s: &[u8], x: u8) -> usize {
    let mut n = 0;
    for block in s.chunks(16 * 255) {
        let mut acc = [0u8; 16];
        let mut it = block.chunks_exact(16);
        for c in &mut it {
            for k in 0..16 {
                acc[k] += u8::from(c[k] == x);
            }
        }
        n += acc.iter().map(|&a| a as usize).sum::<usize>();
        n += it.remainder().iter().filter(|&&c| c == x).count();
    }
    n
}

fn blank(line: &[u8]) -> bool {
    line.iter()
        .all(|&c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Bit i set where `block[i]` is a quote, a line break, the delimiter.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks(block: &[u8; 64], delim: u8) -> (u64, u64, u64) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86_64 processor; the loads read the
    // 64 bytes of `block` (unaligned loads).
    unsafe {
        let (q, n, d) = (
            _mm_set1_epi8(b'"' as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(delim as i8),
        );
        let (mut mq, mut mn, mut md) = (0u64, 0u64, 0u64);
        for k in 0..4 {
            let x = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
            let bits = |v| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)) as u16) << (16 * k);
            mq |= bits(q);
            mn |= bits(n);
            md |= bits(d);
        }
        (mq, mn, md)
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks(block: &[u8; 64], delim: u8) -> (u64, u64, u64) {
    let (mut mq, mut mn, mut md) = (0u64, 0u64, 0u64);
    for (i, &c) in block.iter().enumerate() {
        mq |= u64::from(c == b'"') << i;
        mn |= u64::from(c == b'\n') << i;
        md |= u64::from(c == delim) << i;
    }
    (mq, mn, md)
}

/// The scan of `b[from..to]` (both at line starts), 64 bytes at a time:
/// delimiters are counted between line breaks with bit masks, so a clean
/// line costs a few instructions. From the first line with a quote on,
/// the rest of the range is scanned quote-aware ([`scan_part`]).
fn fast_part(b: &[u8], from: usize, to: usize, want: usize, delim: u8) -> Result<Part, ScanError> {
    let mut p = Part::default();
    let mut line_start = from;
    // Delimiters seen in the current line so far.
    let mut fields = 1usize;
    let end_line = |p: &mut Part, start: usize, end: usize, fields: usize| {
        // `end` is just past the line break (or `to`).
        let text = &b[start..end];
        let problem = if fields == 1 && blank(text) {
            Some(Problem::Blank)
        } else if fields != want {
            Some(Problem::FieldCount(fields, want))
        } else {
            None
        };
        match problem {
            None => p.rows += 1,
            Some(problem) => {
                p.skipped.push(Skipped {
                    line: p.lines,
                    start,
                    end,
                    problem,
                });
                p.steps.push((p.rows, 1));
            }
        }
        p.lines += 1;
    };
    let mut at = from;
    while at + 64 <= to {
        let block: &[u8; 64] = b[at..at + 64].try_into().expect("64 bytes");
        let (quotes, mut nl, mut dl) = masks(block, delim);
        if quotes != 0 {
            return quoted_rest(b, p, line_start, to, want, delim);
        }
        while nl != 0 {
            let i = nl.trailing_zeros();
            let below = (1u64 << i) - 1;
            fields += (dl & below).count_ones() as usize;
            dl &= !below;
            let end = at + i as usize + 1;
            end_line(&mut p, line_start, end, fields);
            line_start = end;
            fields = 1;
            nl &= nl - 1;
        }
        fields += dl.count_ones() as usize;
        at += 64;
    }
    for (k, &c) in b[at..to].iter().enumerate() {
        if c == b'"' {
            return quoted_rest(b, p, line_start, to, want, delim);
        }
        if c == delim {
            fields += 1;
        } else if c == b'\n' {
            let end = at + k + 1;
            end_line(&mut p, line_start, end, fields);
            line_start = end;
            fields = 1;
        }
    }
    if line_start < to {
        end_line(&mut p, line_start, to, fields);
    }
    Ok(p)
}

/// `p` (the lines before `from`) followed by the quote-aware scan of
/// `b[from..to]`.
fn quoted_rest(
    b: &[u8],
    mut p: Part,
    from: usize,
    to: usize,
    want: usize,
    delim: u8,
) -> Result<Part, ScanError> {
    let rest = scan_part(b, from, to, want, delim, p.lines)?;
    p.steps
        .extend(rest.steps.into_iter().map(|(row, n)| (p.rows + row, n)));
    p.rows += rest.rows;
    p.lines += rest.lines;
    p.skipped.extend(rest.skipped);
    Ok(p)
}

/// The scan of `b[from..to]` (both at line starts); lines are counted
/// from `line0` (the caller adds the range's first line).
#[derive(Default)]
struct Part {
    rows: u64,
    /// Physical lines in the range.
    lines: u64,
    skipped: Vec<Skipped>,
    /// (row, extra lines) after each record spanning several lines, and
    /// (row, skipped lines) at each skipped run: offsets to add.
    steps: Vec<(u64, u64)>,
}

fn scan_part(
    b: &[u8],
    from: usize,
    to: usize,
    want: usize,
    delim: u8,
    line0: u64,
) -> Result<Part, ScanError> {
    let mut p = Part::default();
    let mut pos = from;
    let mut line = line0;
    // The next quote at or after `pos`.
    let mut next_quote = memchr(b'"', &b[from..to]).map(|q| from + q);
    let skip = |p: &mut Part, line: u64, start: usize, end: usize, problem| {
        p.skipped.push(Skipped {
            line,
            start,
            end,
            problem,
        });
        p.steps.push((p.rows, 1));
    };
    while pos < to {
        let end = line_end(b, pos).min(to);
        if next_quote.is_some_and(|q| q < pos) {
            next_quote = memchr(b'"', &b[pos..to]).map(|q| pos + q);
        }
        if next_quote.is_none_or(|q| q >= end) {
            let text = &b[pos..end];
            if blank(text) {
                skip(&mut p, line, pos, end, Problem::Blank);
            } else {
                let fields = count(text, delim) + 1;
                if fields == want {
                    p.rows += 1;
                } else {
                    skip(&mut p, line, pos, end, Problem::FieldCount(fields, want));
                }
            }
            pos = end;
            line += 1;
            continue;
        }
        match record(&b[..to], pos, delim, None) {
            Record::Ok {
                end: e,
                fields,
                lines,
            } if fields == want => {
                p.rows += 1;
                if lines > 1 {
                    p.steps.push((p.rows, lines - 1));
                }
                pos = e;
                line += lines;
            }
            Record::Ok {
                fields, lines: 1, ..
            } => {
                skip(&mut p, line, pos, end, Problem::FieldCount(fields, want));
                pos = end;
                line += 1;
            }
            Record::Unclosed(q) => {
                let at = line + memchr::memchr_iter(b'\n', &b[pos..q]).count() as u64;
                return Err(ScanError::Unclosed(at));
            }
            Record::Ok { .. } => {
                skip(&mut p, line, pos, end, Problem::Unbalanced);
                pos = end;
                line += 1;
            }
            Record::Bad(problem) => {
                // Judged as its first line alone (see the module docs).
                let spans = record(&b[..end], pos, delim, None);
                let problem = match spans {
                    Record::Bad(pr) => pr,
                    _ => match problem {
                        Problem::AfterQuote => Problem::Unbalanced,
                        pr => pr,
                    },
                };
                skip(&mut p, line, pos, end, problem);
                pos = end;
                line += 1;
            }
        }
    }
    p.lines = line - line0;
    Ok(p)
}

/// Scan a CSV text (UTF-8, BOM allowed) with this delimiter.
pub fn scan(b: &[u8], delim: u8) -> Result<Scan, ScanError> {
    scan_chunked(b, delim, 1 << 22)
}

/// [`scan`], in parallel chunks when the body is `min` bytes or more.
fn scan_chunked(b: &[u8], delim: u8, min: usize) -> Result<Scan, ScanError> {
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
    // Split at line starts into parallel chunks.
    let chunks = if b.len() - body < min {
        vec![(body, b.len())]
    } else {
        let n = rayon::current_num_threads().max(1) * 4;
        let size = (b.len() - body) / n + 1;
        let mut bounds = vec![body];
        while let Some(&last) = bounds.last() {
            let guess = last + size;
            if guess >= b.len() {
                break;
            }
            let next = line_end(b, guess);
            if next >= b.len() {
                break;
            }
            bounds.push(next);
        }
        bounds.push(b.len());
        bounds.windows(2).map(|w| (w[0], w[1])).collect()
    };
    // A chunk is scanned as if it started outside quotes. If a quoted
    // field crosses into the next chunk, the chunk it opens in cannot
    // close it: `Unclosed`. Then, and only then, the body is scanned again
    // as one piece, which gives the true answer.
    let relative = |e| match e {
        // Lines are counted from the body: add the header's.
        ScanError::Unclosed(l) => ScanError::Unclosed(l + header_lines + 1),
        e => e,
    };
    let parallel: Result<Vec<Part>, ScanError> = chunks
        .par_iter()
        .map(|&(s, e)| fast_part(b, s, e, want, delim))
        .collect();
    let parts = match parallel {
        Err(ScanError::Unclosed(_)) if chunks.len() > 1 => {
            vec![fast_part(b, body, b.len(), want, delim).map_err(relative)?]
        }
        Err(e) => return Err(relative(e)),
        Ok(parts) => parts,
    };
    let mut scan = Scan {
        header,
        body,
        rows: 0,
        skipped: Vec::new(),
        pieces: vec![(0, header_lines + 1)],
    };
    let mut offset = header_lines + 1;
    let mut first_line = header_lines + 1;
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
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Physical line of each row from the pieces.
    fn lines(s: &Scan) -> Vec<u64> {
        (0..s.rows)
            .map(|r| {
                let k = s.pieces.partition_point(|p| p.0 <= r) - 1;
                r + s.pieces[k].1
            })
            .collect()
    }

    fn problems(s: &Scan) -> Vec<(u64, Problem)> {
        s.skipped.iter().map(|k| (k.line, k.problem)).collect()
    }

    #[test]
    fn a_clean_file_has_nothing_to_skip() {
        let s = scan(b"a,b,c\n1,2,3\n4,5,6", b',').unwrap();
        assert_eq!(s.header, ["a", "b", "c"]);
        assert_eq!(s.rows, 2);
        assert!(s.skipped.is_empty());
        assert_eq!(lines(&s), [2, 3]);
        assert_eq!(s.segments(17), std::iter::once(6..17).collect::<Vec<_>>());
    }

    #[test]
    fn blank_lines_and_wrong_field_counts_are_skipped_with_their_lines() {
        // Line 1 header; 2 ok; 3 blank; 4 two fields; 5 ok; 6 spaces only;
        // 7 five fields; 8 ok (CRLF); 9 blank at the end.
        let t = b"a,b,c\n1,2,3\n\n4,5\n6,7,8\n  \n1,2,3,4,5\n9,9,9\r\n\n";
        let s = scan(t, b',').unwrap();
        assert_eq!(
            problems(&s),
            [
                (3, Problem::Blank),
                (4, Problem::FieldCount(2, 3)),
                (6, Problem::Blank),
                (7, Problem::FieldCount(5, 3)),
                (9, Problem::Blank),
            ]
        );
        assert_eq!(s.rows, 3);
        assert_eq!(lines(&s), [2, 5, 8]);
        assert_eq!(s.blank_lines(), 3);
        // The segments are exactly the good lines.
        let kept: Vec<u8> = s
            .segments(t.len())
            .into_iter()
            .flat_map(|r| t[r].to_vec())
            .collect();
        assert_eq!(kept, b"1,2,3\n6,7,8\n9,9,9\r\n");
        assert_eq!(
            Problem::FieldCount(5, 3).reason(),
            "2 more fields than the header (3 expected, 5 found)"
        );
        assert_eq!(
            Problem::FieldCount(2, 3).reason(),
            "1 fewer field than the header (3 expected, 2 found)"
        );
    }

    #[test]
    fn quotes_that_do_not_parse_reject_their_line_only() {
        // 2: stray quote in an unquoted field; 3 ok with a quoted comma;
        // 4: text after a closing quote; 5: a quoted field spanning lines
        // 5-6 (ok, 3 fields); 7: a quote opening a field that "closes" on
        // line 8 but the record then does not parse: line 7 alone is
        // rejected and line 8 is read on its own (it has a stray quote
        // too); 9 ok.
        let t = "k,t,n\n1,投\"诉,3\n2,\"a,b\",4\n3,\"x\"y,5\n4,\"多\n行\",6\n5,\"坏,7\n6,x\"z,8\n7,ok,9\n";
        let s = scan(t.as_bytes(), b',').unwrap();
        assert_eq!(
            problems(&s),
            [
                (2, Problem::StrayQuote),
                (4, Problem::AfterQuote),
                (7, Problem::Unbalanced),
                (8, Problem::StrayQuote),
            ]
        );
        assert_eq!(s.rows, 3);
        assert_eq!(lines(&s), [3, 5, 9]);
    }

    #[test]
    fn an_unclosed_quote_to_the_end_is_an_error_at_its_line() {
        let t = b"a,b\n1,2\n3,\"open\n4,5\n6,7\n";
        assert_eq!(scan(t, b',').unwrap_err(), ScanError::Unclosed(3));
    }

    #[test]
    fn the_header_may_be_quoted_and_carry_a_bom() {
        let s = scan("\u{feff}\"a,1\",b\r\nx,y\r\n".as_bytes(), b',').unwrap();
        assert_eq!(s.header, ["a,1", "b"]);
        assert_eq!(s.rows, 1);
        assert_eq!(lines(&s), [2]);
        assert!(matches!(
            scan(b"a,\"b\"c\n", b','),
            Err(ScanError::Header(_))
        ));
        assert_eq!(scan(b"", b',').unwrap_err(), ScanError::Empty);
    }

    proptest::proptest! {
        /// Many small chunks (quoted fields with commas, line breaks and
        /// doubled quotes crossing their boundaries, stray quotes, short
        /// and long lines, blank lines) give exactly the sequential scan.
        #[test]
        fn chunked_scans_equal_the_sequential_scan(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1,a,b", "2,\"x,y\",c", "3,\"多\n行\",d", "4,e", "5,f,g,h", "",
                    "6,投\"诉,i", "7,\"q\"\"q\",j", "8,\"open", "close\",k,l", "  ",
                ]),
                1..120,
            )
        ) {
            let text = format!("a,b,c\n{}\n", lines.join("\n"));
            let one = scan_chunked(text.as_bytes(), b',', usize::MAX);
            let many = scan_chunked(text.as_bytes(), b',', 16);
            match (one, many) {
                (Ok(a), Ok(b)) => {
                    proptest::prop_assert_eq!(a.rows, b.rows);
                    proptest::prop_assert_eq!(&a.skipped, &b.skipped);
                    proptest::prop_assert_eq!(lines_of(&a), lines_of(&b));
                }
                (Err(a), Err(b)) => proptest::prop_assert_eq!(a, b),
                (a, b) => proptest::prop_assert!(false, "{:?} vs {:?}", a.err(), b.err()),
            }
        }
    }

    fn lines_of(s: &Scan) -> Vec<u64> {
        lines(s)
    }

    #[test]
    fn parallel_chunks_agree_with_one_sequential_scan() {
        // Over 4 MiB without quotes: scanned in chunks.
        let mut t = b"a,b,c\n".to_vec();
        let mut bad = Vec::new();
        for k in 0..400_000u64 {
            let line = k + 2;
            if k % 99_991 == 7 {
                t.extend_from_slice(b"1,2\n");
                bad.push((line, Problem::FieldCount(2, 3)));
            } else if k % 131_071 == 5 {
                t.extend_from_slice(b"\n");
                bad.push((line, Problem::Blank));
            } else {
                t.extend_from_slice(format!("{k},x,y\n").as_bytes());
            }
        }
        assert!(t.len() > 1 << 22);
        let s = scan(&t, b',').unwrap();
        assert_eq!(problems(&s), bad);
        assert_eq!(s.rows, 400_000 - bad.len() as u64);
        let l = lines(&s);
        // Row r's line: r + 2 plus the skipped lines before it.
        let mut expect = Vec::new();
        let mut line = 2;
        for _ in 0..s.rows {
            while bad.iter().any(|b| b.0 == line) {
                line += 1;
            }
            expect.push(line);
            line += 1;
        }
        assert_eq!(l, expect);
    }
}
