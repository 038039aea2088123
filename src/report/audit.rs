//! The audit's files (`govtrust audit`): audit_indicators.csv,
//! audit_correlations.csv, audit_alpha.csv and audit_findings.md.
//! Numbers are written as numbers: only text cells are guarded against
//! spreadsheet formulas (see [`super::csv::safe_text`]).

use super::csv::{Cell, write_csv};
use super::{ExportError, Exporter, OutFile, fmt_full};
use crate::analysis::audit::Audit;
use crate::run::Run;

pub struct AuditFiles;

impl Exporter for AuditFiles {
    fn export(&self, r: &Run) -> Result<Vec<OutFile>, ExportError> {
        let Some(au) = &r.audit else {
            return Ok(Vec::new());
        };
        Ok(vec![
            ("audit_indicators.csv".to_string(), indicators(r, au)?),
            ("audit_correlations.csv".to_string(), correlations(r, au)?),
            ("audit_alpha.csv".to_string(), alphas(r, au)?),
            ("audit_findings.md".to_string(), findings(r, au)),
        ])
    }
}

fn num(x: f64) -> Cell<'static> {
    Cell::Raw(fmt_full(x))
}

fn opt(x: Option<f64>) -> Cell<'static> {
    Cell::Raw(x.map_or(String::new(), fmt_full))
}

/// Per group and indicator: coverage, moments, outliers, correlations.
fn indicators(r: &Run, au: &Audit) -> Result<Vec<u8>, ExportError> {
    let s = &r.scheme;
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
    let rows = au.indicators.iter().zip(&outliers).map(|(x, out)| {
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
        rows,
    )
}

/// Pairwise correlations of indicators per group.
fn correlations(r: &Run, au: &Audit) -> Result<Vec<u8>, ExportError> {
    let s = &r.scheme;
    let rows = au.correlations.iter().map(|c| {
        vec![
            Cell::Text(&c.group),
            Cell::Text(&s.indicators[c.a].id),
            Cell::Text(&s.indicators[c.b].id),
            Cell::Raw(c.n.to_string()),
            num(c.pearson),
            num(c.spearman),
        ]
    });
    write_csv(
        &[
            "group",
            "indicator_a",
            "indicator_b",
            "n",
            "pearson",
            "spearman",
        ],
        rows,
    )
}

/// Cronbach's alpha per group and dimension.
fn alphas(r: &Run, au: &Audit) -> Result<Vec<u8>, ExportError> {
    let rows = au.alphas.iter().map(|(g, n, alpha, k, units)| {
        vec![
            Cell::Text(g),
            Cell::Text(&r.scheme.tree[*n].id),
            num(*alpha),
            Cell::Raw(k.to_string()),
            Cell::Raw(units.to_string()),
        ]
    });
    write_csv(
        &["group", "node_id", "cronbach_alpha", "indicators", "units"],
        rows,
    )
}

/// The findings in plain language, one per line.
fn findings(r: &Run, au: &Audit) -> Vec<u8> {
    let mut md = format!("# {} 指标体系审计\n\n", r.scheme.name);
    if au.findings.is_empty() {
        md.push_str("未发现需要处理的问题。\n");
    }
    for f in &au.findings {
        md.push_str(&format!("- {f}\n"));
    }
    md.into_bytes()
}
