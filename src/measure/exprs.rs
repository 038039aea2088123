//! Scheme expressions made ready for a dataset's counted records.

use polars::prelude::*;

use crate::data::REPAIRED;
use crate::data::records::IS_COUNTED;
use crate::scheme::expr::SqlExpr;
use crate::scheme::{MeasureKind, Points, Scheme};

/// A condition on counted records: the record is counted and matches,
/// with null treated as "does not match" (SQL three-valued logic,
/// docs/scheme.md section 2); absent means every counted record. Always a
/// column (a bare `lit(true)` would be one value, and summing it in a
/// group-by gives 1, not the group's size). Measures aggregate over all
/// rows of a dataset with this as their mask, so the rows need no filter
/// (a copy of every column) before the group-by.
pub fn cond(e: &Option<SqlExpr>) -> Expr {
    match e {
        Some(_) => col(IS_COUNTED).and(matches(e)),
        None => col(IS_COUNTED),
    }
}

/// A condition on any row (counted or not), null as "does not match";
/// absent matches every row. For a constant or absent condition this is
/// a scalar, so combine it with a column.
pub fn matches(e: &Option<SqlExpr>) -> Expr {
    e.as_ref()
        .map_or(lit(true), |e| e.expr.clone().fill_null(lit(false)))
}

/// A numeric expression as f64.
pub fn num(e: &SqlExpr) -> Expr {
    e.expr.clone().cast(DataType::Float64)
}

/// Points of one record before the repair factor.
pub fn points(p: &Points) -> Expr {
    match p {
        Points::Fixed(x) => lit(*x),
        Points::Map { column, map } => {
            let mut e = lit(0.0);
            for (k, v) in map.iter().rev() {
                e = when(col(column.as_str()).eq(lit(k.as_str())))
                    .then(lit(*v))
                    .otherwise(e);
            }
            e
        }
    }
}

/// × repair_factor for repaired records (信用修复).
pub fn repaired_points(p: &Points, factor: f64) -> Expr {
    points(p) * when(col(REPAIRED)).then(lit(factor)).otherwise(lit(1.0))
}

/// A points map (`points = { column, map }`) of an indicator or rule of
/// one dataset, with the condition under which it gives points.
pub struct PointsMap<'a> {
    pub rule: &'a str,
    pub column: &'a str,
    pub keys: Vec<&'a str>,
    pub when: Expr,
}

/// The points maps of dataset `ds`.
pub fn points_maps(scheme: &Scheme, ds: usize) -> Vec<PointsMap<'_>> {
    let indicators = scheme
        .indicators
        .iter()
        .filter(|i| i.dataset == ds)
        .filter_map(|i| match &i.measure.kind {
            MeasureKind::Deduction { points } => Some((i.id.as_str(), points, &i.measure.where_)),
            _ => None,
        });
    let rules = scheme
        .rules
        .iter()
        .filter(|r| r.dataset == ds && r.kind != crate::scheme::RuleKind::Veto)
        .map(|r| (r.id.as_str(), &r.points, &r.where_));
    indicators
        .chain(rules)
        .filter_map(|(rule, p, w)| match p {
            Points::Map { column, map } => Some(PointsMap {
                rule,
                column,
                keys: map.iter().map(|(k, _)| k.as_str()).collect(),
                when: cond(w),
            }),
            Points::Fixed(_) => None,
        })
        .collect()
}

/// Which points map (its index) a counted record falls outside: it
/// matches the rule, and its value is not a key (an empty value is worth
/// 0 points, as documented); null for every other record. None when the
/// dataset has no map.
pub fn outside_map(maps: &[PointsMap]) -> Option<Expr> {
    let mut e: Option<Expr> = None;
    for (k, m) in maps.iter().enumerate().rev() {
        let keys = lit(Series::new("k".into(), &m.keys)).implode(false);
        let v = col(m.column);
        let outside = m
            .when
            .clone()
            .and(v.clone().is_not_null())
            .and(v.is_in(keys, false).not());
        let prev = e.unwrap_or_else(|| lit(NULL).cast(DataType::Int32));
        e = Some(when(outside).then(lit(k as i32)).otherwise(prev));
    }
    e
}
