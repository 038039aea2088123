//! Early warnings (预警), beyond the contract: `[[alert]]` (a count per
//! unit tested against its peers and its own history) and `[[screen]]`
//! (Benford first-digit screening of a number column). They never change
//! a point.

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{At, Validator};
use super::datasets::ColType;
use super::expr::SqlExpr;
use super::items::ItemCtx;
use super::rules::target;
use crate::diag::S;

/// `[[alert]]` (预警): a count per unit tested against the unit's own
/// history and its peers' rate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlert {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub per: Option<S<String>>,
    pub alpha: Option<S<f64>>,
}

/// `[[screen]]`: Benford first-digit screening of a numeric column.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScreen {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    pub column: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub min_n: Option<S<i64>>,
    pub alpha: Option<S<f64>>,
}

/// An early-warning count (预警): matching counted records per unit,
/// tested against the unit's own history and its peers' rate.
#[derive(Debug, Clone)]
pub struct Alert {
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub where_: Option<SqlExpr>,
    /// Unit attribute the peers' rate is per (e.g. population).
    pub per: Option<String>,
    /// Significance level after Benjamini-Hochberg across units.
    pub alpha: f64,
}

/// A Benford first-digit screen of a numeric column: a fraud-screening
/// signal, never a deduction.
#[derive(Debug, Clone)]
pub struct Screen {
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub column: String,
    pub where_: Option<SqlExpr>,
    pub min_n: u64,
    pub alpha: f64,
}

fn alpha(v: &mut Validator, f: usize, a: &Option<S<f64>>) -> f64 {
    match a {
        None => 0.05,
        Some(x) => {
            if !(*x.get_ref() > 0.0 && *x.get_ref() < 1.0) {
                v.err(f, x.span().start, "alpha must be in (0, 1)");
            }
            *x.get_ref()
        }
    }
}

/// `[[alert]]` and `[[screen]]` sections.
pub(super) fn check(
    v: &mut Validator,
    cx: &mut ItemCtx,
    alerts: &[At<S<RawAlert>>],
    screens: &[At<S<RawScreen>>],
) -> Option<(Vec<Alert>, Vec<Screen>)> {
    let n0 = v.diags.len();
    let mut out_a = Vec::new();
    for (f, a) in alerts {
        let (f, a) = (*f, a.get_ref());
        let (ds, where_) = target(v, cx, f, &a.dataset, &a.where_);
        let alpha = alpha(v, f, &a.alpha);
        if let Some(ds) = ds {
            out_a.push(Alert {
                id: a.id.get_ref().clone(),
                name: a
                    .name
                    .as_ref()
                    .map_or_else(|| a.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                where_,
                per: a.per.as_ref().map(|p| p.get_ref().clone()),
                alpha,
            });
        }
    }
    let mut out_s = Vec::new();
    for (f, s) in screens {
        let (f, s) = (*f, s.get_ref());
        let (ds, where_) = target(v, cx, f, &s.dataset, &s.where_);
        if let (Some(ds), Some(all)) = (ds, cx.datasets.as_ref()) {
            match all[ds].column(s.column.get_ref()) {
                Some(c) if matches!(c.ty, ColType::Int | ColType::Float) => {}
                _ => {
                    v.err(f, s.column.span().start, format!(
                        "screen {}: column {:?} must be a declared int or float column of dataset {}",
                        s.id.get_ref(),
                        s.column.get_ref(),
                        all[ds].id
                    ));
                }
            }
        }
        let min_n = s.min_n.as_ref().map_or(100, |m| {
            if *m.get_ref() < 10 {
                v.err(
                    f,
                    m.span().start,
                    "min_n must be at least 10 for a first-digit test",
                );
            }
            (*m.get_ref()).max(0) as u64
        });
        let alpha = alpha(v, f, &s.alpha);
        if let Some(ds) = ds {
            out_s.push(Screen {
                id: s.id.get_ref().clone(),
                name: s
                    .name
                    .as_ref()
                    .map_or_else(|| s.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                column: s.column.get_ref().clone(),
                where_,
                min_n,
                alpha,
            });
        }
    }
    (v.diags.len() == n0).then_some((out_a, out_s))
}
