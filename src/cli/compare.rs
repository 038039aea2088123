//! `govtrust compare OLD_RUN NEW_RUN`: rank, total and grade change per
//! unit between two runs; writes compare.csv and the slope charts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::history::{ChangeStatus, Snapshot, diff};
use crate::report;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier run's output directory.
    pub old_run: PathBuf,
    /// The later run's output directory.
    pub new_run: PathBuf,
    /// Where to write compare.csv and the charts (replaced atomically).
    #[arg(long, default_value = "reports/compare")]
    pub out: PathBuf,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let out = crate::outdir::OutDir::claim(
        &a.out,
        &crate::outdir::Purpose {
            command: "compare",
            also_replaces: &[],
            inputs: &[("the old run", &a.old_run), ("the new run", &a.new_run)],
        },
    )?;
    let c = report::Comparison {
        old: Snapshot::read(&a.old_run)?,
        new: Snapshot::read(&a.new_run)?,
        old_run: a.old_run.clone(),
        new_run: a.new_run.clone(),
    };
    let exporters: Vec<Box<dyn report::Exporter<report::Comparison>>> = vec![
        Box::new(report::compare::ComparisonCsv),
        Box::new(report::compare::ComparisonCharts),
    ];
    report::write(&c, &exporters, out)?;
    let (old, new) = (&c.old, &c.new);
    let changes = diff(old, new);
    if !quiet {
        let count = |s: ChangeStatus| changes.iter().filter(|c| c.status() == s).count();
        let moved = changes
            .iter()
            .filter(|c| c.rank_change().is_some_and(|d| d != 0))
            .count();
        println!(
            "{} → {}: {} units compared, {moved} changed rank, {} changed grade, {} changed group, {} added, {} removed",
            old.label,
            new.label,
            changes.len(),
            count(ChangeStatus::GradeChanged),
            count(ChangeStatus::GroupChanged),
            count(ChangeStatus::Added),
            count(ChangeStatus::Removed)
        );
        println!("  written to {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
