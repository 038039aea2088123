//! Duplicate keys ("the later row is rejected"): keys strictly
//! increasing in row order, the usual case for ticket numbers, are seen in
//! one vectorised pass; otherwise a sort finds the repeats.

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::read::ROW;
use crate::data::records::KEY;

/// Rows whose key repeats an earlier row's key, given keys in any order.
/// The usual case, rows in order (as the sink gives them) with strictly
/// increasing keys, is seen in one vectorised pass, without a sort.
pub(super) fn duplicates(keys: DataFrame) -> PolarsResult<Vec<IdxSize>> {
    if increasing(keys.column(ROW)?.idx()?) && increasing(keys.column(KEY)?.str()?) {
        return Ok(Vec::new());
    }
    let keys = keys.sort([ROW], SortMultipleOptions::default())?;
    let d = keys
        .lazy()
        .filter(col(KEY).is_first_distinct().not())
        .select([col(ROW)])
        .collect()?;
    Ok(d.column(ROW)?.idx()?.into_no_null_iter().collect())
}

/// Is every value greater than the one before it (nulls are not)? Chunk
/// by chunk in parallel, each compared with itself shifted by one
/// (zero-copy slices, a vectorised kernel), and across the chunk
/// boundaries; no rechunk, no copy of the keys.
fn increasing<T>(ca: &ChunkedArray<T>) -> bool
where
    T: PolarsDataType,
    ChunkedArray<T>: for<'a> ChunkCompareIneq<&'a ChunkedArray<T>, Item = BooleanChunked>,
{
    if ca.null_count() > 0 {
        return false;
    }
    // Slices within one chunk are single-chunk views of it.
    let slice = |o: usize, l: usize| ca.slice(o as i64, l);
    let mut spans = Vec::new();
    let mut start = 0;
    for n in ca.chunk_lengths() {
        spans.push((start, n));
        start += n;
    }
    spans.into_par_iter().all(|(start, n)| {
        (start == 0 || n == 0 || slice(start, 1).gt(&slice(start - 1, 1)).all())
            && (n < 2 || slice(start + 1, n - 1).gt(&slice(start, n - 1)).all())
    })
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn duplicates_are_later_rows_in_row_order_whatever_the_frame_order() {
        let keys = |rows: &[IdxSize], k: &[&str]| {
            DataFrame::new_infer_height(vec![
                Column::new(ROW.into(), rows),
                Column::new(KEY.into(), k),
            ])
            .unwrap()
        };
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
}
