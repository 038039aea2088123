//! `govtrust audit`: the scheme's statistical audit on the data at hand.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::analysis::audit;
use crate::report::csv::{Cell, write_csv};
use crate::report::{self, fmt_full};
use crate::run;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output directory (replaced as a whole, atomically).
    #[arg(long, default_value = "reports/audit")]
    pub out: PathBuf,
    /// Peer groups with fewer units are not audited.
    #[arg(long, default_value_t = 8)]
    pub min_units: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let out = a.inputs.claim(&a.out, "audit")?;
    let r = run::assess(&a.inputs.scheme, &a.inputs.data, a.inputs.load_options())?;
    let au = audit::audit(&r, a.min_units);
    let s = &r.scheme;
    // Numbers are written as numbers: only text cells are guarded
    // against spreadsheet formulas (see report::csv::safe_text).
    let num = |x: f64| Cell::Raw(fmt_full(x));
    let opt = |x: Option<f64>| Cell::Raw(x.map_or(String::new(), fmt_full));
    let outliers: Vec<String> = au
        .indicators
        .iter()
        .map(|x| {
            x.outliers
                .iter()
                .map(|&u| r.data.units.ids[u].as_str())
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect();
    let indicators = au.indicators.iter().zip(&outliers).map(|(x, out)| {
        vec![
            Cell::Text(&x.group),
            Cell::Text(&s.indicators[x.indicator].id),
            Cell::Text(&s.indicators[x.indicator].name),
            Cell::Raw(x.applicable.to_string()),
            Cell::Raw(x.valued.to_string()),
            num(x.valued as f64 / x.applicable.max(1) as f64),
            num(x.mean),
            num(x.sd),
            num(x.skewness),
            num(x.kurtosis),
            Cell::Text(out),
            num(x.mode_share),
            opt(x.with_dimension),
            opt(x.with_total),
        ]
    });
    let correlations = au.correlations.iter().map(|c| {
        vec![
            Cell::Text(&c.group),
            Cell::Text(&s.indicators[c.a].id),
            Cell::Text(&s.indicators[c.b].id),
            Cell::Raw(c.n.to_string()),
            num(c.pearson),
            num(c.spearman),
        ]
    });
    let alphas = au.alphas.iter().map(|(g, n, alpha, k, units)| {
        vec![
            Cell::Text(g),
            Cell::Text(&s.tree[*n].id),
            num(*alpha),
            Cell::Raw(k.to_string()),
            Cell::Raw(units.to_string()),
        ]
    });
    let mut md = format!("# {} 指标体系审计\n\n", s.name);
    if au.findings.is_empty() {
        md.push_str("未发现需要处理的问题。\n");
    }
    for f in &au.findings {
        md.push_str(&format!("- {f}\n"));
    }
    let mut files = vec![
        (
            "audit_indicators.csv".to_string(),
            write_csv(
                &[
                    "group",
                    "indicator_id",
                    "indicator_name",
                    "applicable",
                    "valued",
                    "coverage",
                    "mean",
                    "sd",
                    "skewness",
                    "kurtosis",
                    "outliers",
                    "mode_share",
                    "rho_dimension",
                    "rho_total",
                ],
                indicators,
            )?,
        ),
        (
            "audit_correlations.csv".to_string(),
            write_csv(
                &[
                    "group",
                    "indicator_a",
                    "indicator_b",
                    "n",
                    "pearson",
                    "spearman",
                ],
                correlations,
            )?,
        ),
        (
            "audit_alpha.csv".to_string(),
            write_csv(
                &["group", "node_id", "cronbach_alpha", "indicators", "units"],
                alphas,
            )?,
        ),
        ("audit_findings.md".to_string(), md.into_bytes()),
    ];
    let names = report::manifest::listing(&files);
    files.push(report::manifest::for_run(&r, "audit", names)?);
    report::write_files(&files, out)?;
    if !quiet {
        println!("{} findings:", au.findings.len());
        for f in au.findings.iter().take(20) {
            println!("  - {f}");
        }
        println!("  written to {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
