//! Lines and records: the per-range scanners behind [`super::scan`], the
//! 64-byte bit-mask scan of quote-free lines and the quote-aware parse of
//! the rest.

use memchr::{memchr, memchr3};

use super::{Problem, ScanError, Skipped};

/// The shape of one record.
pub(super) enum Record {
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
pub(super) fn line_end(b: &[u8], pos: usize) -> usize {
    memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i + 1)
}

/// Parse one record starting at `pos`; with `spans`, collect its fields'
/// byte ranges (for the header).
pub(super) fn record(
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
pub(super) fn count(s: &[u8], x: u8) -> usize {
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

pub(super) fn blank(line: &[u8]) -> bool {
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
pub(super) fn fast_part(
    b: &[u8],
    from: usize,
    to: usize,
    want: usize,
    delim: u8,
) -> Result<Part, ScanError> {
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
pub(super) fn quoted_rest(
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
pub(super) struct Part {
    pub rows: u64,
    /// Physical lines in the range.
    pub lines: u64,
    pub skipped: Vec<Skipped>,
    /// (row, extra lines) after each record spanning several lines, and
    /// (row, skipped lines) at each skipped run: offsets to add.
    pub steps: Vec<(u64, u64)>,
}

pub(super) fn scan_part(
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
