//! `govtrust check`: validate scheme and data, print the row accounting.

use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::run;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// How many rejected rows to list.
    #[arg(long, default_value_t = 20)]
    pub show: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let s = a.inputs.load_scheme()?;
    let opts = a.inputs.load_options();
    let loaded = run::load_and_measure(
        &s,
        &a.inputs.data,
        opts,
        &mut crate::Stopwatch::new("check"),
    )?
    .loaded;
    if !quiet {
        println!(
            "scheme {:?}: {} indicators, {} rules, {} datasets — valid",
            s.name,
            s.indicators.len(),
            s.rules.len(),
            s.datasets.len()
        );
        println!(
            "{:<14} {:>10} {:>10} {:>10} {:>10} {:>10}  file",
            "dataset", "read", "counted", "period", "status", "rejected"
        );
        for i in &loaded.inputs {
            let c = &i.accounting;
            println!(
                "{:<14} {:>10} {:>10} {:>10} {:>10} {:>10}  {}",
                i.dataset,
                c.rows_read,
                c.counted,
                c.out_of_period,
                c.excluded_by_status,
                c.rejected,
                i.file
            );
        }
        for i in loaded.inputs.iter().filter(|i| i.blank_lines > 0) {
            println!("{}: {} blank lines skipped", i.file, i.blank_lines);
        }
        for r in loaded.rejects.iter().take(a.show) {
            println!("rejected: {r}");
        }
        if loaded.rejects.len() > a.show {
            println!(
                "... and {} more rejected rows",
                loaded.rejects.len() - a.show
            );
        }
        for w in &loaded.warnings {
            println!("warning: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
