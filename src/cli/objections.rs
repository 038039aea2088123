//! `govtrust objections`: the objection register (异议登记) between runs.
//! `import` appends the objections marked on returned feedback forms;
//! `list` shows the pending ones with their due dates.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use crate::data::objections::{Status, import};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Append the objections marked on returned feedback forms
    /// (feedback/UNIT.xlsx, 是否异议 = 是) to the register, as pending.
    #[command(
        after_help = "Example:\n  govtrust objections import returned/*.xlsx --register datasets/demo/objections.csv --run reports/demo --date 2026-01-20"
    )]
    Import(ImportArgs),
    /// List pending objections with their due dates (working days, by
    /// the scheme's calendar); overdue ones first.
    #[command(after_help = "Example:\n  govtrust objections list --date 2026-01-20")]
    List(ListArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Returned feedback forms (.xlsx).
    #[arg(required = true)]
    pub forms: Vec<PathBuf>,
    /// The register to append to (created if missing).
    #[arg(long)]
    pub register: PathBuf,
    /// The report the forms came from: a mark counts only on a record in
    /// its evidence.csv for the form's unit.
    #[arg(long, default_value = "reports/demo")]
    pub run: PathBuf,
    /// The day the objections are filed (default: today).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub inputs: super::Inputs,
    /// The register to list (default: the scheme's `[objections] file`);
    /// a file in the data directory, whose records it is checked against.
    #[arg(long)]
    pub register: Option<PathBuf>,
    /// Judge deadlines as of this day (default: today).
    #[arg(long)]
    pub date: Option<String>,
}

fn day(s: &Option<String>) -> Result<NaiveDate> {
    match s {
        None => Ok(chrono::Local::now().date_naive()),
        Some(d) => match crate::calendar::parse_date(d) {
            Some(x) => Ok(x),
            None => bail!("--date {d:?}: not a date (expected 2026-01-20 or 2026/1/20)"),
        },
    }
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    match &a.command {
        Sub::Import(i) => run_import(i, quiet),
        Sub::List(l) => run_list(l, quiet),
    }
}

fn run_import(a: &ImportArgs, quiet: bool) -> Result<ExitCode> {
    let filed = day(&a.date)?;
    let evidence = import::evidence_keys(&a.run)?;
    let out = import::import(&a.forms, &a.register, &evidence, filed)?;
    if !quiet {
        println!(
            "异议登记 {}：新增待处理异议{}条，已登记过的{}条，拒收{}条",
            a.register.display(),
            out.added.len(),
            out.already,
            out.refused.len()
        );
        for (d, k, u, _) in &out.added {
            println!("  新增：{u} {d} {k}（{}提出）", filed);
        }
    }
    for r in &out.refused {
        eprintln!("{}: row {}: {}", r.file.display(), r.row, r.reason);
    }
    Ok(if out.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_list(a: &ListArgs, quiet: bool) -> Result<ExitCode> {
    let mut s = a.inputs.load_scheme()?;
    if let Some(r) = &a.register {
        let data = a
            .inputs
            .data
            .canonicalize()
            .unwrap_or_else(|_| a.inputs.data.clone());
        let full = r
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("{}: {e}", r.display()))?;
        let Ok(rel) = full.strip_prefix(&data) else {
            bail!(
                "{}: the register is checked against the records of the data directory {}, and must be in it\n    hint: give --data the directory that holds it",
                r.display(),
                a.inputs.data.display()
            );
        };
        s.objections.file = Some(rel.to_string_lossy().into_owned());
    }
    let Some(file) = &s.objections.file else {
        bail!(
            "the scheme has no [objections] file: there is no register to list\n    hint: add [objections] file = \"objections.csv\" (docs/scheme.md section 3)"
        );
    };
    let as_of = day(&a.date)?;
    // The records are read too: a row naming no record, or another
    // unit's, is not an objection (docs/scheme.md section 3).
    let loaded = crate::run::load_and_measure(
        &s,
        &a.inputs.data,
        a.inputs.load_options(),
        &mut crate::Stopwatch::new("objections"),
    )?
    .loaded;
    let reg = loaded.register.expect("the scheme names a register");
    let units = &loaded.units;
    let mut pending: Vec<_> = reg
        .rows
        .iter()
        .filter(|o| o.status == Status::Pending)
        .collect();
    pending.sort_by_key(|o| (o.due_on, o.line));
    let overdue = pending.iter().filter(|o| o.due_on < as_of).count();
    if !quiet {
        println!(
            "异议登记 {}（截至{}，答复期限{}个工作日）：待处理{}条，其中逾期{}条；登记有误未采用的{}行（见 rejects.csv）",
            a.inputs.data.join(file).display(),
            crate::report::words::date(as_of),
            s.objections.reply_days,
            pending.len(),
            overdue,
            reg.rejects.len()
        );
        for o in &pending {
            println!(
                "  {}  第{}行  {}（{}）  {} {}  {}提出，应于{}前答复",
                if o.due_on < as_of {
                    "逾期"
                } else {
                    "待处理"
                },
                o.line,
                units.names[o.unit],
                units.ids[o.unit],
                s.datasets[o.dataset].title,
                crate::render::printable(&o.record_key),
                o.filed_on,
                o.due_on
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
