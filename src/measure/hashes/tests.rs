//! The key hashes' candidates against the exact comparison.

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
    // repeat of "b" (row 6) falls in the first window, which kept only
    // "a" and "c" (rows 0 and 3): between them, row 1, and row 6 are
    // candidates.
    let mut h = Hashes::new();
    h.add(&keys(&[0, 1, 3], &["a", "b", "c"])).unwrap();
    h.add(&keys(&[6, 7], &["b", "z"])).unwrap();
    assert_eq!(h.candidates(), vec![1, 6]);
    // Keys unordered but distinct: no shared hash, no candidate.
    let mut h = Hashes::new();
    h.add(&keys(&[0, 1, 2], &["c", "a", "b"])).unwrap();
    assert!(h.candidates().is_empty());
    // Rows in any order (a retry of rows read earlier): row 1's "y"
    // is the last key kept of the batch before (row 3).
    let mut h = Hashes::new();
    h.add(&keys(&[0, 2, 3], &["a", "x", "y"])).unwrap();
    h.add(&keys(&[1], &["y"])).unwrap();
    assert_eq!(h.candidates(), vec![1, 3]);
    // With an exception in the first batch it keeps its hashes, and
    // the candidates are the rows that share the exception's hash.
    let mut h = Hashes::new();
    h.add(&keys(&[0, 2, 3, 4], &["a", "x", "y", "b"])).unwrap();
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
    // candidates; "b" is no other row's: not a candidate. (One batch:
    // with exceptions, it keeps its hashes.)
    let mut h = Hashes::new();
    h.add(&keys(&[0, 1, 2, 3, 4, 5], &["a", "c", "d", "b", "e", "c"]))
        .unwrap();
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

#[test]
fn keys_in_order_keep_no_hashes_and_a_later_repeat_finds_its_batch() {
    // Two batches in order keep no hashes: only their first and last
    // keys (here every key but "b").
    let mut h = Hashes::new();
    h.add(&keys(&[0, 1, 2], &["a", "b", "c"])).unwrap();
    h.add(&keys(&[3, 4], &["d", "e"])).unwrap();
    assert!(h.parts.is_empty());
    assert_eq!(h.dropped.len(), 2);
    // "b" again (row 6) is an exception inside the first batch, between
    // its kept keys "a" and "c" (rows 0 and 2): row 1 and row 6 are
    // candidates. "f" (row 5) is taken, and its batch, with an
    // exception, keeps its hashes.
    h.add(&keys(&[5, 6], &["f", "b"])).unwrap();
    assert_eq!(h.parts.len(), 1);
    let c = h.candidates();
    assert_eq!(c, vec![1, 6]);
    assert_eq!(duplicates(keys(&c, &["b", "b"])).unwrap(), vec![6]);
}

#[test]
fn many_exceptions_after_dropped_batches_look_every_key_up() {
    // Room for 2 exceptions. Batches 0 (a b) and 1 (c d) are dropped;
    // batch 2 (z a b y c, rows 4-8) has 4 exceptions: the hashes are
    // sorted from then on, and every later key is looked up too.
    let mut h = Hashes::with(|k| PlFixedStateQuality::default().hash_one(k), 2);
    h.add(&keys(&[0, 1], &["a", "b"])).unwrap();
    h.add(&keys(&[2, 3], &["c", "d"])).unwrap();
    h.add(&keys(&[4, 5, 6, 7, 8], &["z", "a", "b", "y", "c"]))
        .unwrap();
    assert!(h.exceptions.is_none());
    h.add(&keys(&[9], &["a"])).unwrap();
    // Looked up: rows 5 (a), 6 (b), 8 (c) and 9 (a) equal the kept keys
    // of rows 0, 1, 2 and 0; "y" is above every batch. Rows 5 and 9 also
    // share a hash.
    let c = h.candidates();
    assert_eq!(c, vec![0, 1, 2, 5, 6, 8, 9]);
    let text = ["a", "b", "c", "a", "b", "c", "a"];
    // a: rows 0, 5, 9; b: 1, 6; c: 2, 8. The later ones repeat.
    assert_eq!(duplicates(keys(&c, &text)).unwrap(), vec![5, 6, 8, 9]);
}

proptest::proptest! {
    /// Whatever the keys' order, batches, room for exceptions and stride,
    /// the candidates' exact comparison finds exactly the rows whose key
    /// an earlier row has.
    #[test]
    fn candidates_hold_every_repeat(
        base in proptest::collection::vec(0u16..400, 1..200),
        shape in 0u8..3,
        extra in proptest::collection::vec((0u16..400, 0usize..200), 0..6),
        cuts in proptest::collection::vec(1usize..40, 1..20),
        few in 0usize..6,
        stride in 1usize..5,
    ) {
        // Any order; in order with repeats; or distinct and in order with
        // a few keys put in anywhere (a file of tickets with a few rows
        // out of place).
        let mut k = base;
        if shape > 0 {
            k.sort_unstable();
        }
        if shape == 2 {
            k.dedup();
            for (v, at) in extra {
                k.insert(at.min(k.len()), v);
            }
        }
        let text: Vec<String> = k.iter().map(|v| format!("k{v:03}")).collect();
        let mut h = Hashes::with(|k| PlFixedStateQuality::default().hash_one(k), few);
        h.stride = stride;
        let (mut at, mut cut) = (0usize, cuts.iter().cycle());
        while at < text.len() {
            let end = (at + cut.next().unwrap()).min(text.len());
            let rows: Vec<IdxSize> = (at as IdxSize..end as IdxSize).collect();
            let t: Vec<&str> = text[at..end].iter().map(String::as_str).collect();
            h.add(&keys(&rows, &t)).unwrap();
            at = end;
        }
        let c = h.candidates();
        let t: Vec<&str> = c.iter().map(|&r| text[r as usize].as_str()).collect();
        let got = if c.is_empty() { Vec::new() } else { duplicates(keys(&c, &t)).unwrap() };
        let mut seen = std::collections::HashSet::new();
        let want: Vec<IdxSize> = (0..text.len())
            .filter(|&i| !seen.insert(&text[i]))
            .map(|i| i as IdxSize)
            .collect();
        proptest::prop_assert_eq!(got, want);
    }
}
