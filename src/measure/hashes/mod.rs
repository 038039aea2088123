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
/// costs 16 bytes and up, and a row number 4 more), with the rows as runs;
/// and for a batch whose keys were all taken, not even that.
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
///
/// A batch whose keys are all taken keeps no hashes: only every
/// [`STRIDE`]th key and its last ([`Dropped`]), so that keys in order
/// cost a fraction of a byte a record. Its keys are distinct from each
/// other and from every key before them; a key that repeats one of them
/// comes later and is an exception (or, once the exceptions are many, any
/// key), and each such key is looked up among the dropped batches as it
/// comes: the row of the kept key it equals, or the rows between the two
/// kept keys around it (fewer than [`STRIDE`]), become candidates with
/// the key's own row.
pub(super) struct Hashes {
    hash: fn(Option<&str>) -> u64,
    parts: Vec<HashPart>,
    /// The last key taken.
    last: Option<String>,
    /// The exceptions' hashes, while there are at most `few`.
    exceptions: Option<Vec<u64>>,
    few: usize,
    /// The batches that kept no hashes, in the order added (their ranges
    /// increasing and disjoint).
    dropped: Vec<Dropped>,
    /// Rows found by looking keys up among the dropped batches.
    found: Vec<IdxSize>,
    stride: usize,
}

/// A batch of keys all taken (strictly increasing): the keys at
/// positions 0, stride, 2 stride, ... and at its last position, and its
/// rows.
struct Dropped {
    marks: Vec<String>,
    len: usize,
    rows: Vec<(IdxSize, IdxSize)>,
}

/// One key in this many of a dropped batch is kept.
const STRIDE: usize = 128;

impl Dropped {
    fn new(keys: &StringChunked, rows: Vec<(IdxSize, IdxSize)>, stride: usize) -> Dropped {
        let len = keys.len();
        let mut at: Vec<usize> = (0..len).step_by(stride).collect();
        if at.last() != Some(&(len - 1)) {
            at.push(len - 1);
        }
        let marks = at
            .iter()
            .map(|&i| keys.get(i).unwrap_or_default().to_string())
            .collect();
        Dropped { marks, len, rows }
    }

    /// The position of mark `j`.
    fn at(&self, j: usize, stride: usize) -> usize {
        (j * stride).min(self.len - 1)
    }

    /// The positions whose key may equal `key` (within the batch's range).
    fn positions(&self, key: &str, stride: usize) -> std::ops::Range<usize> {
        let j = self.marks.partition_point(|m| m.as_str() < key);
        if self.marks.get(j).is_some_and(|m| m == key) {
            let p = self.at(j, stride);
            return p..p + 1;
        }
        // marks[j - 1] < key < marks[j].
        self.at(j - 1, stride) + 1..self.at(j, stride)
    }

    /// The row at a position.
    fn row(&self, mut p: usize) -> IdxSize {
        for &(first, n) in &self.rows {
            if p < n as usize {
                return first + p as IdxSize;
            }
            p -= n as usize;
        }
        IdxSize::MAX
    }
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
            dropped: Vec::new(),
            found: Vec::new(),
            stride: STRIDE,
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
        let mut runs: Vec<(IdxSize, IdxSize)> = Vec::new();
        for r in rows.iter() {
            let r = r.unwrap_or(IdxSize::MAX);
            match runs.last_mut() {
                Some((first, n)) if *first + *n == r => *n += 1,
                _ => runs.push((r, 1)),
            }
        }
        let hash = self.hash;
        if let Some(ex) = self.exceptions.as_mut() {
            let mut last = self.last.as_deref();
            let (mut moved, mut taken_all) = (false, true);
            let mut odd: Vec<(Option<IdxSize>, &str)> = Vec::new();
            for (v, r) in k.iter().zip(rows.iter()) {
                match (v, last) {
                    (Some(v), Some(l)) if v <= l => {
                        ex.push(hash(Some(v)));
                        odd.push((r, v));
                        taken_all = false;
                    }
                    (Some(v), _) => {
                        last = Some(v);
                        moved = true;
                    }
                    (None, _) => {
                        ex.push(hash(None));
                        taken_all = false;
                    }
                }
            }
            if moved {
                self.last = last.map(str::to_string);
            }
            if ex.len() > self.few {
                self.exceptions = None;
                self.last = None;
            }
            for (r, v) in odd {
                self.look_up(r, v);
            }
            if taken_all && self.exceptions.is_some() {
                self.dropped.push(Dropped::new(k, runs, self.stride));
                return Ok(());
            }
        } else if !self.dropped.is_empty() {
            for (v, r) in k.iter().zip(rows.iter()) {
                if let Some(v) = v {
                    self.look_up(r, v);
                }
            }
        }
        let hashes: Vec<u64> = k.iter().map(hash).collect();
        self.parts.push(HashPart { hashes, rows: runs });
        Ok(())
    }

    /// A key that may repeat a dropped batch's: the rows whose key it may
    /// equal, and its own, become candidates.
    fn look_up(&mut self, row: Option<IdxSize>, key: &str) {
        let (Some(first), Some(last)) = (self.dropped.first(), self.dropped.last()) else {
            return;
        };
        if key < first.marks[0].as_str() || key > last.marks[last.marks.len() - 1].as_str() {
            return;
        }
        let i = self
            .dropped
            .partition_point(|d| d.marks[d.marks.len() - 1].as_str() < key);
        let Some(d) = self.dropped.get(i).filter(|d| d.marks[0].as_str() <= key) else {
            return;
        };
        let rows: Vec<IdxSize> = d.positions(key, self.stride).map(|p| d.row(p)).collect();
        if !rows.is_empty() {
            self.found.extend(rows);
            self.found.push(row.unwrap_or(IdxSize::MAX));
        }
    }

    /// How many batches with keys were added (each is a part, or
    /// dropped).
    pub(super) fn batches(&self) -> usize {
        self.parts.len() + self.dropped.len()
    }

    /// The rows whose key may repeat another's (ascending): those that
    /// share their hash with an exception, or, where the exceptions were
    /// many, with any other row.
    pub(super) fn candidates(mut self) -> Vec<IdxSize> {
        let mut out = match self.exceptions.take() {
            None => self.shared(),
            Some(ex) => self.sharing(ex),
        };
        out.append(&mut self.found);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The rows of the parts that share their hash with an exception (and
    /// with another row).
    fn sharing(&self, mut ex: Vec<u64>) -> Vec<IdxSize> {
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
        hits.chunk_by(|a, b| a.0 == b.0)
            .filter(|g| g.len() > 1)
            .flat_map(|g| g.iter().map(|x| x.1))
            .collect()
    }

    /// Every row whose hash another row shares (ascending).
    fn shared(&self) -> Vec<IdxSize> {
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
mod tests;
