//! One Monte Carlo draw's scoring: each unit's rank and grade under a
//! perturbed [`Config`], as [`super::score_reusing`] would give them, with
//! what no draw changes worked out once ([`Fixed`]).
//!
//! A draw changes weights, aggregation, and the scoring of some
//! indicators (the relative ones under a varied normalisation, every one
//! under a varied missing policy). It does not change the bonus, penalty
//! and veto rules, nor the cells of the indicators it scores as the
//! nominal run did: their attainments are kept per peer group in member
//! order, read where they are. A draw allocates its few node columns and
//! the rescored indicators' cells, and nothing per unit.

use std::borrow::Cow;

use super::{Config, Context, Scored};
use crate::data::Units;
use crate::measure::Measured;
use crate::scheme::Scheme;

/// What every draw shares: the nominal configuration and cells, and per
/// unit its bonus, penalty and veto grade.
#[derive(Debug, Clone)]
pub struct Fixed {
    pub nominal: Config,
    /// `cells[indicator][unit]` under `nominal`.
    pub cells: Vec<Vec<Scored>>,
    /// `leaves[group][indicator][k]`: the attainment in `cells` of the
    /// group's k-th member.
    leaves: Vec<Vec<Vec<Option<f64>>>>,
    /// Per unit: bonus, penalty (docs/scheme.md section 7).
    adjust: Vec<(f64, f64)>,
    /// Per unit: the grade of its heaviest veto, if any rule vetoes it.
    veto_grade: Vec<Option<usize>>,
}

impl Fixed {
    pub fn new(
        ctx: &Context,
        scheme: &Scheme,
        units: &Units,
        measured: &Measured,
        nominal: Config,
    ) -> Self {
        let cells = super::score_in(ctx, scheme, units, measured, &nominal).cells;
        let borrowed: Vec<Cow<'_, [Scored]>> =
            cells.iter().map(|c| Cow::Borrowed(c.as_slice())).collect();
        let leaves = ctx
            .groups
            .iter()
            .map(|members| super::leaf_columns(&borrowed, members))
            .collect();
        let (adjust, veto_grade) = (0..units.len())
            .map(|u| {
                let (bonus, penalty, vetoes) =
                    super::adjust::adjustments(scheme, measured, &units.groups[u], u);
                ((bonus, penalty), super::veto_grade(scheme, &vetoes))
            })
            .unzip();
        Fixed {
            nominal,
            cells,
            leaves,
            adjust,
            veto_grade,
        }
    }
}

/// Each unit's rank and grade (register order) under `cfg`.
pub fn ranks_and_grades(
    ctx: &Context,
    fixed: &Fixed,
    scheme: &Scheme,
    units: &Units,
    measured: &Measured,
    cfg: &Config,
) -> (Vec<usize>, Vec<Option<usize>>) {
    let cells = super::cells_under(
        ctx,
        scheme,
        units,
        measured,
        cfg,
        Some((&fixed.nominal, &fixed.cells)),
    );
    let mut ranks = vec![0; units.len()];
    let mut grades = vec![None; units.len()];
    let (mut totals, mut vetoes) = (Vec::new(), Vec::new());
    for (g, members) in ctx.groups.iter().enumerate() {
        // The rescored indicators' columns; the others are the nominal ones.
        let owned: Vec<Option<Vec<Option<f64>>>> = cells
            .iter()
            .map(|c| match c {
                Cow::Borrowed(_) => None,
                Cow::Owned(c) => Some(members.iter().map(|&u| c[u].attainment).collect()),
            })
            .collect();
        let leaves: Vec<&[Option<f64>]> = owned
            .iter()
            .zip(&fixed.leaves[g])
            .map(|(o, nominal)| o.as_deref().unwrap_or(nominal))
            .collect();
        let (att, _) = super::group_attainments(scheme, cfg, &ctx.order, &leaves, members.len());
        let root = att.node(scheme, &leaves, 0);
        totals.clear();
        vetoes.clear();
        for (k, &u) in members.iter().enumerate() {
            let (bonus, penalty) = fixed.adjust[u];
            totals.push(super::base_and_total(scheme, root[k], bonus, penalty).1);
            vetoes.push(fixed.veto_grade[u]);
        }
        let (r, gr) = super::rank_group(scheme, &totals, &vetoes);
        for (k, &u) in members.iter().enumerate() {
            ranks[u] = r[k];
            grades[u] = gr[k];
        }
    }
    (ranks, grades)
}
