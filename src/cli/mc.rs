//! The flags of the Monte Carlo analysis, shared by `sensitivity` and
//! `assess --uncertainty`.

use anyhow::{Result, anyhow};

use crate::analysis::uncertainty;
use crate::run::MonteCarlo;

/// Options of the Monte Carlo analysis, shared with `assess --uncertainty`.
#[derive(clap::Args, Debug, Clone)]
pub struct McArgs {
    /// Random seed; the same seed gives the same draws.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Assumptions to vary: weights, normalisation, aggregation, missing
    /// (comma-separated), or all. The default varies what the OECD/JRC
    /// handbook on composite indicators varies: the weights and the
    /// normalisation of relative indicators; geometric aggregation and
    /// `missing = zero` change what the scheme means, and are tried only
    /// when asked for.
    #[arg(long, default_value = "weights,normalisation", value_parser = vary)]
    pub vary: String,
    /// Weight perturbation f per hierarchy level (comma-separated; the last
    /// applies to deeper levels): each weight × U(1 − f, 1 + f).
    #[arg(long, default_value = "0.25", value_parser = factors)]
    pub weight_factor: String,
    /// A unit's grade is stable if its nominal grade's probability is at
    /// least this (between 0 and 1).
    #[arg(long, default_value_t = 0.9, value_parser = probability)]
    pub threshold: f64,
}

/// Flag values are checked when parsed, so that a bad one is a usage
/// error (exit 2) whatever else the command line asks for.
fn probability(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "{s:?} is not a probability between 0 and 1 (e.g. 0.9)"
        )),
    }
}

fn factors(s: &str) -> Result<String, String> {
    let ok = s.split(',').all(|f| {
        f.trim()
            .parse::<f64>()
            .is_ok_and(|x| (0.0..1.0).contains(&x))
    });
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?}: each factor must be a number in [0, 1), comma-separated (e.g. 0.25 or 0.3,0.2)"
        ))
    }
}

fn vary(s: &str) -> Result<String, String> {
    uncertainty::Assumptions::parse_vary(s).map(|_| s.to_string())
}

impl McArgs {
    /// The analysis these flags ask for, with `draws` draws.
    pub fn monte_carlo(&self, draws: usize) -> Result<MonteCarlo> {
        let vary = uncertainty::Assumptions::parse_vary(&self.vary).map_err(|e| anyhow!(e))?;
        let weight_factor = self
            .weight_factor
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| anyhow!("--weight-factor: {s:?} is not a number"))
            })
            .collect::<Result<Vec<f64>>>()?;
        if weight_factor.is_empty() || weight_factor.iter().any(|f| !(0.0..1.0).contains(f)) {
            return Err(anyhow!("--weight-factor: each factor must be in [0, 1)"));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(anyhow!("--threshold must be in [0, 1]"));
        }
        Ok(MonteCarlo {
            assumptions: uncertainty::Assumptions {
                vary,
                weight_factor,
            },
            draws,
            seed: self.seed,
            threshold: self.threshold,
        })
    }
}
