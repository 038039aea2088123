//! The keys of a file's records as its windows are read, for the
//! duplicate check ("the later row is rejected"), kept small: a 64-bit
//! hash a record instead of its text.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::read::ROW;
use crate::data::records::KEY;

/// The keys of a file's valid records as its windows are read: a 64-bit
/// hash each (8 bytes a record, where the key's text held in a frame
/// costs 16 bytes and up, and a row number 4 more), with the rows as runs.
///
/// As the keys come, each key above the last one taken is taken (the
/// usual case for ticket numbers: every key), and the others are
/// *exceptions*. The keys taken are strictly increasing, so distinct: a
/// key that repeats is an exception at least once. So the candidates are
/// the rows that share their hash with an exception (none when there is
/// none), found by one look at every hash; where the exceptions are many
/// (keys not in order), every row whose hash another row shares, found
/// by sorting the hashes. The candidates' keys are then read again and
/// compared exactly ([`super::keys::duplicates`]), so a collision of two
/// hashes never makes a duplicate.
pub(super) struct Hashes {
    hash: fn(Option<&str>) -> u64,
    parts: Vec<HashPart>,
    /// The last key taken.
    last: Option<String>,
    /// The exceptions' hashes, while there are at most `few`.
    exceptions: Option<Vec<u64>>,
    few: usize,
}

struct HashPart {
    hashes: Vec<u64>,
    /// (first row, number of rows) of consecutive rows, in the order of
    /// `hashes`.
    rows: Vec<(IdxSize, IdxSize)>,
}

impl HashPart {
    /// (row, hash) of every record of the part.
    fn records(&self) -> impl Iterator<Item = (IdxSize, u64)> + '_ {
        let rows = self.rows.iter().flat_map(|&(first, n)| first..first + n);
        rows.zip(self.hashes.iter().copied())
    }
}

/// The hashes behind a sink's lock.
pub(super) fn lock(hashes: &Mutex<Hashes>) -> PolarsResult<MutexGuard<'_, Hashes>> {
    hashes
        .lock()
        .map_err(|_| polars_err!(ComputeError: "the key hashes' lock was poisoned"))
}

/// More exceptions than this and the hashes are sorted instead.
const FEW: usize = 4096;

impl Hashes {
    pub(super) fn new() -> Hashes {
        Hashes::with(|k| PlFixedStateQuality::default().hash_one(k), FEW)
    }

    /// With another hash function (tests: one that collides) and bound
    /// on the exceptions.
    fn with(hash: fn(Option<&str>) -> u64, few: usize) -> Hashes {
        Hashes {
            hash,
            parts: Vec::new(),
            last: None,
            exceptions: Some(Vec::new()),
            few,
        }
    }

    /// `keys` ([`ROW`], [`KEY`]) as a sink that adds them to `hashes`
    /// batch by batch, serially and in row order (`maintain_order`), as
    /// the exceptions need: the hashing overlaps the rest of the query,
    /// and no batch outlives its call.
    pub(super) fn sink(hashes: &Arc<Mutex<Hashes>>, keys: LazyFrame) -> PolarsResult<LazyFrame> {
        let hashes = Arc::clone(hashes);
        let add = PlanCallback::new(move |batch: DataFrame| {
            lock(&hashes)?.add(&batch)?;
            Ok(false)
        });
        keys.sink_batches(add, true, None)
    }

    /// Add a batch of a query's keys ([`ROW`], [`KEY`]); batches come in
    /// row order (the keys sink calls this as the rows stream past).
    pub(super) fn add(&mut self, keys: &DataFrame) -> PolarsResult<()> {
        let rows = keys.column(ROW)?.idx()?;
        let k = keys.column(KEY)?.str()?;
        if keys.height() == 0 {
            return Ok(());
        }
        let hashes: Vec<u64> = k.iter().map(|v| (self.hash)(v)).collect();
        if let Some(ex) = self.exceptions.as_mut() {
            let mut last = self.last.as_deref();
            let mut moved = false;
            for (v, &h) in k.iter().zip(&hashes) {
                match (v, last) {
                    (Some(v), Some(l)) if v <= l => ex.push(h),
                    (Some(v), _) => {
                        last = Some(v);
                        moved = true;
                    }
                    (None, _) => ex.push(h),
                }
            }
            if moved {
                self.last = last.map(str::to_string);
            }
            if ex.len() > self.few {
                self.exceptions = None;
                self.last = None;
            }
        }
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

    /// How many batches with keys were added (each is a part).
    pub(super) fn batches(&self) -> usize {
        self.parts.len()
    }

    /// The rows whose key may repeat another's (ascending): those that
    /// share their hash with an exception, or, where the exceptions were
    /// many, with any other row.
    pub(super) fn candidates(mut self) -> Vec<IdxSize> {
        let Some(mut ex) = self.exceptions.take() else {
            return self.shared();
        };
        if ex.is_empty() {
            return Vec::new();
        }
        ex.sort_unstable();
        ex.dedup();
        let mut hits: Vec<(u64, IdxSize)> = self
            .parts
            .iter()
            .flat_map(HashPart::records)
            .filter(|(_, h)| ex.binary_search(h).is_ok())
            .map(|(r, h)| (h, r))
            .collect();
        hits.sort_unstable();
        // A hash that one row alone has is no candidate's.
        let mut out: Vec<IdxSize> = hits
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|g| g.len() > 1)
            .flat_map(|g| g.iter().map(|x| x.1))
            .collect();
        out.sort_unstable();
        out
    }

    /// Every row whose hash another row shares (ascending).
    fn shared(self) -> Vec<IdxSize> {
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
        if shared.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<IdxSize> = self
            .parts
            .iter()
            .flat_map(HashPart::records)
            .filter(|(_, h)| shared.binary_search(h).is_ok())
            .map(|(r, _)| r)
            .collect();
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
        let mut h = Hashes::with(|k| k.map_or(0, |k| k.len() as u64), FEW);
        let frame = keys(&[0, 1, 2, 3, 4], &["ab", "cd", "ab", "e", "xyz"]);
        h.add(&frame).unwrap();
        // Rows 0, 1 and 2 share a hash; only row 2 repeats a key.
        let c = h.candidates();
        assert_eq!(c, vec![0, 1, 2]);
        let again = keys(&c, &["ab", "cd", "ab"]);
        assert_eq!(duplicates(again).unwrap(), vec![2]);
    }

    #[test]
    fn only_rows_that_share_an_exceptions_hash_are_candidates() {
        // "a" "c" "d" taken, "b" (row 3) and "c" (row 5) not above the
        // last taken: exceptions. "c" is also row 1's: rows 1 and 5 are
        // candidates; "b" is no other row's: not a candidate.
        let mut h = Hashes::new();
        h.add(&keys(&[0, 1, 2], &["a", "c", "d"])).unwrap();
        h.add(&keys(&[3, 4, 5], &["b", "e", "c"])).unwrap();
        assert_eq!(h.candidates(), vec![1, 5]);
        // A key far above the rest, first: every other row an exception,
        // so many (more than 2 here) that the hashes are sorted: the
        // rows of the repeated "a" only.
        let mut h = Hashes::with(|k| PlFixedStateQuality::default().hash_one(k), 2);
        h.add(&keys(&[0, 1, 2, 3, 4], &["z", "a", "b", "a", "c"]))
            .unwrap();
        assert!(h.exceptions.is_none());
        assert_eq!(h.candidates(), vec![1, 3]);
        // The same with room for the exceptions: the same candidates.
        let mut h = Hashes::new();
        h.add(&keys(&[0, 1, 2, 3, 4], &["z", "a", "b", "a", "c"]))
            .unwrap();
        assert_eq!(h.candidates(), vec![1, 3]);
    }
}
