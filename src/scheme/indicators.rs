//! Section 2: `[[indicator]]`: which dataset, which groups, how its
//! records become a value (section 4) and the value an attainment
//! (section 6), and what a missing value does (section 5).

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{Validator, applies_to};
use super::header::{MISSING, MissingPolicy};
use super::items::ItemCtx;
use super::measures::{self, Measure, RawMeasure};
use super::scores::{self, RawScore, Score};
use crate::diag::S;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub parent: Option<S<String>>,
    pub weight: S<f64>,
    pub dataset: S<String>,
    pub applies_to: Option<S<Vec<S<String>>>>,
    pub measure: S<RawMeasure>,
    pub min_n: Option<S<i64>>,
    /// "higher" (default) or "lower": which way is better; may be given
    /// here or inside `score`, not differently in both.
    pub direction: Option<S<String>>,
    pub score: S<RawScore>,
    pub missing: Option<S<String>>,
    pub shrink: Option<S<f64>>,
    pub description: Option<S<String>>,
    /// The unit of the indicator's value as readers see it (e.g.
    /// "个工作日", "件"); "%" shows a ratio as a percentage.
    pub value_unit: Option<S<String>>,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `value_unit`, if given.
    pub value_unit: Option<String>,
    /// Index of the indicator's own entry in [`super::Scheme::tree`].
    pub node: usize,
    pub dataset: usize,
    /// Groups the indicator applies to; `None` = all.
    pub applies_to: Option<Vec<String>>,
    pub measure: Measure,
    pub min_n: u64,
    pub score: Score,
    pub missing: MissingPolicy,
    pub shrink: Option<f64>,
}

impl Indicator {
    pub fn applies(&self, group: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|g| g.iter().any(|x| x == group))
    }
}

/// Every indicator: (file, its leaf in the tree, as written).
pub(super) fn check(
    v: &mut Validator,
    cx: &mut ItemCtx,
    leaves: &[(usize, usize, &RawIndicator)],
) -> Option<Vec<Indicator>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for &(f, node, r) in leaves {
        let ds = cx.dataset(v, f, &r.dataset);
        let applies_to = applies_to(v, f, &r.applies_to);
        let measure = ds.and_then(|ds| measures::check(v, cx, f, ds, r.measure.get_ref()));
        let score = scores::check(v, f, r.score.get_ref(), &r.direction);
        let min_n = r.min_n.as_ref().map_or(0, |m| {
            if *m.get_ref() < 0 {
                v.err(f, m.span().start, "min_n must be >= 0");
            }
            (*m.get_ref()).max(0) as u64
        });
        let missing = v.choice(
            f,
            &r.missing,
            MISSING,
            cx.missing.unwrap_or(MissingPolicy::Reweight),
        );
        let shrink = r.shrink.as_ref().map(|s| shrink(v, f, r, s));
        if let (Some(ds), Some(measure), Some(score)) = (ds, measure, score) {
            out.push(Indicator {
                id: r.id.get_ref().clone(),
                name: r
                    .name
                    .as_ref()
                    .map_or_else(|| r.id.get_ref().clone(), |n| n.get_ref().clone()),
                description: r.description.as_ref().map(|d| d.get_ref().clone()),
                value_unit: r
                    .value_unit
                    .as_ref()
                    .map(|d| d.get_ref().trim().to_string()),
                node,
                dataset: ds,
                applies_to,
                measure,
                min_n,
                score,
                missing,
                shrink,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}

/// `shrink = k`: positive, on a share, mean or ratio (section 5).
fn shrink(v: &mut Validator, f: usize, r: &RawIndicator, s: &S<f64>) -> f64 {
    if !(s.get_ref().is_finite() && *s.get_ref() > 0.0) {
        v.err(f, s.span().start, "shrink must be a positive number");
    }
    let kind = r.measure.get_ref().kind.get_ref();
    if !measures::SHRINKABLE.contains(&kind.as_str()) {
        v.err(
            f,
            s.span().start,
            format!("shrink applies to share, mean and ratio, not {kind}"),
        );
    }
    *s.get_ref()
}
