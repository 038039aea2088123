//! The command line: clap derive, one file per command. The binary
//! (`src/main.rs`) only calls [`main`]; errors are printed here, without a
//! backtrace, and mapped to exit codes: 0 success, 1 scheme or data
//! errors, 2 usage errors.

mod assess;
mod audit;
mod check;
mod compare;
mod explain;
mod generate;
mod mc;
mod objections;
mod progress;
mod sensitivity;
mod serve;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "govtrust",
    version,
    about = "Scores government-integrity (政务诚信) assessments: scheme and records in; ranked, graded, traceable results out",
    after_help = "Examples:\n  govtrust assess                       # bundled scheme on the demo data\n  govtrust check --data datasets/2025   # validate scheme and data, score nothing\n  govtrust generate --out /tmp/big --units 300 --tickets 1000000"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Score every unit: writes scores.csv, values.csv, evidence.csv,
    /// rejects.csv, manifest.json, results.xlsx, the charts, bulletin.html
    /// and bulletin.docx.
    #[command(
        after_help = "Examples:\n  govtrust assess --scheme indicators --data datasets/demo --out reports/demo\n  govtrust assess --data datasets/2026 --out reports/2026 --previous reports/2025 --uncertainty 1000"
    )]
    Assess(assess::Args),
    /// Validate the scheme and the data and print where every row went;
    /// score nothing.
    #[command(after_help = "Example:\n  govtrust check --data datasets/demo")]
    Check(check::Args),
    /// Monte Carlo uncertainty and sensitivity analysis: rank intervals,
    /// grade probabilities, and which assumption matters.
    #[command(
        after_help = "Example:\n  govtrust sensitivity --draws 10000 --vary weights,aggregation --out reports/sensitivity"
    )]
    Sensitivity(sensitivity::Args),
    /// Statistical audit of the scheme on the data: coverage, skew,
    /// outliers, correlations, Cronbach's alpha, and findings to act on.
    #[command(after_help = "Example:\n  govtrust audit --out reports/audit")]
    Audit(audit::Args),
    /// Explain one unit's result: points per node and indicator, and every
    /// evidence record.
    #[command(
        after_help = "Examples:\n  govtrust explain D002 --run reports/demo\n  govtrust explain 市教育局 --format json"
    )]
    Explain(explain::Args),
    /// Compare two runs: rank, total and grade change per unit; writes
    /// compare.csv and slope charts.
    #[command(
        after_help = "Example:\n  govtrust compare reports/2024 reports/2025 --out reports/compare"
    )]
    Compare(compare::Args),
    /// Generate believable synthetic data for the default scheme.
    #[command(
        after_help = "Example:\n  govtrust generate --out datasets/demo --units 60 --tickets 30000 --seed 2025"
    )]
    Generate(generate::Args),
    /// The objection register (异议登记): import returned feedback forms,
    /// list pending objections and their due dates.
    Objections(objections::Args),
    /// The web workbench: results, objections and runs for the office,
    /// the evaluator and every unit, on SQLite or PostgreSQL.
    #[command(
        after_help = "Examples:\n  echo 's3cret-pass' | govtrust users add office1 --role office\n  govtrust serve                        # http://127.0.0.1:8080/\n  govtrust serve --db postgres://govtrust:pw@localhost/govtrust --listen 127.0.0.1:9000"
    )]
    Serve(serve::Args),
    /// The workbench's users: add, list, passwd, remove.
    Users(users::Args),
}

/// Scheme and data locations shared by commands.
#[derive(clap::Args, Debug, Clone)]
pub struct Inputs {
    /// Scheme: a directory of TOML files, or one file.
    #[arg(long, default_value = "indicators")]
    pub scheme: PathBuf,
    /// Data directory holding the files the scheme names.
    #[arg(long, default_value = "datasets/demo")]
    pub data: PathBuf,
    /// Treat any rejected input row as an error.
    #[arg(long)]
    pub strict: bool,
    /// Assess another period than the scheme's: 2025, 2025-Q1, 2025-03
    /// or 2025-01-01..2025-03-31.
    #[arg(long, value_parser = parse_period)]
    pub period: Option<crate::scheme::Period>,
}

fn parse_period(s: &str) -> Result<crate::scheme::Period, String> {
    crate::scheme::Period::parse(s)
}

impl Inputs {
    /// Claim `out` for `command`'s output: it may not be, contain or lie
    /// inside the scheme or the data (see [`crate::outdir`]).
    pub fn claim(
        &self,
        out: &std::path::Path,
        command: &'static str,
    ) -> crate::outdir::Result<crate::outdir::OutDir> {
        crate::outdir::OutDir::claim(
            out,
            &crate::outdir::Purpose {
                command,
                also_replaces: &[],
                inputs: &[
                    ("the scheme", &self.scheme),
                    ("the data directory", &self.data),
                ],
            },
        )
    }

    /// The scheme, for `--period` if given.
    pub fn load_scheme(&self) -> Result<crate::scheme::Scheme, crate::scheme::SchemeError> {
        let s = crate::scheme::load(&self.scheme)?;
        Ok(match self.period {
            Some(p) => s.with_period(p),
            None => s,
        })
    }

    /// Load the scheme (for `--period`) and assess the data.
    pub fn assess(&self) -> anyhow::Result<crate::run::Run> {
        let t = crate::Stopwatch::new("run");
        Ok(crate::run::assess_scheme(
            self.load_scheme()?,
            &self.data,
            self.load_options(),
            t,
        )?)
    }

    /// Load options from the flags, counting datasets for the progress bar.
    pub fn load_options(&self) -> crate::data::LoadOptions {
        crate::data::LoadOptions {
            strict: self.strict,
            progress: Some(&progress::DATASETS),
            window_bytes: None,
            window_rows: None,
        }
    }
}

/// Parse the command line and run; the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match &cli.command {
        Command::Assess(a) => assess::run(a, cli.quiet),
        Command::Check(a) => check::run(a, cli.quiet),
        Command::Generate(a) => generate::run(a, cli.quiet),
        Command::Sensitivity(a) => sensitivity::run(a, cli.quiet),
        Command::Audit(a) => audit::run(a, cli.quiet),
        Command::Explain(a) => explain::run(a, cli.quiet),
        Command::Compare(a) => compare::run(a, cli.quiet),
        Command::Objections(a) => objections::run(a, cli.quiet),
        Command::Serve(a) => serve::run(a, cli.quiet),
        Command::Users(a) => users::run(a, cli.quiet),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// An error and its causes on one line, each cause only if its text is
/// not already said (many errors quote their source's text).
fn message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}
