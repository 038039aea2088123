//! The audit's files (`govtrust audit`): audit_indicators.csv,
//! audit_correlations.csv, audit_alpha.csv and audit_findings.md.

use super::csv::{Cell, write_csv};
use super::{ExportError, Exporter, OutFile, fmt_full};
use crate::run::Run;

pub struct AuditFiles;

impl Exporter for AuditFiles {
    fn export(&self, r: &Run) -> Result<Vec<OutFile>, ExportError> {
        let Some(au) = &r.audit else {
            return Ok(Vec::new());
        };
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
        Ok(vec![
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
        ])
    }
}
