//! Rounding, ranking and grading (docs/scheme.md section 8).

use crate::scheme::Grade;

/// Round to 2 decimals, half away from zero, on the decimal value: the
/// product with 100 is first snapped to 1e-6 so that 84.125 (stored as
/// 84.12499999999999) rounds to 84.13, as a person computing by hand would.
pub fn round2(x: f64) -> f64 {
    let y = ((x * 100.0) * 1e6).round() / 1e6;
    y.round() / 100.0
}

/// Integer hundredths of a rounded total, for exact comparison.
pub fn cents(x: f64) -> i64 {
    (round2(x) * 100.0).round() as i64
}

/// Competition ranks (1, 2, 2, 4) of `members` by their total in cents,
/// highest first; with `vetoed_last`, vetoed units come after all others.
pub fn ranks(totals: &[i64], vetoed: &[bool], vetoed_last: bool) -> Vec<usize> {
    ranked(totals, vetoed, vetoed_last).0
}

/// [`ranks`], and the members in rank order (tied members by position).
pub fn ranked(totals: &[i64], vetoed: &[bool], vetoed_last: bool) -> (Vec<usize>, Vec<usize>) {
    // Sorted as plain integers: (vetoed last) | (i64::MAX − total: the
    // highest total first, no overflow) | position. Members with the same
    // bits above the position tie.
    assert!(
        totals.len() <= u32::MAX as usize,
        "too many members to rank"
    );
    let mut keys: Vec<u128> = (0..totals.len())
        .map(|i| {
            let last = (vetoed_last && vetoed[i]) as u128;
            let behind = (i64::MAX as i128 - totals[i] as i128) as u128;
            last << 96 | behind << 32 | i as u128
        })
        .collect();
    keys.sort_unstable();
    let mut out = vec![0; totals.len()];
    let order: Vec<usize> = keys.iter().map(|k| (*k as u32) as usize).collect();
    for pos in 0..keys.len() {
        // A unit tied with the one before shares its rank; otherwise its
        // rank is 1 + the number of units before it (1, 2, 2, 4).
        out[order[pos]] = if pos > 0 && keys[pos - 1] >> 32 == keys[pos] >> 32 {
            out[order[pos - 1]]
        } else {
            pos + 1
        };
    }
    (out, order)
}

/// Grades for one peer group (indices into `grades`).
///
/// A unit gets the first grade whose `min` its total reaches; where a quota
/// (at most floor(quota × group size) units) would be exceeded, the
/// lowest-ranked units drop to the next grade, ties at the boundary
/// together. Vetoed units take their veto grade and use no quota. A total
/// below every `min` gets the last grade; the last grade's quota is not
/// enforced (there is nowhere to drop to).
pub fn grades(
    totals: &[f64],
    ranks: &[usize],
    veto_grade: &[Option<usize>],
    grades: &[Grade],
) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by_key(|&i| (ranks[i], i));
    grades_ranked(totals, (ranks, &order), veto_grade, grades)
}

/// [`grades`], given the members in rank order (tied members by
/// position), as [`ranked`] gives them.
pub fn grades_ranked(
    totals: &[f64],
    (ranks, order): (&[usize], &[usize]),
    veto_grade: &[Option<usize>],
    grades: &[Grade],
) -> Vec<Option<usize>> {
    let n = totals.len();
    let mut out: Vec<Option<usize>> = veto_grade.to_vec();
    if grades.is_empty() {
        return vec![None; n];
    }
    let mut open: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| veto_grade[i].is_none())
        .collect();
    for (g, grade) in grades.iter().enumerate() {
        let last = g + 1 == grades.len();
        let eligible: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| last || totals[i] >= grade.min - 1e-9)
            .collect();
        let cap = match grade.quota {
            Some(q) if !last => ((q * n as f64) + 1e-9).floor() as usize,
            _ => usize::MAX,
        };
        let mut taken = 0;
        let mut k = 0;
        while k < eligible.len() {
            // The block of units tied with eligible[k].
            let r = ranks[eligible[k]];
            let end = k + eligible[k..].iter().take_while(|&&i| ranks[i] == r).count();
            if taken + (end - k) > cap {
                break;
            }
            for &i in &eligible[k..end] {
                out[i] = Some(g);
            }
            taken += end - k;
            k = end;
        }
        open.retain(|&i| out[i].is_none());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(name: &str, min: f64, quota: Option<f64>) -> Grade {
        Grade {
            name: name.into(),
            min,
            quota,
            color: None,
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_decimals() {
        assert_eq!(round2(84.125), 84.13);
        assert_eq!(round2(84.124), 84.12);
        assert_eq!(round2(0.005), 0.01);
        assert_eq!(round2(-1.005), -1.01);
        assert_eq!(round2(1.0 / 3.0 * 100.0), 33.33);
    }

    #[test]
    fn competition_ranking_skips_after_ties() {
        // 90, 85, 85, 80 -> 1, 2, 2, 4
        let r = ranks(&[9000, 8500, 8500, 8000], &[false; 4], true);
        assert_eq!(r, vec![1, 2, 2, 4]);
    }

    #[test]
    fn vetoed_rank_last_or_keep() {
        // Unit 0 has the best total but is vetoed.
        let t = [9500, 9000, 8000];
        let v = [true, false, false];
        assert_eq!(ranks(&t, &v, true), vec![3, 1, 2]);
        assert_eq!(ranks(&t, &v, false), vec![1, 2, 3]);
    }

    #[test]
    fn quota_drops_lowest_ranked_and_ties_together() {
        let gs = [
            g("优秀", 90.0, Some(0.2)),
            g("良好", 80.0, None),
            g("合格", 60.0, None),
            g("不合格", 0.0, None),
        ];
        // 10 units, quota floor(0.2 × 10) = 2 优秀. Totals 98, 95, 93, 93, 91
        // all reach 90: ranks 1, 2, 3, 3, 5. Units ranked 1-2 fit; the tie
        // at rank 3 would make 4 > 2, so both drop, and so does rank 5.
        let totals = [98.0, 95.0, 93.0, 93.0, 91.0, 85.0, 70.0, 65.0, 50.0, 40.0];
        let cents: Vec<i64> = totals.iter().map(|t| cents(*t)).collect();
        let r = ranks(&cents, &[false; 10], true);
        let out = grades(&totals, &r, &[None; 10], &gs);
        let names: Vec<&str> = out.iter().map(|g| gs[g.unwrap()].name.as_str()).collect();
        assert_eq!(
            names,
            [
                "优秀",
                "优秀",
                "良好",
                "良好",
                "良好",
                "良好",
                "合格",
                "合格",
                "不合格",
                "不合格"
            ]
        );
    }

    #[test]
    fn tie_at_boundary_drops_together() {
        let gs = [g("A", 90.0, Some(0.5)), g("B", 0.0, None)];
        // 4 units, cap 2: 95, 92, 92, 91 -> rank 1 fits; the tie at rank 2
        // would make 3 > 2, so both 92s drop; 91 drops too.
        let totals = [95.0, 92.0, 92.0, 91.0];
        let r = ranks(&[9500, 9200, 9200, 9100], &[false; 4], true);
        let out = grades(&totals, &r, &[None; 4], &gs);
        assert_eq!(out, vec![Some(0), Some(1), Some(1), Some(1)]);
    }

    #[test]
    fn vetoed_units_use_no_quota_but_count_in_size() {
        let gs = [g("A", 90.0, Some(0.5)), g("B", 0.0, None)];
        // 4 units (size 4, cap 2); unit 0 vetoed to B. 96, 94 take A.
        let totals = [99.0, 96.0, 94.0, 93.0];
        let r = ranks(
            &[9900, 9600, 9400, 9300],
            &[true, false, false, false],
            true,
        );
        let out = grades(&totals, &r, &[Some(1), None, None, None], &gs);
        assert_eq!(out, vec![Some(1), Some(0), Some(0), Some(1)]);
    }

    /// The ranking by sort keys as first written: (vetoed last, −total),
    /// sorted by key, ties sharing the rank of the first.
    fn ranks_by_key(totals: &[i64], vetoed: &[bool], vetoed_last: bool) -> Vec<usize> {
        let key = |i: usize| (vetoed_last && vetoed[i], -(totals[i] as i128));
        let mut order: Vec<usize> = (0..totals.len()).collect();
        order.sort_by_key(|&i| key(i));
        let mut out = vec![0; totals.len()];
        for (pos, &i) in order.iter().enumerate() {
            out[i] = if pos > 0 && key(order[pos - 1]) == key(i) {
                out[order[pos - 1]]
            } else {
                pos + 1
            };
        }
        out
    }

    proptest::proptest! {
        /// The packed integer keys rank as the tuple keys do (extreme
        /// totals included), give the members in (rank, position) order,
        /// and grading in that order is grading by sorting.
        #[test]
        fn packed_ranking_is_the_tuple_ranking(
            members in proptest::collection::vec(
                (
                    proptest::prop_oneof![
                        4 => 9000i64..9010,
                        1 => proptest::prelude::Just(i64::MIN),
                        1 => proptest::prelude::Just(i64::MAX),
                    ],
                    proptest::prelude::any::<bool>(),
                ),
                0..40,
            ),
            vetoed_last in proptest::prelude::any::<bool>(),
        ) {
            let (totals, vetoed): (Vec<i64>, Vec<bool>) = members.into_iter().unzip();
            let (r, order) = ranked(&totals, &vetoed, vetoed_last);
            proptest::prop_assert_eq!(&r, &ranks_by_key(&totals, &vetoed, vetoed_last));
            let mut want: Vec<usize> = (0..totals.len()).collect();
            want.sort_by_key(|&i| (r[i], i));
            proptest::prop_assert_eq!(&order, &want);
            let gs = [g("A", 90.05, Some(0.3)), g("B", 90.02, None), g("C", 0.0, None)];
            let t: Vec<f64> = totals.iter().map(|&c| c as f64 / 100.0).collect();
            let vg: Vec<Option<usize>> = vetoed.iter().map(|&v| v.then_some(2)).collect();
            proptest::prop_assert_eq!(
                grades_ranked(&t, (&r, &order), &vg, &gs),
                grades(&t, &r, &vg, &gs)
            );
        }
    }
}
