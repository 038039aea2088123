//! Data-driven weights (entropy, CRITIC) and TOPSIS, for third-party
//! evaluators who must justify their weights from the data.
//!
//! Inputs are a node's children's attainments (units in rows, children in
//! columns; all in [0, 1], higher is better), so no further direction
//! handling is needed.
//!
//! - Entropy (Shannon): p_ij = x_ij / Σ_i x_ij; e_j = −Σ_i p_ij ln p_ij /
//!   ln m (0 ln 0 = 0); w_j ∝ 1 − e_j. A column of zeros carries no
//!   information (e_j = 1). pymcdm instead sets e_j = 0 for a column with
//!   any zero; on data without zeros the two agree.
//! - CRITIC (Diakoulaki et al. 1995): min-max normalised columns (a
//!   constant column becomes ones); C_j = s_j Σ_k (1 − r_jk) with s the
//!   sample sd and r Pearson's correlation (undefined r counts as 0);
//!   w_j ∝ C_j.
//! - TOPSIS (Hwang and Yoon): min-max normalised columns × weights; the
//!   closeness to the ideal D⁻ / (D⁺ + D⁻), with D± the Euclidean distances
//!   to the column maxima and minima (pymcdm's default); 1 when every unit
//!   is equal.
//!
//! If every weight would be 0 (no spread anywhere), weights are equal.

/// Normalise to sum 1, or equal weights if the sum is not positive.
fn normalised(c: Vec<f64>) -> Vec<f64> {
    let s: f64 = c.iter().filter(|x| x.is_finite()).sum();
    if s > 0.0 {
        c.iter()
            .map(|x| if x.is_finite() { x / s } else { 0.0 })
            .collect()
    } else {
        vec![1.0 / c.len() as f64; c.len()]
    }
}

fn column(m: &[Vec<f64>], j: usize) -> Vec<f64> {
    m.iter().map(|r| r[j]).collect()
}

pub fn entropy(m: &[Vec<f64>]) -> Vec<f64> {
    let n = m.first().map_or(0, Vec::len);
    let rows = m.len() as f64;
    let d: Vec<f64> = (0..n)
        .map(|j| {
            let c = column(m, j);
            let s: f64 = c.iter().sum();
            if s <= 0.0 || rows < 2.0 {
                return 0.0;
            }
            let e = -c
                .iter()
                .map(|x| x / s)
                .filter(|p| *p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f64>()
                / rows.ln();
            1.0 - e
        })
        .collect();
    normalised(d)
}

fn minmax(c: &[f64]) -> Vec<f64> {
    let (lo, hi) = c
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if hi == lo {
        vec![1.0; c.len()]
    } else {
        c.iter().map(|x| (x - lo) / (hi - lo)).collect()
    }
}

pub fn critic(m: &[Vec<f64>]) -> Vec<f64> {
    let n = m.first().map_or(0, Vec::len);
    let cols: Vec<Vec<f64>> = (0..n).map(|j| minmax(&column(m, j))).collect();
    let sd = |c: &[f64]| {
        let k = c.len() as f64;
        let mu = c.iter().sum::<f64>() / k;
        (c.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (k - 1.0)).sqrt()
    };
    let c: Vec<f64> = (0..n)
        .map(|j| {
            let conflict: f64 = (0..n)
                .map(|k| {
                    let r = pearson(&cols[j], &cols[k]);
                    1.0 - if r.is_finite() { r } else { 0.0 }
                })
                .sum();
            sd(&cols[j]) * conflict
        })
        .collect();
    normalised(c)
}

/// TOPSIS closeness of each row, with `weights` (normalised here).
pub fn topsis(m: &[Vec<f64>], weights: &[f64]) -> Vec<f64> {
    let n = weights.len();
    let w = normalised(weights.to_vec());
    let cols: Vec<Vec<f64>> = (0..n)
        .map(|j| minmax(&column(m, j)).iter().map(|x| x * w[j]).collect())
        .collect();
    let best: Vec<f64> = cols
        .iter()
        .map(|c| c.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let worst: Vec<f64> = cols
        .iter()
        .map(|c| c.iter().cloned().fold(f64::INFINITY, f64::min))
        .collect();
    (0..m.len())
        .map(|i| {
            let dp = (0..n)
                .map(|j| (cols[j][i] - best[j]).powi(2))
                .sum::<f64>()
                .sqrt();
            let dm = (0..n)
                .map(|j| (cols[j][i] - worst[j]).powi(2))
                .sum::<f64>()
                .sqrt();
            if dp + dm == 0.0 { 1.0 } else { dm / (dp + dm) }
        })
        .collect()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Pearson's correlation; NaN where a column has no spread (callers
/// treat it as undefined).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    if sxx == 0.0 || syy == 0.0 {
        f64::NAN
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture matrix and pymcdm 1.4.0's results on it, obtained with:
    ///   from pymcdm.weights import entropy_weights, critic_weights
    ///   from pymcdm.methods import TOPSIS
    ///   entropy_weights(m); critic_weights(m)
    ///   TOPSIS()(m, np.array([0.5, 0.3, 0.2]), np.array([1, 1, 1]))
    fn matrix() -> Vec<Vec<f64>> {
        vec![
            vec![0.9, 0.3, 0.75],
            vec![0.6, 0.8, 0.5],
            vec![0.45, 0.55, 0.95],
            vec![0.8, 0.2, 0.35],
            vec![0.3, 0.9, 0.6],
            vec![0.7, 0.65, 0.8],
        ]
    }

    fn close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn entropy_matches_pymcdm() {
        close(
            &entropy(&matrix()),
            &[0.267508485020516, 0.5080785566688873, 0.22441295831059663],
        );
    }

    #[test]
    fn critic_matches_pymcdm() {
        close(
            &critic(&matrix()),
            &[0.382011420571072, 0.3603022340122935, 0.2576863454166345],
        );
    }

    #[test]
    fn topsis_matches_pymcdm() {
        close(
            &topsis(&matrix(), &[0.5, 0.3, 0.2]),
            &[
                0.6615515352153082,
                0.5513312477988075,
                0.40899940207267965,
                0.5296205850048262,
                0.37750108601154847,
                0.6691455982937293,
            ],
        );
    }

    #[test]
    fn degenerate_inputs_give_equal_weights() {
        let flat = vec![vec![0.5, 0.5], vec![0.5, 0.5]];
        assert_eq!(entropy(&flat), vec![0.5, 0.5]);
        assert_eq!(critic(&flat), vec![0.5, 0.5]);
        assert_eq!(topsis(&flat, &[1.0, 1.0]), vec![1.0, 1.0]);
    }
}
