//! `govtrust assess`: the main job.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::analysis::signals::SignalKind;
use crate::report;
use crate::run::{self, Run};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output directory (replaced as a whole, atomically).
    #[arg(long, default_value = "reports/demo")]
    pub out: PathBuf,
    /// Also run N Monte Carlo draws and write uncertainty.csv.
    #[arg(long, value_name = "N")]
    pub uncertainty: Option<usize>,
    #[command(flatten)]
    pub mc: super::mc::McArgs,
    /// A previous run's output directory: rank changes go into the
    /// bulletin, the charts and compare.csv.
    #[arg(long, value_name = "DIR")]
    pub previous: Option<PathBuf>,
    /// Write the tables only: skip the charts, bulletin.html and
    /// bulletin.docx.
    #[arg(long)]
    pub no_bulletin: bool,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    // Claim the output first: a refused --out fails before any work.
    let out = a.inputs.claim(&a.out, "assess")?;
    let opts = a.inputs.load_options();
    // Read the previous run first: a wrong path fails before the work.
    let previous = a
        .previous
        .as_deref()
        .map(crate::history::Snapshot::read)
        .transpose()?;
    let progress = super::progress::Spinner::new(quiet);
    progress.stage("loading and measuring records");
    let mut run = run::assess(&a.inputs.scheme, &a.inputs.data, opts)?;
    run.previous = previous;
    if let Some(draws) = a.uncertainty {
        progress.stage(&format!("Monte Carlo: {draws} draws"));
        run::uncertainty(&mut run, &a.mc.monte_carlo(draws)?);
    }
    // The manifest cannot hold the time it takes to write itself: the
    // write stage shows only in the trace (GOVTRUST_TRACE=1).
    progress.stage("writing outputs, charts and bulletin");
    let mut trace = crate::Stopwatch::new("outputs");
    let exporters = if a.no_bulletin {
        report::tables()
    } else {
        report::standard()
    };
    report::write(&run, &exporters, out)?;
    trace.lap("write");
    progress.finish();
    if !quiet {
        summary(&run, &a.out);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(run: &Run, out: &std::path::Path) {
    let units = &run.data.units;
    let s = &run.scored;
    println!(
        "{} — {} to {}",
        run.scheme.name, run.scheme.period.start, run.scheme.period.end
    );
    for (g, members) in units
        .group_order
        .iter()
        .zip(run.scored.ranked_groups(units))
    {
        let top: Vec<String> = members
            .iter()
            .take_while(|&&u| s.units[u].rank == 1)
            .map(|&u| format!("{} {:.2}", units.names[u], s.units[u].total))
            .collect();
        let vetoed = members
            .iter()
            .filter(|&&u| !s.units[u].vetoes.is_empty())
            .count();
        println!(
            "  {g}: {} units scored; first: {}{}",
            members.len(),
            top.join(", "),
            if vetoed > 0 {
                format!("; {vetoed} vetoed")
            } else {
                String::new()
            }
        );
    }
    let rows: u64 = run.data.inputs.iter().map(|i| i.accounting.rows_read).sum();
    println!(
        "  {} input rows read, {} rejected (see rejects.csv), {} evidence records",
        rows,
        run.data.rejects.len(),
        run.evidence.len()
    );
    let blank: u64 = run.data.inputs.iter().map(|i| i.blank_lines).sum();
    if blank > 0 {
        println!("  {blank} blank lines skipped (not records; see manifest.json)");
    }
    let pending: u64 = run.data.inputs.iter().map(|i| i.pending_objections).sum();
    if pending > 0 {
        let how = match run.scheme.pending_objections {
            crate::scheme::PendingPolicy::Count => "counted, and flagged in evidence.csv",
            crate::scheme::PendingPolicy::Exclude => "excluded until decided",
        };
        println!("  {pending} records with a pending objection ({how})");
    }
    if !run.signals.is_empty() {
        let by = |k: SignalKind| run.signals.iter().filter(|w| w.kind == k).count();
        println!(
            "  early warnings: {} above peers, {} above own history, {} Benford screens, {} low-coverage indicators (warnings.csv)",
            by(SignalKind::PeerRate),
            by(SignalKind::OwnHistory),
            by(SignalKind::Benford),
            by(SignalKind::Coverage)
        );
    }
    if let Some(u) = &run.uncertainty {
        let unstable = u.units.iter().filter(|x| !x.stable).count();
        println!(
            "  uncertainty: {} draws; {unstable} unit(s) with a grade below {:.0}% stable (uncertainty.csv)",
            u.draws,
            u.threshold * 100.0
        );
    }
    for w in run.warnings() {
        println!("  warning: {w}");
    }
    println!("  written to {}", out.display());
}
