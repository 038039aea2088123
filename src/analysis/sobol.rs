//! Variance-based sensitivity indices: first-order (Saltelli 2010) and
//! total effect (Jansen 1999) estimators, with bootstrap confidence
//! intervals.
//!
//! Sampling: two independent n × k matrices A and B of uniforms, and for
//! each factor i the matrix A_B^i (A with column i taken from B): n(k + 2)
//! model runs. With f_A, f_B, f_AB^i the outputs and V the variance of
//! f_A ∪ f_B:
//!   S_i  = mean(f_B (f_AB^i − f_A)) / V
//!   ST_i = mean((f_A − f_AB^i)^2) / (2V)
//! Intervals: percentile bootstrap over the n sample rows (seeded).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::ranks::percentile;
use super::uncertainty::{Assumptions, FACTORS, Model};

/// One factor's indices and 95% intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub first: f64,
    pub first_ci: (f64, f64),
    pub total: f64,
    pub total_ci: (f64, f64),
}

fn indices(fa: &[f64], fb: &[f64], fab: &[Vec<f64>], rows: &[usize]) -> Vec<(f64, f64)> {
    let n = rows.len() as f64;
    let all: Vec<f64> = rows.iter().flat_map(|&j| [fa[j], fb[j]]).collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let var = all.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / all.len() as f64;
    fab.iter()
        .map(|fi| {
            let v = rows.iter().map(|&j| fb[j] * (fi[j] - fa[j])).sum::<f64>() / n;
            let vt = rows.iter().map(|&j| (fa[j] - fi[j]).powi(2)).sum::<f64>() / (2.0 * n);
            if var > 0.0 {
                (v / var, vt / var)
            } else {
                (0.0, 0.0)
            }
        })
        .collect()
}

/// Estimate the indices of `f` over k uniform factors with n base samples
/// and `bootstrap` resamples.
pub fn estimate<F>(k: usize, n: usize, seed: u64, bootstrap: usize, f: F) -> Vec<Index>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| (0..k).map(|_| rng.random::<f64>()).collect())
            .collect()
    };
    let a = draw();
    let b = draw();
    let run = |rows: &[Vec<f64>]| -> Vec<f64> {
        crate::pool().install(|| rows.par_iter().map(|x| f(x)).collect())
    };
    let fa = run(&a);
    let fb = run(&b);
    let fab: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            let ab: Vec<Vec<f64>> = a
                .iter()
                .zip(&b)
                .map(|(ra, rb)| {
                    let mut r = ra.clone();
                    r[i] = rb[i];
                    r
                })
                .collect();
            run(&ab)
        })
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let point = indices(&fa, &fb, &fab, &all);
    let mut boot_rng = ChaCha8Rng::seed_from_u64(seed ^ 0xB007_57A9);
    let samples: Vec<Vec<usize>> = (0..bootstrap)
        .map(|_| (0..n).map(|_| boot_rng.random_range(0..n)).collect())
        .collect();
    let boots: Vec<Vec<(f64, f64)>> = crate::pool().install(|| {
        samples
            .par_iter()
            .map(|rows| indices(&fa, &fb, &fab, rows))
            .collect()
    });
    (0..k)
        .map(|i| {
            let mut s: Vec<f64> = boots.iter().map(|b| b[i].0).collect();
            let mut t: Vec<f64> = boots.iter().map(|b| b[i].1).collect();
            s.sort_by(f64::total_cmp);
            t.sort_by(f64::total_cmp);
            Index {
                first: point[i].0,
                first_ci: (percentile(&s, 0.025), percentile(&s, 0.975)),
                total: point[i].1,
                total_ci: (percentile(&t, 0.025), percentile(&t, 0.975)),
            }
        })
        .collect()
}

/// The output the assumptions are judged by: the mean absolute shift of
/// the units' ranks from their nominal ranks.
pub fn mean_rank_shift(nominal: &[u32], ranks: &[u32]) -> f64 {
    if ranks.is_empty() {
        return 0.0;
    }
    nominal
        .iter()
        .zip(ranks)
        .map(|(a, b)| (*a as f64 - *b as f64).abs())
        .sum::<f64>()
        / ranks.len() as f64
}

/// Indices of each varied assumption on the mean absolute rank shift.
pub fn assumptions(
    model: &Model,
    a: &Assumptions,
    n: usize,
    seed: u64,
    bootstrap: usize,
) -> Vec<(&'static str, Index)> {
    let factors = a.factors();
    let nominal = model.outcome(model.nominal()).ranks;
    let est = estimate(factors.len(), n, seed, bootstrap, |x| {
        let mut u = [0.5; 4];
        for (k, &f) in factors.iter().enumerate() {
            u[f] = x[k];
        }
        mean_rank_shift(&nominal, &model.draw(a, u).ranks)
    });
    factors.iter().map(|&f| FACTORS[f]).zip(est).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_indices_match_the_analytical_values() {
        // Analytical (Ishigami and Homma 1990), a = 7, b = 0.1:
        // V1 = (1 + b π^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 π^8 (1/18 − 1/50),
        // V = V1 + V2 + V13; S = (V1, V2, 0) / V; ST = (V1 + V13, V2, V13) / V,
        // i.e. S ≈ (0.3139, 0.4424, 0), ST ≈ (0.5576, 0.4424, 0.2437).
        let (a, b) = (7.0f64, 0.1f64);
        let v1 = (1.0 + b * PI.powi(4) / 5.0).powi(2) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let s = [v1 / v, v2 / v, 0.0];
        let st = [(v1 + v13) / v, v2 / v, v13 / v];
        let est = estimate(3, 1 << 14, 42, 200, ishigami);
        for i in 0..3 {
            assert!(
                (est[i].first - s[i]).abs() < 0.03,
                "S{} = {} vs {}",
                i + 1,
                est[i].first,
                s[i]
            );
            assert!(
                (est[i].total - st[i]).abs() < 0.03,
                "ST{} = {} vs {}",
                i + 1,
                est[i].total,
                st[i]
            );
            let (lo, hi) = est[i].total_ci;
            assert!(lo <= est[i].total && est[i].total <= hi && hi - lo < 0.1);
        }
    }

    #[test]
    fn sobol_g_indices_match_the_analytical_values() {
        // g(x) = Π (|4 x_i − 2| + a_i) / (1 + a_i); V_i = 1 / (3 (1 + a_i)^2),
        // V = Π (1 + V_i) − 1, S_i = V_i / V, ST_i = V_i Π_{j≠i} (1 + V_j) / V.
        let a = [0.0, 1.0, 4.5, 9.0];
        let g = |x: &[f64]| {
            x.iter()
                .zip(a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product::<f64>()
        };
        let vi: Vec<f64> = a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let est = estimate(4, 1 << 14, 7, 100, g);
        for i in 0..4 {
            let others: f64 = (0..4).filter(|&j| j != i).map(|j| 1.0 + vi[j]).product();
            assert!((est[i].first - vi[i] / v).abs() < 0.03, "S{i}");
            assert!((est[i].total - vi[i] * others / v).abs() < 0.03, "ST{i}");
        }
        // The ordering of importance is recovered: a_i small = important.
        assert!(est[0].total > est[1].total && est[1].total > est[2].total);
    }

    #[test]
    fn rank_shift_is_mean_absolute_difference() {
        // |1-2| + |2-1| + |3-3| = 2, over 3 units.
        assert!((mean_rank_shift(&[1, 2, 3], &[2, 1, 3]) - 2.0 / 3.0).abs() < 1e-12);
    }
}
