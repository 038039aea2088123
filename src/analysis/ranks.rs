//! Each unit's rank distribution and grade probabilities over the Monte
//! Carlo draws (uncertainty.csv): mean, median, 5th and 95th percentile
//! rank, per grade the share of draws.

use rayon::prelude::*;

/// Ranks and grades of every unit under one draw's assumptions.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ranks: Vec<u32>,
    pub grades: Vec<Option<u16>>,
}

/// One unit's rank distribution and grade probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitUncertainty {
    pub nominal_rank: u32,
    pub mean_rank: f64,
    pub median_rank: f64,
    pub p5_rank: f64,
    pub p95_rank: f64,
    /// Probability of each grade (scheme order).
    pub grade_probability: Vec<f64>,
    pub nominal_grade: Option<usize>,
    /// Probability of the nominal grade is at least the threshold.
    pub stable: bool,
}

/// Percentile by linear interpolation between order statistics (the
/// default of R and numpy, type 7), on sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    percentile_by(sorted.len(), p, |j| sorted[j])
}

/// [`percentile`] of `len` sorted values, the j-th given by `at(j)`.
fn percentile_by(len: usize, p: f64, at: impl Fn(usize) -> f64) -> f64 {
    if len == 0 {
        return f64::NAN;
    }
    let h = (len - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    at(lo) + (h - lo as f64) * (at(hi) - at(lo))
}

/// The j-th smallest (from 0) of the values counted in `counts` (value r
/// counted `counts[r]` times).
fn order_statistic(counts: &[u32], j: usize) -> f64 {
    let mut seen = 0;
    for (r, &c) in counts.iter().enumerate() {
        seen += c as usize;
        if seen > j {
            return r as f64;
        }
    }
    f64::NAN
}

/// Units summarised together: their rank counts (units × (largest rank +
/// 1)) stay small, and each draw's ranks of them are read as one run.
const CHUNK: usize = 64;

/// Each unit's rank distribution and grade probabilities over `outcomes`,
/// from per-unit counts of each rank (a rank is at most `max_rank`): the
/// same order statistics as sorting each unit's ranks, without the sort.
pub(super) fn summarise(
    outcomes: &[Outcome],
    nominal: &Outcome,
    (max_rank, n_grades): (usize, usize),
    threshold: f64,
) -> Vec<UnitUncertainty> {
    let draws = outcomes.len();
    let n_units = nominal.ranks.len();
    let starts: Vec<usize> = (0..n_units).step_by(CHUNK).collect();
    let chunks: Vec<Vec<UnitUncertainty>> = crate::pool().install(|| {
        starts
            .par_iter()
            .map(|&from| {
                let to = (from + CHUNK).min(n_units);
                let width = max_rank + 1;
                let mut ranks = vec![0u32; (to - from) * width];
                let mut grades = vec![0usize; (to - from) * n_grades];
                for o in outcomes {
                    for (k, &r) in o.ranks[from..to].iter().enumerate() {
                        ranks[k * width + r as usize] += 1;
                    }
                    for (k, g) in o.grades[from..to].iter().enumerate() {
                        if let Some(g) = g {
                            grades[k * n_grades + *g as usize] += 1;
                        }
                    }
                }
                (from..to)
                    .map(|u| {
                        let k = u - from;
                        let counts = &ranks[k * width..(k + 1) * width];
                        let at = |j| order_statistic(counts, j);
                        let sum: u64 = counts
                            .iter()
                            .enumerate()
                            .map(|(r, &c)| r as u64 * c as u64)
                            .sum();
                        let prob: Vec<f64> = grades[k * n_grades..(k + 1) * n_grades]
                            .iter()
                            .map(|&c| c as f64 / draws.max(1) as f64)
                            .collect();
                        let nominal_grade = nominal.grades[u].map(|g| g as usize);
                        UnitUncertainty {
                            nominal_rank: nominal.ranks[u],
                            mean_rank: sum as f64 / draws.max(1) as f64,
                            median_rank: percentile_by(draws, 0.5, at),
                            p5_rank: percentile_by(draws, 0.05, at),
                            p95_rank: percentile_by(draws, 0.95, at),
                            stable: nominal_grade.is_none_or(|g| prob[g] >= threshold),
                            grade_probability: prob,
                            nominal_grade,
                        }
                    })
                    .collect()
            })
            .collect()
    });
    chunks.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [5, 50, 95]) = [1.15, 2.5, 3.85]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&v, 0.05) - 1.15).abs() < 1e-12);
        assert_eq!(percentile(&v, 0.5), 2.5);
        assert!((percentile(&v, 0.95) - 3.85).abs() < 1e-12);
    }

    #[test]
    fn summaries_from_rank_counts_are_those_of_the_sorted_ranks() {
        // 3 units, 7 draws with ranks in 1..=3 and grades in 0..2; the
        // old way (sort each unit's ranks, sum them, take percentiles)
        // gives the reference. Unit 0: ranks 3,1,2,2,3,1,1 -> sorted
        // 1,1,1,2,2,3,3: mean 13/7, median 2, p5 at h = 0.3 -> 1,
        // p95 at h = 5.7 -> 3.
        let ranks = [
            [3, 2, 1],
            [1, 3, 2],
            [2, 1, 3],
            [2, 3, 1],
            [3, 1, 2],
            [1, 2, 3],
            [1, 3, 2],
        ];
        let grades = [Some(0), None, Some(1)];
        let outcomes: Vec<Outcome> = ranks
            .iter()
            .map(|r| Outcome {
                ranks: r.to_vec(),
                grades: grades
                    .iter()
                    .map(|g| g.map(|g: u16| (g + r[0] as u16) % 2))
                    .collect(),
            })
            .collect();
        let nominal = outcomes[0].clone();
        let got = summarise(&outcomes, &nominal, (3, 2), 0.5);
        assert_eq!(got[0].mean_rank, 13.0 / 7.0);
        assert_eq!(
            (got[0].median_rank, got[0].p5_rank, got[0].p95_rank),
            (2.0, 1.0, 3.0)
        );
        for (u, s) in got.iter().enumerate() {
            let mut r: Vec<f64> = outcomes.iter().map(|o| o.ranks[u] as f64).collect();
            r.sort_by(f64::total_cmp);
            assert_eq!(s.mean_rank, r.iter().sum::<f64>() / 7.0);
            assert_eq!(s.median_rank, percentile(&r, 0.5));
            assert_eq!(s.p5_rank, percentile(&r, 0.05));
            assert_eq!(s.p95_rank, percentile(&r, 0.95));
            let mut counts = [0; 2];
            for o in &outcomes {
                if let Some(g) = o.grades[u] {
                    counts[g as usize] += 1;
                }
            }
            let prob: Vec<f64> = counts.iter().map(|&c| c as f64 / 7.0).collect();
            assert_eq!(s.grade_probability, prob);
        }
        // Unit 1 has no grade in any draw; its probabilities are 0.
        assert_eq!(got[1].grade_probability, vec![0.0, 0.0]);
    }
}
