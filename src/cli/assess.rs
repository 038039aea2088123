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
    /// Assess with this objection register instead of the scheme's
    /// `[objections] file` (e.g. a workbench run's RUNS/ID/objections.csv,
    /// to replay it). Reports name it by its file name.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// The bulletin's 文号, in place of `[bulletin] number` (e.g. for a
    /// quarter's bulletin with --period, which does not carry the
    /// scheme's).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub bulletin_number: Option<String>,
    /// The bulletin's 成文日期 (2026-04-10), in place of `[bulletin]
    /// date`; objection deadlines are judged as of it.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub bulletin_date: Option<chrono::NaiveDate>,
}

fn parse_text(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err("the 文号 is empty".to_string()),
        t => Ok(t.to_string()),
    }
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::calendar::parse_date(s)
        .ok_or_else(|| format!("{s:?} is not a date (expected 2026-04-10 or 2026/4/10)"))
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    // Claim the output first: a refused --out fails before any work.
    let out = a.inputs.claim(&a.out, "assess")?;
    // Read the previous run first: a wrong path fails before the work.
    let previous = a
        .previous
        .as_deref()
        .map(crate::history::Snapshot::read)
        .transpose()?;
    let progress = super::progress::Spinner::new(quiet);
    progress.stage("loading and measuring records");
    let mut scheme = a.inputs.load_scheme()?;
    if let Some(r) = &a.register {
        if !r.is_file() {
            anyhow::bail!("--register {}: no such file", r.display());
        }
        scheme.objections.use_register(r);
    }
    if let Some(n) = &a.bulletin_number {
        scheme.bulletin.number = Some(n.clone());
    }
    if let Some(d) = a.bulletin_date {
        if d < scheme.period.end {
            anyhow::bail!(
                "--bulletin-date: {}",
                crate::scheme::publication::before_end(d, scheme.period.end)
            );
        }
        scheme.bulletin.date = Some(d);
    }
    let mut run = run::assess_scheme(
        scheme,
        &a.inputs.data,
        a.inputs.load_options(),
        crate::Stopwatch::new("run"),
    )?;
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
    let sc = &run.scheme;
    println!("{}（{}）", sc.name, crate::report::words::period(sc));
    for (g, members) in units
        .group_order
        .iter()
        .zip(run.scored.ranked_groups(units))
    {
        let top: Vec<String> = members
            .iter()
            .take_while(|&&u| s.units[u].rank == 1)
            .map(|&u| format!("{} {:.2}分", units.names[u], s.units[u].total))
            .collect();
        let vetoed = members
            .iter()
            .filter(|&&u| !s.units[u].vetoes.is_empty())
            .count();
        println!(
            "  {}：{}个单位参评，第一名{}{}",
            sc.group_name(g),
            members.len(),
            top.join("、"),
            if vetoed > 0 {
                format!("；一票否决{vetoed}个")
            } else {
                String::new()
            }
        );
    }
    let rows: u64 = run
        .data
        .inputs
        .iter()
        .filter(|i| i.dataset != crate::data::objections::DATASET)
        .map(|i| i.accounting.rows_read)
        .sum();
    println!(
        "  读取记录{}条，拒收{}条（见 rejects.csv），扣分、加分、否决所依据的记录{}条",
        rows,
        run.data.rejects.len(),
        run.evidence.len()
    );
    let blank: u64 = run.data.inputs.iter().map(|i| i.blank_lines).sum();
    if blank > 0 {
        println!("  跳过空行{blank}行（不是记录，见 manifest.json）");
    }
    let pending: u64 = run
        .data
        .inputs
        .iter()
        .filter(|i| i.dataset != crate::data::objections::DATASET)
        .map(|i| i.pending_objections)
        .sum();
    if pending > 0 {
        let how = match sc.pending_objections {
            crate::scheme::PendingPolicy::Count => "照常计分，并在 evidence.csv 中标注",
            crate::scheme::PendingPolicy::Exclude => "处理完毕前不计分",
        };
        println!("  异议待处理的记录{pending}条（{how}）");
    }
    if let Some(r) = &run.data.register {
        register_summary(run, r);
    }
    if !run.signals.is_empty() {
        let by = |k: SignalKind| run.signals.iter().filter(|w| w.kind == k).count();
        println!(
            "  预警：高于同类单位{}项，高于本单位以往水平{}项，本福特定律筛查{}项，数据覆盖不足的指标{}项（见 warnings.csv）",
            by(SignalKind::PeerRate),
            by(SignalKind::OwnHistory),
            by(SignalKind::Benford),
            by(SignalKind::Coverage)
        );
    }
    if let Some(u) = &run.uncertainty {
        let unstable = u.units.iter().filter(|x| !x.stable).count();
        println!(
            "  不确定性分析：模拟{}次，等次稳定概率低于{:.0}%的单位{unstable}个（见 uncertainty.csv）",
            u.draws,
            u.threshold * 100.0
        );
    }
    for w in run.warnings() {
        println!("  警告：{w}");
    }
    println!("  结果已写入 {}", out.display());
}

/// The register's line of the summary, and each overdue objection.
fn register_summary(run: &Run, r: &crate::data::objections::Register) {
    use crate::data::objections::Status;
    let n = |s: Status| r.rows.iter().filter(|o| o.status == s).count();
    let overdue: Vec<_> = r.overdue().collect();
    println!(
        "  异议登记 {}：采用{}条（待处理{}条，成立{}条，驳回{}条），拒收{}条；截至{}超过{}个工作日答复期限的{}条",
        r.file,
        r.rows.len(),
        n(Status::Pending),
        n(Status::Upheld),
        n(Status::Rejected),
        r.rejects.len(),
        crate::report::words::date(r.as_of),
        run.scheme.objections.reply_days,
        overdue.len()
    );
    for o in overdue {
        println!(
            "    逾期未答复：{}，{} {}，{}登记，应于{}前答复（第{}行）",
            run.data.units.names[o.unit],
            run.scheme.datasets[o.dataset].title,
            crate::render::printable(&o.record_key),
            crate::report::words::date(o.filed_on),
            crate::report::words::date(o.due_on),
            o.line
        );
    }
}
