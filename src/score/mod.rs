//! Scoring (docs/scheme.md sections 5-8): measured values to attainments,
//! points, totals, ranks and grades.
//!
//! Scoring works on the small units × indicators matrix the measure stage
//! produced, in plain Rust: no records are touched here, so the same code
//! re-scores thousands of times per second under perturbed assumptions
//! ([`Config`]) for the uncertainty analysis.

mod adjust;
pub mod kinds;
pub mod rank;
pub mod values;
pub mod weights;

use std::borrow::Cow;

use crate::data::Units;
use crate::measure::Measured;
use crate::scheme::{
    Aggregation, MissingPolicy, NodeKind, Scheme, ScoreKind, VetoRank, WeightMethod,
};
pub use values::{Scored, Status};

/// The assumptions scoring runs under; [`Config::nominal`] is the scheme's.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Per tree node.
    pub weights: Vec<f64>,
    /// Per tree node (used for the root and [[node]]s).
    pub aggregation: Vec<Aggregation>,
    /// Per indicator.
    pub kinds: Vec<ScoreKind>,
    /// Per indicator.
    pub missing: Vec<MissingPolicy>,
}

impl Config {
    pub fn nominal(scheme: &Scheme) -> Self {
        Config {
            weights: scheme.tree.iter().map(|n| n.weight).collect(),
            aggregation: scheme.tree.iter().map(|n| n.aggregation).collect(),
            kinds: scheme
                .indicators
                .iter()
                .map(|i| i.score.kind.clone())
                .collect(),
            missing: scheme.indicators.iter().map(|i| i.missing).collect(),
        }
    }
}

/// One unit's result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitScore {
    /// Attainment per tree node (`None`: n/a or missing throughout).
    pub attainment: Vec<Option<f64>>,
    pub base: f64,
    pub bonus: f64,
    pub penalty: f64,
    /// base + bonus - penalty, never below 0, rounded to 2 decimals.
    pub total: f64,
    /// Indices into `scheme.rules` of the vetoes that hit the unit.
    pub vetoes: Vec<usize>,
    pub rank: usize,
    pub grade: Option<usize>,
}

impl UnitScore {
    /// The points of the root's children that have points for this unit,
    /// and their full points: what reweighting rescaled the base from.
    pub fn dimension_sums(&self, scheme: &Scheme) -> (f64, f64) {
        let (mut got, mut of) = (0.0, 0.0);
        for &n in &scheme.tree[0].children {
            if let Some(a) = self.attainment[n] {
                got += a * scheme.tree[n].points;
                of += scheme.tree[n].points;
            }
        }
        (got, of)
    }
}

/// Every unit's scores: the scored cells, each unit's result, the output
/// order.
#[derive(Debug, Clone)]
pub struct Scores {
    /// `cells[indicator][unit]`.
    pub cells: Vec<Vec<Scored>>,
    /// In register order.
    pub units: Vec<UnitScore>,
    /// Output order: by group (register order of groups), rank, register order.
    pub order: Vec<usize>,
    pub warnings: Vec<String>,
}

/// Weighted mean of (weight, attainment) pairs; `None` if there are none,
/// or if their weights sum to 0 (data-driven weights can give a child
/// weight 0: a unit whose present children all weigh 0 has no mean, and
/// 0/0 must never become a number). A child of weight 0 takes no part,
/// in a geometric mean too. (TOPSIS, which needs the whole peer group,
/// falls back to arithmetic for a single unit.)
pub fn aggregate(agg: Aggregation, parts: &[(f64, f64)]) -> Option<f64> {
    let w: f64 = parts.iter().map(|p| p.0).sum();
    if !(w > 0.0 && w.is_finite()) {
        return None;
    }
    let weighing = || parts.iter().filter(|p| p.0 > 0.0);
    Some(match agg {
        Aggregation::Arithmetic | Aggregation::Topsis => {
            weighing().map(|(wi, a)| wi * a).sum::<f64>() / w
        }
        Aggregation::Geometric => {
            if weighing().any(|p| p.1 <= 0.0) {
                0.0
            } else {
                (weighing().map(|(wi, a)| wi * a.ln()).sum::<f64>() / w).exp()
            }
        }
    })
}

/// `att[node][k]`: attainment of a tree node for the k-th unit of a group.
pub type Attainments = Vec<Vec<Option<f64>>>;

/// Attainment of every tree node for the units of one peer group
/// (`att[node][k]` for `members[k]`).
///
/// A node's children weigh as written, or, with `weights = "entropy"` or
/// `"critic"`, as derived from the group's units that have every child
/// (at least 2 such units, else as written). Units with every child
/// present are aggregated by TOPSIS under `aggregation = "topsis"`; a unit
/// missing a child falls back to the weighted mean of the children it has.
/// Also returns (node, k) wherever a node has children present for
/// `members[k]` but they all weigh 0 (the node is then missing for it).
pub fn group_attainments(
    scheme: &Scheme,
    cfg: &Config,
    order: &[usize],
    cells: &[Cow<'_, [Scored]>],
    members: &[usize],
) -> (Attainments, Vec<(usize, usize)>) {
    let mut weightless = Vec::new();
    let mut att: Vec<Vec<Option<f64>>> = vec![vec![None; members.len()]; scheme.tree.len()];
    let mut parts = Vec::new();
    for &n in order {
        let node = &scheme.tree[n];
        if let NodeKind::Indicator(i) = node.kind {
            att[n] = members.iter().map(|&u| cells[i][u].attainment).collect();
            continue;
        }
        let kids = &node.children;
        // The members with every child present: only data-driven weights
        // (entropy, CRITIC) and TOPSIS read them.
        let complete: Vec<usize> =
            if node.weights.is_some() || cfg.aggregation[n] == Aggregation::Topsis {
                (0..members.len())
                    .filter(|&k| kids.iter().all(|&c| att[c][k].is_some()))
                    .collect()
            } else {
                Vec::new()
            };
        let matrix = || -> Vec<Vec<f64>> {
            complete
                .iter()
                .map(|&k| kids.iter().map(|&c| att[c][k].unwrap()).collect())
                .collect()
        };
        let w: Vec<f64> = match node.weights {
            Some(m) if complete.len() >= 2 => match m {
                WeightMethod::Entropy => weights::entropy(&matrix()),
                WeightMethod::Critic => weights::critic(&matrix()),
            },
            _ => kids.iter().map(|&c| cfg.weights[c]).collect(),
        };
        let topsis = (cfg.aggregation[n] == Aggregation::Topsis && complete.len() >= 2)
            .then(|| weights::topsis(&matrix(), &w));
        let mut out = vec![None; members.len()];
        for (k, o) in out.iter_mut().enumerate() {
            parts.clear();
            parts.extend(
                kids.iter()
                    .zip(&w)
                    .filter_map(|(&c, &wc)| att[c][k].map(|a| (wc, a))),
            );
            *o = aggregate(cfg.aggregation[n], &parts);
            if o.is_none() && !parts.is_empty() {
                weightless.push((n, k));
            }
        }
        if let Some(t) = topsis {
            for (j, &k) in complete.iter().enumerate() {
                out[k] = Some(t[j]);
            }
        }
        att[n] = out;
    }
    (att, weightless)
}

impl Scores {
    /// The members of every group (register order of groups) in output
    /// order: by rank, then register order.
    pub fn ranked_groups(&self, units: &Units) -> Vec<Vec<usize>> {
        units
            .group_order
            .iter()
            .map(|g| {
                self.order
                    .iter()
                    .copied()
                    .filter(|&u| &units.groups[u] == g)
                    .collect()
            })
            .collect()
    }
}

/// Score every unit under `cfg`.
pub fn score_with(scheme: &Scheme, units: &Units, measured: &Measured, cfg: &Config) -> Scores {
    score_in(&Context::new(scheme, units), scheme, units, measured, cfg)
}

/// What scoring needs that does not change between calls: the peer groups
/// and the tree's bottom-up order (kept across Monte Carlo draws).
#[derive(Debug, Clone)]
pub struct Context {
    pub groups: Vec<Vec<usize>>,
    pub order: Vec<usize>,
}

impl Context {
    pub fn new(scheme: &Scheme, units: &Units) -> Self {
        Context {
            groups: units.groups(),
            order: scheme.post_order(),
        }
    }
}

/// [`score_with`] with a prepared [`Context`].
pub fn score_in(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
) -> Scores {
    score_reusing(ctx, scheme, units, measured, cfg, None)
}

/// [`score_in`], taking an indicator's scored cells from `known` (the
/// cells scored under `known.0`) where `cfg` scores it the same way (the
/// same kind and missing policy: nothing else of the configuration
/// reaches a cell). The Monte Carlo draws vary weights and the
/// normalisation of the few relative indicators, so most cells of a draw
/// are the nominal ones: borrowed, not scored again.
pub fn score_reusing(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
    known: Option<(&Config, &[Vec<Scored>])>,
) -> Scores {
    let (cells, units, order, warnings) =
        score_parts(ctx, scheme, units, measured, cfg, known, true);
    Scores {
        cells: cells.into_iter().map(Cow::into_owned).collect(),
        units,
        order,
        warnings,
    }
}

/// The units' scores alone (what a Monte Carlo draw keeps: rank, grade
/// and total), as [`score_reusing`] gives them, without copying any cell
/// and without each unit's node attainments (`attainment` is empty).
pub fn units_reusing(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
    known: Option<(&Config, &[Vec<Scored>])>,
) -> Vec<UnitScore> {
    score_parts(ctx, scheme, units, measured, cfg, known, false).1
}

type Parts<'c> = (
    Vec<Cow<'c, [Scored]>>,
    Vec<UnitScore>,
    Vec<usize>,
    Vec<String>,
);

fn score_parts<'c>(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
    known: Option<(&Config, &'c [Vec<Scored>])>,
    nodes: bool,
) -> Parts<'c> {
    let groups = &ctx.groups;
    let cells: Vec<Cow<'c, [Scored]>> = (0..scheme.indicators.len())
        .map(|i| match known {
            Some((k, cells)) if k.kinds[i] == cfg.kinds[i] && k.missing[i] == cfg.missing[i] => {
                Cow::Borrowed(cells[i].as_slice())
            }
            _ => Cow::Owned(values::score_indicator(
                scheme,
                i,
                &cfg.kinds[i],
                cfg.missing[i],
                &measured.cells[i],
                units,
                groups,
            )),
        })
        .collect();
    // Each unit's attainment of the root (node 0), and of every node if asked.
    let mut root: Vec<Option<f64>> = vec![None; units.len()];
    let mut node_att: Vec<Vec<Option<f64>>> = vec![Vec::new(); units.len()];
    let mut warnings = Vec::new();
    for members in groups {
        let (att, weightless) = group_attainments(scheme, cfg, &ctx.order, &cells, members);
        for (n, k) in weightless {
            warnings.push(format!(
                "单位{}：节点“{}”有得分的下级指标权重均为0（weights = \"{}\"），该节点对本单位按无数据处理",
                units.ids[members[k]],
                scheme.tree[n].id,
                match scheme.tree[n].weights {
                    Some(WeightMethod::Entropy) => "entropy",
                    Some(WeightMethod::Critic) => "critic",
                    None => "as written",
                }
            ));
        }
        for (k, &u) in members.iter().enumerate() {
            root[u] = att[0][k];
            if nodes {
                node_att[u] = att.iter().map(|row| row[k]).collect();
            }
        }
    }
    let mut out: Vec<UnitScore> = (0..units.len())
        .map(|u| {
            let attainment = std::mem::take(&mut node_att[u]);
            let base = root[u].unwrap_or(0.0) * scheme.points;
            let (bonus, penalty, vetoes) =
                adjust::adjustments(scheme, measured, &units.groups[u], u);
            let total = rank::round2((base + bonus - penalty).max(0.0));
            UnitScore {
                attainment,
                base,
                bonus,
                penalty,
                total,
                vetoes,
                rank: 0,
                grade: None,
            }
        })
        .collect();
    let mut output = Vec::with_capacity(units.len());
    for members in groups {
        let totals: Vec<i64> = members.iter().map(|&u| rank::cents(out[u].total)).collect();
        let vetoed: Vec<bool> = members.iter().map(|&u| !out[u].vetoes.is_empty()).collect();
        let ranks = rank::ranks(&totals, &vetoed, scheme.veto_rank == VetoRank::Last);
        let veto_grade: Vec<Option<usize>> = members
            .iter()
            .map(|&u| out[u].vetoes.iter().map(|&r| scheme.rules[r].grade).max())
            .collect();
        let t: Vec<f64> = members.iter().map(|&u| out[u].total).collect();
        let grades = rank::grades(&t, &ranks, &veto_grade, &scheme.grades);
        for (k, &u) in members.iter().enumerate() {
            out[u].rank = ranks[k];
            out[u].grade = grades[k];
        }
        let mut m = members.clone();
        m.sort_by_key(|&u| (out[u].rank, u));
        output.extend(m);
    }
    (cells, out, output, warnings)
}

/// Score every unit under the scheme's own assumptions.
pub fn score(scheme: &Scheme, units: &Units, measured: &Measured) -> Scores {
    let mut r = score_with(scheme, units, measured, &Config::nominal(scheme));
    for (u, s) in r.units.iter().enumerate() {
        if s.attainment[0].is_none() {
            r.warnings.push(format!(
                "单位{}：没有一项指标能够计分，指标得分为0",
                units.ids[u]
            ));
        }
    }
    r
}
