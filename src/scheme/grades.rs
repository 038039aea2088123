//! Section 8: `[[grade]]`s (等次), best first, with their minimum totals,
//! quotas and colours.

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{At, Validator};
use crate::diag::S;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub name: S<String>,
    pub min: S<f64>,
    pub quota: Option<S<f64>>,
    /// Colour for charts, `#rrggbb`.
    pub color: Option<S<String>>,
}

#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min: f64,
    pub quota: Option<f64>,
    pub color: Option<String>,
}

pub(super) fn check(v: &mut Validator, raw: &[At<S<RawGrade>>]) -> Option<Vec<Grade>> {
    let n0 = v.diags.len();
    let mut out: Vec<Grade> = Vec::new();
    for (f, g) in raw {
        let (f, g) = (*f, g.get_ref());
        let min = *g.min.get_ref();
        if !min.is_finite() {
            v.err(f, g.min.span().start, "min must be a number");
        }
        if let Some(prev) = out.last() {
            if min >= prev.min {
                v.err(
                    f,
                    g.min.span().start,
                    format!(
                        "grade {:?}: min {min} is not below the previous grade's min {}",
                        g.name.get_ref(),
                        prev.min
                    ),
                )
                .hint("list grades from best to worst with descending min");
            }
        }
        if out.iter().any(|o| &o.name == g.name.get_ref()) {
            v.err(
                f,
                g.name.span().start,
                format!("grade {:?} is defined twice", g.name.get_ref()),
            );
        }
        if let Some(q) = &g.quota {
            if !(*q.get_ref() > 0.0 && *q.get_ref() <= 1.0) {
                v.err(f, q.span().start, "quota must be in (0, 1]");
            }
        }
        if let Some(c) = &g.color {
            let s = c.get_ref();
            if !(s.len() == 7
                && s.starts_with('#')
                && s[1..].chars().all(|c| c.is_ascii_hexdigit()))
            {
                v.err(f, c.span().start, "color must be #rrggbb");
            }
        }
        out.push(Grade {
            name: g.name.get_ref().clone(),
            min,
            quota: g.quota.as_ref().map(|q| *q.get_ref()),
            color: g.color.as_ref().map(|c| c.get_ref().clone()),
        });
    }
    (v.diags.len() == n0).then_some(out)
}
