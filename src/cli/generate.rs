//! `govtrust generate`: synthetic data for the default scheme.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::generate::{self, Options, OutFormat};
use crate::report;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory.
    #[arg(long, default_value = "datasets/demo")]
    pub out: PathBuf,
    /// Units in all (two thirds departments, one third towns).
    #[arg(long, default_value_t = 60)]
    pub units: usize,
    /// 12345 hotline tickets; other datasets scale along.
    #[arg(long, default_value_t = 30_000)]
    pub tickets: usize,
    /// Random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Assessment year.
    #[arg(long, default_value_t = 2025)]
    pub year: i32,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Malformed hotline rows to add (CSV only; they end in rejects.csv).
    #[arg(long, default_value_t = 5)]
    pub bad_rows: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let out = crate::outdir::OutDir::claim(
        &a.out,
        &crate::outdir::Purpose {
            command: "generate",
            also_replaces: &[],
            inputs: &[],
        },
    )?;
    let opts = Options {
        out: a.out.clone(),
        units: a.units,
        tickets: a.tickets,
        seed: a.seed,
        year: a.year,
        format: match a.format {
            Format::Csv => OutFormat::Csv,
            Format::Parquet => OutFormat::Parquet,
        },
        bad_rows: a.bad_rows,
    };
    let summary = generate::generate(&opts, out.dir())?;
    let made_from = serde_json::json!({
        "units": a.units,
        "tickets": a.tickets,
        "seed": a.seed,
        "year": a.year,
        "format": format!("{:?}", a.format).to_lowercase(),
        "bad_rows": a.bad_rows,
    });
    let mut names: Vec<String> = summary.files.iter().map(|f| f.0.clone()).collect();
    names.push(report::manifest::NAME.to_string());
    names.sort();
    let manifest = report::manifest::basic("generate", made_from, names)?;
    report::write_files(&[manifest], out)?;
    if !quiet {
        for (f, n) in &summary.files {
            println!("{n:>10}行  {}", a.out.join(f).display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
