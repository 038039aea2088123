//! `govtrust sensitivity`: how firm each rank and grade is under the
//! assumptions an evaluator could reasonably have made differently.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::report;
use crate::run;

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
    pub mc: super::mc::McArgs,
    /// Base samples n of the sensitivity indices (n × (k + 2) runs for k
    /// varied assumptions); 0 skips the indices.
    #[arg(long, default_value_t = 512)]
    pub sobol_samples: usize,
    /// Bootstrap resamples for the indices' intervals.
    #[arg(long, default_value_t = 500)]
    pub bootstrap: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let mc = a.mc.monte_carlo(a.draws)?;
    let out = a.inputs.claim(&a.out, "sensitivity")?;
    let mut r = a.inputs.assess()?;
    run::sensitivity(&mut r, &mc, a.sobol_samples, a.bootstrap);
    let exporters: Vec<Box<dyn report::Exporter>> = vec![
        Box::new(report::analysis::UncertaintyCsv),
        Box::new(report::analysis::SensitivityCsv),
    ];
    report::write(&r, &exporters, out)?;
    if !quiet {
        let u = r.uncertainty.as_ref().expect("run::sensitivity sets it");
        let unstable = u.units.iter().filter(|x| !x.stable).count();
        println!(
            "模拟{}次，用时{:.2}秒（每秒{:.0}次）；{}个单位（共{}个）保持等次的比例低于{:.0}%",
            u.draws,
            u.seconds,
            u.draws as f64 / u.seconds.max(1e-9),
            unstable,
            u.units.len(),
            a.mc.threshold * 100.0
        );
        for (name, i) in &r.sensitivity {
            println!(
                "  {name:<14} 一阶敏感性指数 {:.3} [{:.3}, {:.3}]  总效应指数 {:.3} [{:.3}, {:.3}]",
                i.first, i.first_ci.0, i.first_ci.1, i.total, i.total_ci.0, i.total_ci.1
            );
        }
        println!("  结果已写入 {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
