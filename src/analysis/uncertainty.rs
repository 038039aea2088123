//! Monte Carlo uncertainty analysis (OECD/JRC handbook practice): re-score
//! every unit under perturbed assumptions and report how far each rank and
//! grade moves.
//!
//! One draw is defined by one uniform number per assumption ([`FACTORS`]),
//! so that a draw's assumptions can be recombined factor by factor for the
//! variance-based indices of [`super::sobol`]:
//! - weights: every weight × U(1 − f, 1 + f), with f per hierarchy level
//!   (the uniform seeds the generator of those multipliers);
//! - normalisation: every relative indicator (minmax, zscore, rank) scored
//!   by one of minmax, zscore, rank;
//! - aggregation: every node arithmetic or geometric;
//! - missing: every indicator under reweight, zero or mean.
//!
//! Draws reuse the measured values (no record is read again), run in
//! parallel, and are reproducible: draw d's uniforms come from a ChaCha8
//! generator seeded with (seed, d), whatever the number of threads.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use super::ranks::{Outcome, UnitUncertainty};
use crate::data::Units;
use crate::measure::Measured;
use crate::scheme::{Aggregation, MissingPolicy, NodeKind, Scheme, ScoreKind};
use crate::score::draw::Fixed;
use crate::score::{self, Config, Context};

/// The assumptions that can be varied, in factor order.
pub const FACTORS: [&str; 4] = ["weights", "normalisation", "aggregation", "missing"];

/// Which assumptions vary, and by how much.
#[derive(Debug, Clone)]
pub struct Assumptions {
    /// One flag per entry of [`FACTORS`].
    pub vary: [bool; 4],
    /// Weight perturbation f per hierarchy level (1 = the root's children);
    /// the last value applies to deeper levels.
    pub weight_factor: Vec<f64>,
}

impl Default for Assumptions {
    fn default() -> Self {
        // Weights and normalisation (the OECD/JRC handbook's choice):
        // aggregation and the missing policy only when asked for.
        Assumptions {
            vary: [true, true, false, false],
            weight_factor: vec![0.25],
        }
    }
}

impl Assumptions {
    /// Parse a comma-separated list of factor names ("all" for all).
    pub fn parse_vary(list: &str) -> Result<[bool; 4], String> {
        let mut vary = [false; 4];
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if name == "all" {
                return Ok([true; 4]);
            }
            match FACTORS.iter().position(|f| *f == name) {
                Some(i) => vary[i] = true,
                None => {
                    return Err(format!(
                        "unknown assumption {name:?}: expected {}",
                        FACTORS.join(", ")
                    ));
                }
            }
        }
        Ok(vary)
    }

    pub fn factors(&self) -> Vec<usize> {
        (0..4).filter(|&i| self.vary[i]).collect()
    }
}

/// The assumptions of one draw, given one uniform per factor.
pub fn config(
    scheme: &Scheme,
    nominal: &Config,
    a: &Assumptions,
    depth: &[usize],
    u: [f64; 4],
) -> Config {
    let mut cfg = nominal.clone();
    if a.vary[0] {
        let mut rng = ChaCha8Rng::seed_from_u64(u[0].to_bits());
        for (n, w) in cfg.weights.iter_mut().enumerate().skip(1) {
            let level = depth[n].max(1);
            let f = a.weight_factor[(level - 1).min(a.weight_factor.len() - 1)];
            *w *= 1.0 - f + 2.0 * f * rng.random::<f64>();
        }
    }
    if a.vary[1] {
        let choice = ((u[1] * 3.0) as usize).min(2);
        for (k, ind) in cfg.kinds.iter_mut().zip(&scheme.indicators) {
            if ind.score.kind.is_relative() {
                *k = match choice {
                    0 => ScoreKind::Minmax { range: None },
                    1 => ScoreKind::Zscore,
                    _ => ScoreKind::Rank,
                };
            }
        }
    }
    if a.vary[2] {
        let agg = if u[2] < 0.5 {
            Aggregation::Arithmetic
        } else {
            Aggregation::Geometric
        };
        for (n, node) in scheme.tree.iter().enumerate() {
            if !matches!(node.kind, NodeKind::Indicator(_)) {
                cfg.aggregation[n] = agg;
            }
        }
    }
    if a.vary[3] {
        let policy = [
            MissingPolicy::Reweight,
            MissingPolicy::Zero,
            MissingPolicy::Mean,
        ][((u[3] * 3.0) as usize).min(2)];
        cfg.missing.iter_mut().for_each(|m| *m = policy);
    }
    cfg
}

/// The uniforms of draw `d`.
pub fn uniforms(seed: u64, d: u64) -> [f64; 4] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ d.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    [rng.random(), rng.random(), rng.random(), rng.random()]
}

/// Everything needed to re-score quickly.
pub struct Model<'a> {
    pub scheme: &'a Scheme,
    pub units: &'a Units,
    pub measured: &'a Measured,
    pub ctx: Context,
    pub depth: Vec<usize>,
    /// The nominal configuration and what no draw changes
    /// ([`score::draw::Fixed`]).
    pub fixed: Fixed,
}

impl<'a> Model<'a> {
    pub fn new(scheme: &'a Scheme, units: &'a Units, measured: &'a Measured) -> Self {
        let ctx = Context::new(scheme, units);
        let fixed = Fixed::new(&ctx, scheme, units, measured, Config::nominal(scheme));
        Model {
            scheme,
            units,
            measured,
            ctx,
            depth: scheme.depths(),
            fixed,
        }
    }

    /// The nominal configuration (the scheme's own assumptions).
    pub fn nominal(&self) -> &Config {
        &self.fixed.nominal
    }

    pub fn outcome(&self, cfg: &Config) -> Outcome {
        let (ranks, grades) = score::draw::ranks_and_grades(
            &self.ctx,
            &self.fixed,
            self.scheme,
            self.units,
            self.measured,
            cfg,
        );
        Outcome {
            ranks: ranks.into_iter().map(|r| r as u32).collect(),
            grades: grades.into_iter().map(|g| g.map(|g| g as u16)).collect(),
        }
    }

    pub fn draw(&self, a: &Assumptions, u: [f64; 4]) -> Outcome {
        self.outcome(&config(self.scheme, self.nominal(), a, &self.depth, u))
    }
}

#[derive(Debug, Clone)]
pub struct Uncertainty {
    pub draws: usize,
    pub seed: u64,
    pub threshold: f64,
    pub units: Vec<UnitUncertainty>,
    pub seconds: f64,
}

/// Run `draws` Monte Carlo draws.
pub fn run(model: &Model, a: &Assumptions, draws: usize, seed: u64, threshold: f64) -> Uncertainty {
    let t = std::time::Instant::now();
    let nominal = model.outcome(model.nominal());
    let outcomes: Vec<Outcome> = crate::pool().install(|| {
        (0..draws as u64)
            .into_par_iter()
            .map(|d| model.draw(a, uniforms(seed, d)))
            .collect()
    });
    // A rank is at most the size of the unit's peer group.
    let max_rank = model.ctx.groups.iter().map(Vec::len).max().unwrap_or(0);
    let sizes = (max_rank, model.scheme.grades.len());
    let units = super::ranks::summarise(&outcomes, &nominal, sizes, threshold);
    Uncertainty {
        draws,
        seed,
        threshold,
        units,
        seconds: t.elapsed().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_lists_parse() {
        assert_eq!(
            Assumptions::parse_vary("weights,missing").unwrap(),
            [true, false, false, true]
        );
        assert_eq!(Assumptions::parse_vary("all").unwrap(), [true; 4]);
        assert!(Assumptions::parse_vary("weights,colour").is_err());
    }

    #[test]
    fn uniforms_are_reproducible_and_distinct() {
        assert_eq!(uniforms(7, 3), uniforms(7, 3));
        assert_ne!(uniforms(7, 3), uniforms(7, 4));
        assert!(uniforms(7, 3).iter().all(|u| (0.0..1.0).contains(u)));
    }
}
