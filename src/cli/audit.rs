//! `govtrust audit`: the scheme's statistical audit on the data at hand.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::analysis::audit;
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

fn csv(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut buf = report::csv::BOM.to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut buf);
        w.write_record(header)?;
        for r in rows {
            w.write_record(r.iter().map(|c| report::csv::safe_text(c).into_owned()))?;
        }
        w.flush()?;
    }
    Ok(buf)
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let r = run::assess(&a.inputs.scheme, &a.inputs.data, a.inputs.load_options())?;
    let au = audit::audit(&r, a.min_units);
    let s = &r.scheme;
    let opt = |x: Option<f64>| x.map_or(String::new(), fmt_full);
    let indicators = au
        .indicators
        .iter()
        .map(|x| {
            vec![
                x.group.clone(),
                s.indicators[x.indicator].id.clone(),
                s.indicators[x.indicator].name.clone(),
                x.applicable.to_string(),
                x.valued.to_string(),
                fmt_full(x.valued as f64 / x.applicable.max(1) as f64),
                fmt_full(x.mean),
                fmt_full(x.sd),
                fmt_full(x.skewness),
                fmt_full(x.kurtosis),
                x.outliers
                    .iter()
                    .map(|&u| r.data.units.ids[u].as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                fmt_full(x.mode_share),
                opt(x.with_dimension),
                opt(x.with_total),
            ]
        })
        .collect();
    let correlations = au
        .correlations
        .iter()
        .map(|c| {
            vec![
                c.group.clone(),
                s.indicators[c.a].id.clone(),
                s.indicators[c.b].id.clone(),
                c.n.to_string(),
                fmt_full(c.pearson),
                fmt_full(c.spearman),
            ]
        })
        .collect();
    let alphas = au
        .alphas
        .iter()
        .map(|(g, n, alpha, k, units)| {
            vec![
                g.clone(),
                s.tree[*n].id.clone(),
                fmt_full(*alpha),
                k.to_string(),
                units.to_string(),
            ]
        })
        .collect();
    let mut md = format!("# {} 指标体系审计\n\n", s.name);
    if au.findings.is_empty() {
        md.push_str("未发现需要处理的问题。\n");
    }
    for f in &au.findings {
        md.push_str(&format!("- {f}\n"));
    }
    let files = vec![
        (
            "audit_indicators.csv".to_string(),
            csv(
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
            csv(
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
            csv(
                &["group", "node_id", "cronbach_alpha", "indicators", "units"],
                alphas,
            )?,
        ),
        ("audit_findings.md".to_string(), md.into_bytes()),
    ];
    report::write_files(&files, &a.out)?;
    if !quiet {
        println!("{} findings:", au.findings.len());
        for f in au.findings.iter().take(20) {
            println!("  - {f}");
        }
        println!("  written to {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
