//! Score kinds (docs/scheme.md section 6): a value to an attainment in [0, 1].
//!
//! Absolute kinds (target, shortfall, bands, deduction) look at one value;
//! relative kinds (minmax, zscore, rank) compare the values of one peer
//! group. A group with one unit or no spread gives every unit 1.

use crate::scheme::{Direction, ScoreKind};

/// Standard normal CDF Φ, via libm's erfc (FreeBSD msun, < 1 ulp; statrs'
/// erfc is off by ~1e-11 around |z| = 1).
pub fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// Attainment of one value under an absolute kind; `points` is the
/// indicator's nominal points (for shortfall and deduction).
pub fn absolute(kind: &ScoreKind, dir: Direction, v: f64, points: f64) -> f64 {
    let a = match kind {
        ScoreKind::Target { target, floor } => (v - floor) / (target - floor),
        ScoreKind::Shortfall {
            target,
            per,
            deduct,
        } => {
            let short = match dir {
                Direction::Higher => (target - v).max(0.0),
                Direction::Lower => (v - target).max(0.0),
            };
            1.0 - (short / per * deduct) / points
        }
        ScoreKind::Bands { bands } => bands
            .iter()
            .find(|(t, _)| match dir {
                Direction::Higher => v >= *t,
                Direction::Lower => v <= *t,
            })
            .map_or(0.0, |(_, a)| *a),
        ScoreKind::Deduction { cap } => 1.0 - v.min(cap.unwrap_or(points)) / points,
        ScoreKind::Minmax { .. } | ScoreKind::Zscore | ScoreKind::Rank => {
            unreachable!("relative kinds need the peer group")
        }
    };
    clamp01(a)
}

/// Attainments of a peer group's values under a relative kind.
pub fn relative(kind: &ScoreKind, dir: Direction, values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if n < 2 || max == min {
        return vec![1.0; n];
    }
    let higher = dir == Direction::Higher;
    match kind {
        ScoreKind::Minmax { range } => values
            .iter()
            .map(|&v| {
                let a = if higher {
                    (v - min) / (max - min)
                } else {
                    (max - v) / (max - min)
                };
                let a = match range {
                    Some((lo, hi)) => lo + (hi - lo) * a,
                    None => a,
                };
                clamp01(a)
            })
            .collect(),
        ScoreKind::Zscore => {
            let mean = values.iter().sum::<f64>() / n as f64;
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let sd = var.sqrt();
            if sd == 0.0 {
                return vec![1.0; n];
            }
            values
                .iter()
                .map(|&v| {
                    let z = (v - mean) / sd;
                    clamp01(phi(if higher { z } else { -z }))
                })
                .collect()
        }
        ScoreKind::Rank => {
            let mut sorted = values.to_vec();
            sorted.sort_by(f64::total_cmp);
            values
                .iter()
                .map(|&v| {
                    // Units with a strictly worse value.
                    let worse = if higher {
                        sorted.partition_point(|&x| x < v)
                    } else {
                        n - sorted.partition_point(|&x| x <= v)
                    };
                    worse as f64 / (n - 1) as f64
                })
                .collect()
        }
        _ => values
            .iter()
            .map(|&v| absolute(kind, dir, v, 1.0))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn target_linear_and_clamped() {
        let k = ScoreKind::Target {
            target: 0.95,
            floor: 0.75,
        };
        // (0.85 - 0.75) / (0.95 - 0.75) = 0.5
        close(absolute(&k, Higher, 0.85, 8.0), 0.5);
        close(absolute(&k, Higher, 0.99, 8.0), 1.0);
        close(absolute(&k, Higher, 0.70, 8.0), 0.0);
        // floor above target: lower is better. (3 - 5) / (1 - 5) = 0.5
        let k = ScoreKind::Target {
            target: 1.0,
            floor: 5.0,
        };
        close(absolute(&k, Lower, 3.0, 8.0), 0.5);
    }

    #[test]
    fn shortfall_follows_the_rule_text() {
        // "95%满分，每低1个百分点扣0.5分", 8 points: at 93% the shortfall is
        // 2 points of percentage, 2 × 0.5 = 1 point off: 1 - 1/8 = 0.875.
        let k = ScoreKind::Shortfall {
            target: 0.95,
            per: 0.01,
            deduct: 0.5,
        };
        close(absolute(&k, Higher, 0.93, 8.0), 0.875);
        close(absolute(&k, Higher, 0.97, 8.0), 1.0);
        // 95 - 70 = 25 points × 0.5 = 12.5 > 8: clamped at 0.
        close(absolute(&k, Higher, 0.70, 8.0), 0.0);
        // Lower is better: 3 days over a 5-day target, 1 point per day, 10 points: 0.7.
        let k = ScoreKind::Shortfall {
            target: 5.0,
            per: 1.0,
            deduct: 1.0,
        };
        close(absolute(&k, Lower, 8.0, 10.0), 0.7);
    }

    #[test]
    fn bands_first_reached() {
        let k = ScoreKind::Bands {
            bands: vec![(0.95, 1.0), (0.90, 0.8), (0.8, 0.5)],
        };
        close(absolute(&k, Higher, 0.92, 5.0), 0.8);
        close(absolute(&k, Higher, 0.95, 5.0), 1.0);
        close(absolute(&k, Higher, 0.5, 5.0), 0.0);
        let k = ScoreKind::Bands {
            bands: vec![(1.0, 1.0), (3.0, 0.6)],
        };
        close(absolute(&k, Lower, 2.0, 5.0), 0.6);
    }

    #[test]
    fn deduction_caps_at_points_or_cap() {
        let k = ScoreKind::Deduction { cap: None };
        // 3 of 10 points deducted: 0.7; 12 > 10: 扣完为止, 0.
        close(absolute(&k, Higher, 3.0, 10.0), 0.7);
        close(absolute(&k, Higher, 12.0, 10.0), 0.0);
        // cap 4: at most 4 of 10 off: 0.6.
        let k = ScoreKind::Deduction { cap: Some(4.0) };
        close(absolute(&k, Higher, 12.0, 10.0), 0.6);
    }

    #[test]
    fn minmax_with_direction_and_range() {
        let k = ScoreKind::Minmax { range: None };
        let a = relative(&k, Higher, &[10.0, 20.0, 15.0]);
        assert_eq!(a, vec![0.0, 1.0, 0.5]);
        let a = relative(&k, Lower, &[10.0, 20.0, 15.0]);
        assert_eq!(a, vec![1.0, 0.0, 0.5]);
        // range [0.6, 1]: 0.6 + 0.4 × 0.5 = 0.8
        let k = ScoreKind::Minmax {
            range: Some((0.6, 1.0)),
        };
        close(relative(&k, Higher, &[10.0, 20.0, 15.0])[2], 0.8);
        // one unit, or no spread: 1.
        assert_eq!(relative(&k, Higher, &[3.0]), vec![1.0]);
        assert_eq!(relative(&k, Higher, &[3.0, 3.0]), vec![1.0, 1.0]);
    }

    #[test]
    fn zscore_uses_sample_sd() {
        // values 1, 2, 3: mean 2, sample sd 1; z = -1, 0, 1.
        let a = relative(&ScoreKind::Zscore, Higher, &[1.0, 2.0, 3.0]);
        close(a[1], 0.5);
        close(a[2], 0.841_344_746_068_542_9);
        close(a[0], 1.0 - 0.841_344_746_068_542_9);
        let b = relative(&ScoreKind::Zscore, Lower, &[1.0, 2.0, 3.0]);
        close(b[0], 0.841_344_746_068_542_9);
    }

    #[test]
    fn rank_counts_strictly_worse() {
        // 10, 20, 20, 30: worse-than counts 0, 1, 1, 3, over n - 1 = 3.
        let a = relative(&ScoreKind::Rank, Higher, &[10.0, 20.0, 20.0, 30.0]);
        assert_eq!(a, vec![0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0]);
        let a = relative(&ScoreKind::Rank, Lower, &[10.0, 20.0, 20.0, 30.0]);
        assert_eq!(a, vec![1.0, 1.0 / 3.0, 1.0 / 3.0, 0.0]);
    }
}
