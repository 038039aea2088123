//! Scoring (docs/scheme.md sections 5-8): measured values to attainments,
//! points, totals, ranks and grades.
//!
//! Scoring works on the small units × indicators matrix the measure stage
//! produced, in plain Rust: no records are touched here, so the same code
//! re-scores thousands of times per second under perturbed assumptions
//! ([`Config`]) for the uncertainty analysis.

mod adjust;
pub mod draw;
pub mod kinds;
pub mod nodes;
pub mod rank;
pub mod values;
pub mod weights;

use std::borrow::Cow;

use crate::data::Units;
use crate::measure::Measured;
use crate::scheme::{Aggregation, MissingPolicy, Scheme, ScoreKind, VetoRank, WeightMethod};
pub use nodes::{aggregate, group_attainments};
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
    let (cells, units, order, warnings) = score_parts(ctx, scheme, units, measured, cfg, known);
    Scores {
        cells: cells.into_iter().map(Cow::into_owned).collect(),
        units,
        order,
        warnings,
    }
}

type Parts<'c> = (
    Vec<Cow<'c, [Scored]>>,
    Vec<UnitScore>,
    Vec<usize>,
    Vec<String>,
);

/// Every indicator's cells under `cfg`: borrowed from `known` where `cfg`
/// scores the indicator as `known.0` does, scored otherwise.
fn cells_under<'c>(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
    known: Option<(&Config, &'c [Vec<Scored>])>,
) -> Vec<Cow<'c, [Scored]>> {
    (0..scheme.indicators.len())
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
                &ctx.groups,
            )),
        })
        .collect()
}

/// The attainments of `members` in `cells`, one column per indicator.
fn leaf_columns(cells: &[Cow<'_, [Scored]>], members: &[usize]) -> Vec<Vec<Option<f64>>> {
    cells
        .iter()
        .map(|c| members.iter().map(|&u| c[u].attainment).collect())
        .collect()
}

/// A unit's base points and total (docs/scheme.md sections 7-8): the
/// root's attainment times the scheme's points, plus bonus, minus
/// penalty, never below 0, rounded to 2 decimals.
fn base_and_total(scheme: &Scheme, root: Option<f64>, bonus: f64, penalty: f64) -> (f64, f64) {
    let base = root.unwrap_or(0.0) * scheme.points;
    (base, rank::round2((base + bonus - penalty).max(0.0)))
}

/// Ranks and grades of one peer group's members from their totals and
/// the grade of their heaviest veto (vetoed units are those with one).
fn rank_group(
    scheme: &Scheme,
    totals: &[f64],
    veto_grade: &[Option<usize>],
) -> (Vec<usize>, Vec<Option<usize>>) {
    let cents: Vec<i64> = totals.iter().map(|&t| rank::cents(t)).collect();
    let vetoed: Vec<bool> = veto_grade.iter().map(Option::is_some).collect();
    let (ranks, order) = rank::ranked(&cents, &vetoed, scheme.veto_rank == VetoRank::Last);
    let grades = rank::grades_ranked(totals, (&ranks, &order), veto_grade, &scheme.grades);
    (ranks, grades)
}

/// The grade of the heaviest of `vetoes` (indices into the rules).
fn veto_grade(scheme: &Scheme, vetoes: &[usize]) -> Option<usize> {
    vetoes.iter().map(|&r| scheme.rules[r].grade).max()
}

fn score_parts<'c>(
    ctx: &Context,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
    known: Option<(&Config, &'c [Vec<Scored>])>,
) -> Parts<'c> {
    let groups = &ctx.groups;
    let cells = cells_under(ctx, scheme, units, measured, cfg, known);
    // Each unit's attainment of every node.
    let mut node_att: Vec<Vec<Option<f64>>> = vec![Vec::new(); units.len()];
    let mut warnings = Vec::new();
    for members in groups {
        let columns = leaf_columns(&cells, members);
        let leaves: Vec<&[Option<f64>]> = columns.iter().map(Vec::as_slice).collect();
        let (att, weightless) = group_attainments(scheme, cfg, &ctx.order, &leaves, members.len());
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
            node_att[u] = (0..scheme.tree.len())
                .map(|n| att.node(scheme, &leaves, n)[k])
                .collect();
        }
    }
    let mut out: Vec<UnitScore> = (0..units.len())
        .map(|u| {
            let attainment = std::mem::take(&mut node_att[u]);
            let (bonus, penalty, vetoes) =
                adjust::adjustments(scheme, measured, &units.groups[u], u);
            let (base, total) = base_and_total(scheme, attainment[0], bonus, penalty);
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
        let t: Vec<f64> = members.iter().map(|&u| out[u].total).collect();
        let vg: Vec<Option<usize>> = members
            .iter()
            .map(|&u| veto_grade(scheme, &out[u].vetoes))
            .collect();
        let (ranks, grades) = rank_group(scheme, &t, &vg);
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
