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
            "{} → {}：比较{}个单位，名次变化{moved}个，等次变化{}个，类别变化{}个，新增{}个，不再参评{}个",
            old.label,
            new.label,
            changes.len(),
            count(ChangeStatus::GradeChanged),
            count(ChangeStatus::GroupChanged),
            count(ChangeStatus::Added),
            count(ChangeStatus::Removed)
        );
        if old.period.is_some() && old.period == new.period {
            let (a, b) = old.period.clone().unwrap_or_default();
            println!(
                "  注意：两次结果的考核期间相同（{a} 至 {b}），名次变化来自数据或考核方案的改动，不是两个期间之间的变化"
            );
        }
        for (what, up) in [("上升最多", true), ("下降最多", false)] {
            let mut m: Vec<(i64, &str)> = changes
                .iter()
                .filter_map(|c| Some((c.rank_change()?, c.new.as_ref()?.name.as_str())))
                .filter(|(d, _)| if up { *d > 0 } else { *d < 0 })
                .collect();
            m.sort_by_key(|(d, name)| (if up { -d } else { *d }, *name));
            if !m.is_empty() {
                let list: Vec<String> = m
                    .iter()
                    .take(5)
                    .map(|(d, n)| format!("{n}（{}{}）", if *d > 0 { "↑" } else { "↓" }, d.abs()))
                    .collect();
                println!("  名次{what}：{}", list.join("、"));
            }
        }
        println!("  结果已写入 {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
