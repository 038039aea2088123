//! Small-sample intervals: the Wilson score interval for a share.
//!
//! For k successes of n at confidence z (1.96 for 95%):
//!   centre = (p + z²/2n) / (1 + z²/n),
//!   half   = z √(p(1 − p)/n + z²/4n²) / (1 + z²/n),  p = k/n.
//! Unlike the normal (Wald) interval it stays inside [0, 1] and does not
//! collapse to a point at 0% or 100%, which is what matters for a unit
//! with 3 tickets.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of k successes in n trials; None if n = 0.
pub fn wilson(k: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_of_8_in_10() {
        // p = 0.8, z = 1.96: denom = 1 + 3.8416/10 = 1.38416;
        // centre = (0.8 + 0.19208) / 1.38416 = 0.716796;
        // half = 1.96 √(0.016 + 0.009604) / 1.38416 = 0.226586;
        // interval (0.4902, 0.9434).
        let (lo, hi) = wilson(8.0, 10.0, 1.96).unwrap();
        assert!((lo - 0.490_21).abs() < 1e-4, "{lo}");
        assert!((hi - 0.943_38).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn wilson_at_the_edges() {
        // 3 of 3: the upper bound is 1, the lower far from 1.
        let (lo, hi) = wilson(3.0, 3.0, Z95).unwrap();
        assert_eq!(hi, 1.0);
        assert!(lo < 0.45 && lo > 0.4, "{lo}");
        assert_eq!(wilson(0.0, 0.0, Z95), None);
    }
}
