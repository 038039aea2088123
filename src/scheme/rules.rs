//! Section 7: bonus (加分), penalty (扣分) and veto (一票否决) rules.

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{At, Validator, applies_to};
use super::expr::{self, SqlExpr, Want, Written};
use super::items::ItemCtx;
use super::measures::{Points, PointsSchema, points};
use crate::diag::{S, list};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    #[schemars(with = "PointsSchema")]
    pub points: S<toml::Value>,
    pub cap: Option<S<f64>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVeto {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub grade: Option<S<String>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    Bonus,
    Penalty,
    Veto,
}

/// A bonus (加分), penalty (扣分) or veto (一票否决) rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: RuleKind,
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub where_: Option<SqlExpr>,
    /// Bonus and penalty only (a veto record carries 0 points).
    pub points: Points,
    pub cap: Option<f64>,
    /// Veto only: index into [`super::Scheme::grades`].
    pub grade: usize,
    pub applies_to: Option<Vec<String>>,
}

impl Rule {
    pub fn applies(&self, group: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|g| g.iter().any(|x| x == group))
    }
}

/// The dataset and the checked `where` of a rule (or an early warning).
pub(super) fn target(
    v: &mut Validator,
    cx: &mut ItemCtx,
    f: usize,
    dataset: &S<String>,
    where_: &Option<S<String>>,
) -> (Option<usize>, Option<SqlExpr>) {
    let ds = cx.dataset(v, f, dataset);
    let w = match (where_, ds) {
        (Some(text), Some(ds)) => {
            let w = Written {
                file: f,
                field: "where",
                text,
            };
            expr::check(v, cx, &w, ds, Want::Condition)
        }
        _ => None,
    };
    (ds, w)
}

fn name(id: &S<String>, name: &Option<S<String>>) -> String {
    name.as_ref()
        .map_or_else(|| id.get_ref().clone(), |n| n.get_ref().clone())
}

/// `[[bonus]]` or `[[penalty]]` rules.
pub(super) fn check(
    v: &mut Validator,
    cx: &mut ItemCtx,
    raw: &[At<S<RawRule>>],
    kind: RuleKind,
) -> Option<Vec<Rule>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for (f, r) in raw {
        let (f, r) = (*f, r.get_ref());
        let (ds, where_) = target(v, cx, f, &r.dataset, &r.where_);
        let points = points(v, cx, f, ds, &r.points);
        let cap = r.cap.as_ref().map(|c| {
            if !(c.get_ref().is_finite() && *c.get_ref() >= 0.0) {
                v.err(f, c.span().start, "cap must be a number >= 0");
            }
            *c.get_ref()
        });
        let applies_to = applies_to(v, f, &r.applies_to);
        if let (Some(ds), Some(points)) = (ds, points) {
            out.push(Rule {
                kind: kind.clone(),
                id: r.id.get_ref().clone(),
                name: name(&r.id, &r.name),
                dataset: ds,
                where_,
                points,
                cap,
                grade: 0,
                applies_to,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}

/// `[[veto]]` rules: the grade they give (default the lowest).
pub(super) fn vetoes(
    v: &mut Validator,
    cx: &mut ItemCtx,
    raw: &[At<S<RawVeto>>],
) -> Option<Vec<Rule>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for (f, r) in raw {
        let (f, r) = (*f, r.get_ref());
        let (ds, where_) = target(v, cx, f, &r.dataset, &r.where_);
        let grade = match cx.grades.as_ref() {
            Some(g) if g.is_empty() => {
                v.err(f, r.id.span().start, "a veto needs [[grade]]s to assign");
                None
            }
            Some(g) => match &r.grade {
                None => Some(g.len() - 1),
                Some(name) => match g.iter().position(|x| &x.name == name.get_ref()) {
                    Some(i) => Some(i),
                    None => {
                        v.err(
                            f,
                            name.span().start,
                            format!("unknown grade {:?}", name.get_ref()),
                        )
                        .hint(format!("grades: {}", list(g.iter().map(|x| &x.name), 9)));
                        None
                    }
                },
            },
            None => None,
        };
        let applies_to = applies_to(v, f, &r.applies_to);
        if let (Some(ds), Some(grade)) = (ds, grade) {
            out.push(Rule {
                kind: RuleKind::Veto,
                id: r.id.get_ref().clone(),
                name: name(&r.id, &r.name),
                dataset: ds,
                where_,
                points: Points::Fixed(0.0),
                cap: None,
                grade,
                applies_to,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}
