//! Where a text's line breaks are: the line index that finds a record's
//! first byte from its physical line (`Source::subset`).

use rayon::prelude::*;

/// Where a text's line breaks are, coarsely: the number of breaks before
/// each 4 MiB chunk (counted in parallel). Built once per file, it finds
/// any line's first byte by reading one chunk.
#[derive(Debug, Clone)]
pub struct LineIndex {
    chunks: Vec<(usize, usize)>,
    before: Vec<u64>,
}

impl LineIndex {
    const CHUNK: usize = 1 << 22;

    /// The index of a text of `len` bytes, given the number of line
    /// breaks in a byte range.
    pub fn build(len: usize, count: impl Fn(std::ops::Range<usize>) -> u64 + Sync) -> Self {
        let chunks: Vec<(usize, usize)> = (0..len.div_ceil(Self::CHUNK))
            .map(|k| (k * Self::CHUNK, ((k + 1) * Self::CHUNK).min(len)))
            .collect();
        let counts: Vec<u64> = chunks.par_iter().map(|&(s, e)| count(s..e)).collect();
        let mut before = Vec::with_capacity(counts.len());
        let mut total = 0;
        for c in &counts {
            before.push(total);
            total += c;
        }
        LineIndex { chunks, before }
    }

    /// The first byte of each line, given the offset of the n-th (0-based)
    /// line break in a byte range.
    pub fn starts(
        &self,
        lines: &[u64],
        nth: impl Fn(std::ops::Range<usize>, usize) -> Option<usize>,
    ) -> Vec<Option<usize>> {
        lines
            .iter()
            .map(|&line| {
                if line <= 1 {
                    return Some(0);
                }
                // Line l starts after the (l-1)-th line break.
                let k = line - 1;
                let c = self.before.partition_point(|&x| x < k).checked_sub(1)?;
                let (s, e) = self.chunks[c];
                nth(s..e, (k - self.before[c] - 1) as usize).map(|i| i + 1)
            })
            .collect()
    }
}
