//! Duplicate keys ("the later row is rejected"), compared exactly, for
//! the rows whose key hash another row shares ([`super::hashes`]). Keys
//! strictly increasing in row order are seen in one vectorised pass. Keys
//! increasing but for a few places (rows appended to an export, a second
//! export after a first) fall into a few increasing runs: a key of a
//! later run repeats one only if it is in an earlier run, found by binary
//! search. Anything else is sorted.

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::read::ROW;
use crate::data::records::KEY;

/// At most this many increasing runs are searched, with at most this many
/// lookups in all (a lookup is a binary search: ~1 µs); beyond, a sort.
const MAX_RUNS: usize = 64;
const MAX_LOOKUPS: usize = 2_000_000;

/// Rows whose key repeats an earlier row's key (ascending), given keys in
/// any order.
pub(super) fn duplicates(keys: DataFrame) -> PolarsResult<Vec<IdxSize>> {
    let rows = keys.column(ROW)?.idx()?;
    let k = keys.column(KEY)?.str()?;
    if increasing(rows) {
        if let Some(runs) = runs(k) {
            let lookups: usize = runs.iter().enumerate().map(|(j, r)| j * r.len()).sum();
            if lookups <= MAX_LOOKUPS {
                let at = Lookup::new(k);
                let mut out = Vec::new();
                for (j, run) in runs.iter().enumerate().skip(1) {
                    for i in run.clone() {
                        let key = at.get(i);
                        if runs[..j].iter().any(|r| at.contains(r.clone(), key)) {
                            out.push(rows.get(i).expect("row"));
                        }
                    }
                }
                return Ok(out);
            }
        }
    }
    let keys = keys.sort([ROW], SortMultipleOptions::default())?;
    let d = keys
        .lazy()
        .filter(col(KEY).is_first_distinct().not())
        .select([col(ROW)])
        .collect()?;
    Ok(d.column(ROW)?.idx()?.into_no_null_iter().collect())
}

/// The keys' strictly increasing runs (index ranges, in order), if there
/// are at most [`MAX_RUNS`] and no null.
fn runs(ca: &StringChunked) -> Option<Vec<std::ops::Range<usize>>> {
    if ca.null_count() > 0 {
        return None;
    }
    let mut starts = descents(ca)?;
    starts.insert(0, 0);
    let mut ends: Vec<usize> = starts[1..].to_vec();
    ends.push(ca.len());
    Some(starts.into_iter().zip(ends).map(|(s, e)| s..e).collect())
}

/// Positions i where a key is not greater than the one before it, if at
/// most [`MAX_RUNS`] - 1: chunk by chunk in parallel (a vectorised
/// comparison of each chunk with itself shifted by one, and across the
/// chunk boundaries); only a chunk with a descent is looked into.
fn descents(ca: &StringChunked) -> Option<Vec<usize>> {
    let slice = |o: usize, l: usize| ca.slice(o as i64, l);
    let found: Vec<Vec<usize>> = spans(ca)
        .into_par_iter()
        .map(|(start, n)| {
            let mut at = Vec::new();
            if start > 0 && n > 0 && !slice(start, 1).gt(&slice(start - 1, 1)).all() {
                at.push(start);
            }
            if n >= 2 {
                let gt = slice(start + 1, n - 1).gt(&slice(start, n - 1));
                if !gt.all() {
                    for (i, ok) in (start + 1..).zip(gt.iter()) {
                        if ok != Some(true) {
                            at.push(i);
                        }
                    }
                }
            }
            at
        })
        .collect();
    let all: Vec<usize> = found.into_iter().flatten().collect();
    (all.len() < MAX_RUNS).then_some(all)
}

/// (first index, length) of each chunk of a column.
fn spans<T: PolarsDataType>(ca: &ChunkedArray<T>) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for n in ca.chunk_lengths() {
        out.push((start, n));
        start += n;
    }
    out
}

/// Random access to a chunked column's values by index.
struct Lookup<'a> {
    starts: Vec<usize>,
    arrays: Vec<&'a <StringType as PolarsDataType>::Array>,
}

impl<'a> Lookup<'a> {
    fn new(ca: &'a StringChunked) -> Self {
        Lookup {
            starts: spans(ca).into_iter().map(|(start, _)| start).collect(),
            arrays: ca.downcast_iter().collect(),
        }
    }

    fn get(&self, i: usize) -> &'a str {
        let c = self.starts.partition_point(|&s| s <= i) - 1;
        self.arrays[c].value(i - self.starts[c])
    }

    /// Is `key` in the strictly increasing run `r`?
    fn contains(&self, r: std::ops::Range<usize>, key: &str) -> bool {
        let (mut lo, mut hi) = (r.start, r.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// Is every value greater than the one before it (nulls are not)? Chunk
/// by chunk in parallel, each compared with itself shifted by one
/// (zero-copy slices, a vectorised kernel), and across the chunk
/// boundaries; no rechunk, no copy of the keys.
pub(super) fn increasing<T>(ca: &ChunkedArray<T>) -> bool
where
    T: PolarsDataType,
    ChunkedArray<T>: for<'a> ChunkCompareIneq<&'a ChunkedArray<T>, Item = BooleanChunked>,
{
    if ca.null_count() > 0 {
        return false;
    }
    // Slices within one chunk are single-chunk views of it.
    let slice = |o: usize, l: usize| ca.slice(o as i64, l);
    spans(ca).into_par_iter().all(|(start, n)| {
        (start == 0 || n == 0 || slice(start, 1).gt(&slice(start - 1, 1)).all())
            && (n < 2 || slice(start + 1, n - 1).gt(&slice(start, n - 1)).all())
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Two chunks, as a sink gives them.
    fn chunked(a: &[&str], b: &[&str]) -> StringChunked {
        let mut ca = StringChunked::from_slice("k".into(), a);
        ca.append(&StringChunked::from_slice("k".into(), b))
            .unwrap();
        ca
    }

    #[test]
    fn increasing_checks_within_and_across_chunks() {
        assert!(increasing(&chunked(&["a", "b"], &["c", "d"])));
        assert_eq!(chunked(&["a", "b"], &["c", "d"]).chunks().len(), 2);
        // Equal neighbours are not increasing, within a chunk or across.
        assert!(!increasing(&chunked(&["a", "a"], &["c"])));
        assert!(!increasing(&chunked(&["a", "b"], &["b"])));
        // Decreasing only at the boundary.
        assert!(!increasing(&chunked(&["a", "c"], &["b", "d"])));
        // An empty chunk between two is skipped, its neighbours compared.
        let mut ca = chunked(&["a"], &[]);
        ca.append(&StringChunked::from_slice("k".into(), &["0"]))
            .unwrap();
        assert!(!increasing(&ca));
        // A null is not greater than anything.
        let n = StringChunked::from_slice_options("k".into(), &[Some("a"), None]);
        assert!(!increasing(&n));
        assert!(increasing(&StringChunked::from_slice(
            "k".into(),
            &[] as &[&str]
        )));
    }

    /// A keys sink's frame: [`ROW`], [`KEY`].
    pub(in crate::measure) fn keys(rows: &[IdxSize], k: &[&str]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new(ROW.into(), rows),
            Column::new(KEY.into(), k),
        ])
        .unwrap()
    }

    #[test]
    fn duplicates_are_later_rows_in_row_order_whatever_the_frame_order() {
        // Rows out of order, keys increasing in row order: none.
        assert!(
            duplicates(keys(&[2, 0, 1], &["c", "a", "b"]))
                .unwrap()
                .is_empty()
        );
        // Rows in order; row 2 repeats row 0's key, row 3 row 1's.
        assert_eq!(
            duplicates(keys(&[0, 1, 2, 3], &["b", "a", "b", "a"])).unwrap(),
            vec![2, 3]
        );
        // The earlier row in row order keeps its key, whatever the order
        // of the frame: row 1 is first with "x", row 4 repeats it.
        assert_eq!(
            duplicates(keys(&[4, 1, 3], &["x", "x", "y"])).unwrap(),
            vec![4]
        );
    }

    #[test]
    fn increasing_runs_find_repeats_of_any_earlier_run() {
        let frame = |k: StringChunked| {
            let rows: Vec<IdxSize> = (0..k.len() as IdxSize).collect();
            DataFrame::new_infer_height(vec![
                Column::new(ROW.into(), rows),
                k.into_series().with_name(KEY.into()).into_column(),
            ])
            .unwrap()
        };
        // Runs [a c e | b d | c d f]: row 5 repeats run 0's c, row 6 run
        // 1's d; b (row 3) and f (row 7) are new. The runs cross chunks.
        let k = chunked(&["a", "c", "e", "b"], &["d", "c", "d", "f"]);
        assert_eq!(runs(&k).unwrap().len(), 3);
        assert_eq!(duplicates(frame(k)).unwrap(), vec![5, 6]);
        // A repeat right after its first (a descent of equal keys).
        let k = chunked(&["a", "b"], &["b", "c"]);
        assert_eq!(duplicates(frame(k)).unwrap(), vec![2]);
        // More runs than are searched: the sort gives the same answer.
        let many: Vec<String> = (0..200)
            .map(|i| format!("{:03}", (199 - i) % 100))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let k = StringChunked::from_slice("k".into(), &refs);
        assert!(runs(&k).is_none());
        let d = duplicates(frame(k)).unwrap();
        // 100 distinct keys among 200 rows: the second 100 repeat.
        assert_eq!(d, (100..200).collect::<Vec<IdxSize>>());
    }
}
