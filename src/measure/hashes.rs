//! The keys of a file's records as its windows are read, for the
//! duplicate check ("the later row is rejected"), kept small: a 64-bit
//! hash a record instead of its text.

use std::hash::BuildHasher;

use polars::prelude::*;
use rayon::prelude::*;

use super::keys::increasing;
use crate::data::read::ROW;
use crate::data::records::KEY;

/// The keys of a file's valid records as its windows are read: a 64-bit
/// hash each (8 bytes a record, where the key's text held in a frame
/// costs 16 bytes and up, and a row number 4 more), with the rows as runs,
/// and whether the keys are strictly increasing in row order so far (the
/// usual case for ticket numbers: then no key repeats, and nothing more
/// is done). Otherwise the rows whose hash another row shares are the
/// candidates: their keys are read again and compared exactly
/// ([`duplicates`]), so a collision of two hashes never makes a
/// duplicate.
pub(super) struct Hashes {
    hash: fn(Option<&str>) -> u64,
    parts: Vec<HashPart>,
    ordered: bool,
    /// The last row and key seen, while ordered.
    last: Option<(IdxSize, String)>,
}

struct HashPart {
    hashes: Vec<u64>,
    /// (first row, number of rows) of consecutive rows, in the order of
    /// `hashes`.
    rows: Vec<(IdxSize, IdxSize)>,
}

impl Hashes {
    pub(super) fn new() -> Hashes {
        Hashes::with(|k| PlFixedStateQuality::default().hash_one(k))
    }

    /// With another hash function (tests: one that collides).
    fn with(hash: fn(Option<&str>) -> u64) -> Hashes {
        Hashes {
            hash,
            parts: Vec::new(),
            ordered: true,
            last: None,
        }
    }

    /// Add the keys sink of a query ([`ROW`], [`KEY`]).
    pub(super) fn add(&mut self, keys: &DataFrame) -> PolarsResult<()> {
        let rows = keys.column(ROW)?.idx()?;
        let k = keys.column(KEY)?.str()?;
        if keys.height() == 0 {
            return Ok(());
        }
        if self.ordered {
            let first = (rows.get(0), k.get(0));
            let follows = match (&self.last, first) {
                (Some((r0, k0)), (Some(r1), Some(k1))) => r1 > *r0 && k1 > k0.as_str(),
                _ => true,
            };
            self.ordered = follows && increasing(rows) && increasing(k);
            let n = keys.height() - 1;
            self.last = match (rows.get(n), k.get(n)) {
                (Some(r), Some(key)) if self.ordered => Some((r, key.to_string())),
                _ => None,
            };
        }
        let hashes = k.iter().map(|v| (self.hash)(v)).collect();
        let mut runs: Vec<(IdxSize, IdxSize)> = Vec::new();
        for r in rows.iter() {
            let r = r.unwrap_or(IdxSize::MAX);
            match runs.last_mut() {
                Some((first, n)) if *first + *n == r => *n += 1,
                _ => runs.push((r, 1)),
            }
        }
        self.parts.push(HashPart { hashes, rows: runs });
        Ok(())
    }

    /// The rows whose key may repeat another's (ascending): none where the
    /// keys are strictly increasing, else every row whose hash another
    /// row shares.
    pub(super) fn candidates(self) -> Vec<IdxSize> {
        if self.ordered {
            return Vec::new();
        }
        let mut sorted: Vec<u64> = self
            .parts
            .iter()
            .flat_map(|p| p.hashes.iter().copied())
            .collect();
        sorted.par_sort_unstable();
        let mut shared: Vec<u64> = sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        drop(sorted);
        shared.dedup();
        let mut out = Vec::new();
        if shared.is_empty() {
            return out;
        }
        for p in &self.parts {
            let rows = p.rows.iter().flat_map(|&(first, n)| first..first + n);
            for (r, h) in rows.zip(&p.hashes) {
                if shared.binary_search(h).is_ok() {
                    out.push(r);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::keys::duplicates;
    use crate::measure::keys::tests::keys;

    #[test]
    fn hashes_of_increasing_keys_across_windows_give_no_candidates() {
        let mut h = Hashes::new();
        h.add(&keys(&[0, 1, 3], &["a", "b", "c"])).unwrap();
        h.add(&keys(&[4, 5], &["d", "e"])).unwrap();
        assert!(h.candidates().is_empty());
        // A window whose first key is not above the last one's: the
        // repeat of "b" (row 6) and its first (row 1) are candidates.
        let mut h = Hashes::new();
        h.add(&keys(&[0, 1, 3], &["a", "b", "c"])).unwrap();
        h.add(&keys(&[6, 7], &["b", "z"])).unwrap();
        assert_eq!(h.candidates(), vec![1, 6]);
        // Keys unordered but distinct: no shared hash, no candidate.
        let mut h = Hashes::new();
        h.add(&keys(&[0, 1, 2], &["c", "a", "b"])).unwrap();
        assert!(h.candidates().is_empty());
        // Rows in any order (a retry of rows read earlier): matched to
        // their own hashes.
        let mut h = Hashes::new();
        h.add(&keys(&[0, 2, 3], &["a", "x", "y"])).unwrap();
        h.add(&keys(&[1], &["y"])).unwrap();
        assert_eq!(h.candidates(), vec![1, 3]);
    }

    #[test]
    fn colliding_hashes_are_candidates_and_the_exact_comparison_decides() {
        // A hash that collides for keys of the same length.
        let mut h = Hashes::with(|k| k.map_or(0, |k| k.len() as u64));
        let frame = keys(&[0, 1, 2, 3, 4], &["ab", "cd", "ab", "e", "xyz"]);
        h.add(&frame).unwrap();
        // Rows 0, 1 and 2 share a hash; only row 2 repeats a key.
        let c = h.candidates();
        assert_eq!(c, vec![0, 1, 2]);
        let again = keys(&c, &["ab", "cd", "ab"]);
        assert_eq!(duplicates(again).unwrap(), vec![2]);
    }
}
