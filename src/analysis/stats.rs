//! The statistical tests behind the early warnings: Benjamini-Hochberg
//! adjustment, the exact conditional test of two Poisson rates, and
//! Benford's first-digit law.

use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Poisson};

use crate::score::weights::pearson;

/// Benjamini-Hochberg adjusted p-values, in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adj = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in idx.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        adj[i] = running.min(1.0);
    }
    adj
}

/// From this many figures on, the MAD bound judges Benford conformity
/// (chi-squared rejects trivial departures in large samples); below it,
/// sampling noise alone gives MAD ≈ 0.02 at n = 120, so the chi-squared
/// test, which accounts for n, judges.
pub const LARGE_SAMPLE: u64 = 1000;

/// Is count `k` over exposure `e` significantly above the rate of
/// `reference` over exposure `e_ref`? The exact conditional test for two
/// Poisson counts: given their total T, under equal rates k ~ Binomial(T,
/// e / (e + e_ref)); the p-value is P(X ≥ k). Unlike a Poisson test against
/// the reference's rate, it allows for the reference being an estimate
/// too (a month of history, a few peers).
pub fn rate_test(k: u64, reference: f64, e: f64, e_ref: f64) -> Option<f64> {
    let total = k + reference.round() as u64;
    if !(e > 0.0 && e_ref > 0.0) || total == 0 {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    Binomial::new(e / (e + e_ref), total)
        .ok()
        .map(|b| b.sf(k - 1))
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_upper(k: u64, lambda: f64) -> Option<f64> {
    if !(lambda > 0.0 && lambda.is_finite()) {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    Poisson::new(lambda).ok().map(|d| d.sf(k - 1))
}

/// Benford's first-digit probabilities log10(1 + 1/d).
pub fn benford_expected() -> [f64; 9] {
    std::array::from_fn(|i| (1.0 + 1.0 / (i as f64 + 1.0)).log10())
}

/// (chi-squared, p-value with 8 df, MAD) of first-digit counts.
pub fn benford_test(counts: &[u64; 9]) -> (f64, f64, f64) {
    let n: u64 = counts.iter().sum();
    let e = benford_expected();
    let nf = n as f64;
    let chi2: f64 = (0..9)
        .map(|d| (counts[d] as f64 - nf * e[d]).powi(2) / (nf * e[d]))
        .sum();
    let mad = (0..9)
        .map(|d| (counts[d] as f64 / nf - e[d]).abs())
        .sum::<f64>()
        / 9.0;
    let p = ChiSquared::new(8.0).map(|c| c.sf(chi2)).unwrap_or(f64::NAN);
    (chi2, p, mad)
}

/// Descriptive statistics and correlations for the scheme audit.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Moment statistics: (mean, sample sd, skewness g1, excess kurtosis g2).
pub fn moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let m = mean(x);
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - m).powi(3)).sum::<f64>() / n;
    let m4 = x.iter().map(|v| (v - m).powi(4)).sum::<f64>() / n;
    let sd = if n > 1.0 {
        (m2 * n / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    if m2 == 0.0 {
        return (m, sd, 0.0, 0.0);
    }
    (m, sd, m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
}

/// Ranks with ties averaged (1-based).
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Cronbach's alpha of items (columns of equal length).
pub fn cronbach_alpha(items: &[Vec<f64>]) -> f64 {
    let k = items.len() as f64;
    let n = items[0].len();
    let var = |x: &[f64]| {
        let m = mean(x);
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)
    };
    let totals: Vec<f64> = (0..n).map(|u| items.iter().map(|c| c[u]).sum()).collect();
    let vt = var(&totals);
    if vt == 0.0 {
        return f64::NAN;
    }
    k / (k - 1.0) * (1.0 - items.iter().map(|c| var(c)).sum::<f64>() / vt)
}

/// Tukey fences: indices of values outside [Q1 − 1.5 IQR, Q3 + 1.5 IQR].
pub fn outliers(x: &[f64]) -> Vec<usize> {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let q1 = super::ranks::percentile(&s, 0.25);
    let q3 = super::ranks::percentile(&s, 0.75);
    let (lo, hi) = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1));
    (0..x.len()).filter(|&i| x[i] < lo || x[i] > hi).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_adjustment_matches_the_textbook_example() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005, 0.01, 0.03,
        // 0.04 -> × 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04, already
        // monotone; in input order: 0.02, 0.04, 0.04, 0.02.
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn rate_test_is_the_conditional_binomial() {
        // 8 events over exposure 1 against 2 over exposure 1: T = 10,
        // p0 = 1/2, P(X ≥ 8) = (45 + 10 + 1) / 1024 = 0.0546875.
        let p = rate_test(8, 2.0, 1.0, 1.0).unwrap();
        assert!((p - 56.0 / 1024.0).abs() < 1e-12, "{p}");
        assert_eq!(rate_test(0, 5.0, 1.0, 1.0), Some(1.0));
        assert_eq!(rate_test(3, 5.0, 0.0, 1.0), None);
    }

    #[test]
    fn poisson_tail() {
        // P(X ≥ 3 | λ = 1) = 1 - e^-1 (1 + 1 + 1/2) = 0.0803014.
        let p = poisson_upper(3, 1.0).unwrap();
        assert!((p - (1.0 - (-1.0f64).exp() * 2.5)).abs() < 1e-12, "{p}");
        assert_eq!(poisson_upper(0, 2.0), Some(1.0));
        assert_eq!(poisson_upper(1, 0.0), None);
    }

    #[test]
    fn benford_counts_that_follow_the_law_pass_and_uniform_ones_fail() {
        // 1000 values exactly in Benford proportions: chi² ≈ 0, MAD ≈ 0.
        let e = benford_expected();
        let exact: [u64; 9] = std::array::from_fn(|d| (e[d] * 1000.0).round() as u64);
        let (chi2, p, mad) = benford_test(&exact);
        assert!(chi2 < 1.0 && p > 0.99 && mad < 0.001, "{chi2} {p} {mad}");
        // Uniform first digits (a fabricator's): MAD = Σ |1/9 − P(d)| / 9 =
        // (0.18992 + 0.06498 + 0.01383 + 0.01420 + 0.03193 + 0.04416 +
        // 0.05312 + 0.05996 + 0.06535) / 9 = 0.53745 / 9 = 0.059717.
        let (_, p, mad) = benford_test(&[100; 9]);
        let want: f64 = e.iter().map(|p| (1.0 / 9.0 - p).abs()).sum::<f64>() / 9.0;
        assert!(
            p < 1e-10 && (mad - want).abs() < 1e-12 && (mad - 0.059717).abs() < 1e-5,
            "{p} {mad}"
        );
    }

    #[test]
    fn moments_by_hand() {
        // 1, 2, 3, 4, 10: mean 4; deviations -3, -2, -1, 0, 6;
        // m2 = 50/5 = 10, m3 = (-27 - 8 - 1 + 0 + 216)/5 = 36,
        // m4 = (81 + 16 + 1 + 0 + 1296)/5 = 278.8;
        // skew = 36 / 10^1.5 = 1.13842; kurt = 278.8/100 - 3 = -0.212;
        // sd = sqrt(50/4) = 3.53553.
        let (m, sd, skew, kurt) = moments(&[1.0, 2.0, 3.0, 4.0, 10.0]);
        assert_eq!(m, 4.0);
        assert!((sd - 12.5f64.sqrt()).abs() < 1e-12);
        assert!((skew - 36.0 / 10f64.powf(1.5)).abs() < 1e-12);
        assert!((kurt - (-0.212)).abs() < 1e-12);
    }

    #[test]
    fn spearman_averages_tied_ranks() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 20.0, 5.0]),
            vec![2.0, 3.5, 3.5, 1.0]
        );
        // A monotone but non-linear relation: Spearman 1, Pearson < 1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 4.0, 9.0, 16.0, 100.0];
        assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
        assert!(pearson(&x, &y) < 0.95);
    }

    #[test]
    fn cronbach_alpha_by_hand() {
        // Two items over 4 units: a = 1,2,3,4; b = 2,2,4,4.
        // var(a) = 5/3, var(b) = 4/3; totals 3,4,7,8: var = 17/3;
        // alpha = 2 × (1 - (5/3 + 4/3) / (17/3)) = 2 × 8/17 = 0.941176.
        let a = cronbach_alpha(&[vec![1.0, 2.0, 3.0, 4.0], vec![2.0, 2.0, 4.0, 4.0]]);
        assert!((a - 16.0 / 17.0).abs() < 1e-12, "{a}");
    }

    #[test]
    fn tukey_fences_find_the_outlier() {
        // Q1 = 2, Q3 = 4 (type 7), IQR 2: fences [-1, 7]; 10 is outside.
        assert_eq!(outliers(&[1.0, 2.0, 3.0, 4.0, 10.0]), vec![4]);
    }
}
