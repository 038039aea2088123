//! `govtrust sensitivity`: how firm each rank and grade is under the
//! assumptions an evaluator could reasonably have made differently.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};

use super::Inputs;
use crate::analysis::{sobol, uncertainty};
use crate::report;
use crate::run;

/// Options of the Monte Carlo analysis, shared with `assess --uncertainty`.
#[derive(clap::Args, Debug, Clone)]
pub struct McArgs {
    /// Random seed; the same seed gives the same draws.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Assumptions to vary: weights, normalisation, aggregation, missing
    /// (comma-separated), or all.
    #[arg(long, default_value = "all", value_parser = vary)]
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
    pub fn assumptions(&self) -> Result<uncertainty::Assumptions> {
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
        Ok(uncertainty::Assumptions {
            vary,
            weight_factor,
        })
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output directory (replaced as a whole, atomically).
    #[arg(long, default_value = "reports/sensitivity")]
    pub out: PathBuf,
    /// Monte Carlo draws.
    #[arg(long, default_value_t = 1000)]
    pub draws: usize,
    #[command(flatten)]
    pub mc: McArgs,
    /// Base samples n of the sensitivity indices (n × (k + 2) runs for k
    /// varied assumptions); 0 skips the indices.
    #[arg(long, default_value_t = 512)]
    pub sobol_samples: usize,
    /// Bootstrap resamples for the indices' intervals.
    #[arg(long, default_value_t = 500)]
    pub bootstrap: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let assumptions = a.mc.assumptions()?;
    let out = a.inputs.claim(&a.out, "sensitivity")?;
    let mut r = run::assess(&a.inputs.scheme, &a.inputs.data, a.inputs.load_options())?;
    let model = uncertainty::Model::new(&r.scheme, &r.data.units, &r.measured);
    let mc = uncertainty::run(&model, &assumptions, a.draws, a.mc.seed, a.mc.threshold);
    let t = std::time::Instant::now();
    let indices = if a.sobol_samples > 0 && !assumptions.factors().is_empty() {
        sobol::assumptions(
            &model,
            &assumptions,
            a.sobol_samples,
            a.mc.seed,
            a.bootstrap,
        )
    } else {
        Vec::new()
    };
    let sobol_secs = t.elapsed().as_secs_f64();
    r.timings.push(("monte carlo".into(), mc.seconds * 1000.0));
    r.timings
        .push(("sensitivity indices".into(), sobol_secs * 1000.0));
    r.uncertainty = Some(mc);
    r.sensitivity = indices;
    let exporters: Vec<Box<dyn report::Exporter>> = vec![
        Box::new(report::analysis::UncertaintyCsv),
        Box::new(report::analysis::SensitivityCsv),
    ];
    report::write(&r, &exporters, out)?;
    if !quiet {
        let u = r.uncertainty.as_ref().expect("set above");
        let unstable = u.units.iter().filter(|x| !x.stable).count();
        println!(
            "{} draws in {:.2} s ({:.0} draws/s); {} of {} units have a grade below {:.0}% stable",
            u.draws,
            u.seconds,
            u.draws as f64 / u.seconds.max(1e-9),
            unstable,
            u.units.len(),
            a.mc.threshold * 100.0
        );
        for (name, i) in &r.sensitivity {
            println!(
                "  {name:<14} first-order {:.3} [{:.3}, {:.3}]  total {:.3} [{:.3}, {:.3}]",
                i.first, i.first_ci.0, i.first_ci.1, i.total, i.total_ci.0, i.total_ci.1
            );
        }
        println!("  written to {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
