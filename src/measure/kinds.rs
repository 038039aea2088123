//! Everything the measure stage does per measure kind (docs/scheme.md
//! section 4), in one place: the per-unit aggregations of an indicator,
//! its value from them, the values it sums (range-checked), and the
//! expressions it evaluates. A new kind is a new arm in each function
//! here (and its entry in `scheme/measures.rs`; see docs/architecture.md).

use polars::prelude::*;

use super::exprs::{cond, num, points, repaired_points};
use super::sums::{EXACT_LIMIT, Summed, WHOLE_LIMIT, count_true, exact_sum, masked, sum_of};
use super::{Cell, name};
use crate::scheme::expr::SqlExpr;
use crate::scheme::{Indicator, MeasureKind, RuleKind, Scheme};

/// The per-unit aggregations of indicator `i` (all sums, so that partial
/// results add up): `i{i}_n`, and `i{i}_num`, `i{i}_den` where the kind
/// has them.
pub fn aggregations(scheme: &Scheme, i: usize, ind: &Indicator) -> Vec<Expr> {
    let u64 = count_true;
    let mut aggs = Vec::new();
    let w = cond(&ind.measure.where_);
    let nn = |p| name("i", i, p);
    match &ind.measure.kind {
        MeasureKind::Count { .. } => aggs.push(u64(w.clone()).alias(nn("n"))),
        MeasureKind::Sum { expr } => {
            aggs.push(u64(w.clone()).alias(nn("n")));
            aggs.extend(sum_of(expr, &w, &nn("num")));
        }
        MeasureKind::Mean { expr } => {
            aggs.extend(sum_of(expr, &w, &nn("num")));
            // The values present where `w` holds.
            let present = w.clone().and(expr.expr.clone().is_not_null());
            aggs.push(u64(present).alias(nn("n")));
        }
        MeasureKind::Share { of } => {
            let o = cond(of);
            aggs.push(u64(o.clone()).alias(nn("n")));
            aggs.push(
                u64(o.and(w.clone()))
                    .cast(DataType::Float64)
                    .alias(nn("num")),
            );
        }
        MeasureKind::Ratio { num: a, den: b } => {
            aggs.push(u64(w.clone()).alias(nn("n")));
            aggs.extend(sum_of(a, &w, &nn("num")));
            aggs.extend(sum_of(b, &w, &nn("den")));
        }
        MeasureKind::Value => {
            let m = w.clone().and(
                col("indicator_id")
                    .eq(lit(ind.id.as_str()))
                    .fill_null(lit(false)),
            );
            let x = when(m)
                .then(col("value").cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64));
            aggs.extend(exact_sum(x.clone(), &nn("num")));
            aggs.push(x.count().cast(DataType::UInt64).alias(nn("n")));
        }
        MeasureKind::Deduction { points } => {
            aggs.push(u64(w.clone()).alias(nn("n")));
            let p = when(w.clone())
                .then(repaired_points(points, scheme.repair_factor))
                .otherwise(lit(0.0));
            aggs.extend(exact_sum(p, &nn("num")));
        }
    }
    aggs
}

/// The values indicator `ind`'s aggregations sum, with their bounds.
pub fn summed(scheme: &Scheme, ind: &Indicator) -> Vec<Summed> {
    let w = cond(&ind.measure.where_);
    let f = |x: Expr| masked(&w, x, DataType::Float64);
    let what = |field: &str, e: &SqlExpr| format!("{field} {:?} of indicator {}", e.text, ind.id);
    // A whole-number expression is summed as f64 (see `sums::sum_of`).
    let expr_sum = |what: String, e: &SqlExpr| Summed {
        what,
        value: f(num(e)),
        limit: if e.is_integral() {
            WHOLE_LIMIT
        } else {
            EXACT_LIMIT
        },
    };
    let exact = |what: String, value: Expr| Summed {
        what,
        value,
        limit: EXACT_LIMIT,
    };
    match &ind.measure.kind {
        MeasureKind::Sum { expr } | MeasureKind::Mean { expr } => {
            vec![expr_sum(what("expr", expr), expr)]
        }
        MeasureKind::Ratio { num: a, den: b } => {
            vec![expr_sum(what("num", a), a), expr_sum(what("den", b), b)]
        }
        MeasureKind::Value => vec![exact(
            format!("column \"value\" of indicator {}", ind.id),
            f(col("value")),
        )],
        MeasureKind::Deduction { points } => vec![exact(
            format!("the points of indicator {}", ind.id),
            f(repaired_points(points, scheme.repair_factor)),
        )],
        MeasureKind::Count { .. } | MeasureKind::Share { .. } => Vec::new(),
    }
}

/// Every value the aggregations of dataset `ds` sum (where its condition
/// holds, else null, as f64), with what it is ("expr \"amount\" of
/// indicator ppp_paid"): the pass sums their absolute values over all
/// rows, so that a sum leaving the exact range (or a value that is not a
/// finite number) is an error, never a silent drop or wrap.
pub fn summed_values(scheme: &Scheme, ds: usize) -> Vec<Summed> {
    let mut out = Vec::new();
    for ind in scheme.indicators.iter().filter(|x| x.dataset == ds) {
        out.extend(summed(scheme, ind));
    }
    for rule in scheme
        .rules
        .iter()
        .filter(|r| r.dataset == ds && r.kind != RuleKind::Veto)
    {
        out.push(Summed {
            what: format!("the points of rule {}", rule.id),
            value: masked(&cond(&rule.where_), points(&rule.points), DataType::Float64),
            limit: EXACT_LIMIT,
        });
    }
    out
}

/// The expressions of a measure besides its `where`.
pub fn exprs(kind: &MeasureKind) -> Vec<&SqlExpr> {
    match kind {
        MeasureKind::Sum { expr } | MeasureKind::Mean { expr } => vec![expr],
        MeasureKind::Share { of } => of.iter().collect(),
        MeasureKind::Ratio { num, den } => vec![num, den],
        MeasureKind::Count { .. } | MeasureKind::Value | MeasureKind::Deduction { .. } => {
            Vec::new()
        }
    }
}

/// The value of a cell from its aggregates (docs/scheme.md section 4).
pub fn cell_value(kind: &MeasureKind, c: &Cell, attr: Option<f64>) -> Option<f64> {
    let div = |a: f64, b: f64| if b != 0.0 { Some(a / b) } else { None };
    match kind {
        MeasureKind::Count { per: None, .. } => Some(c.n as f64),
        MeasureKind::Count {
            per: Some(_),
            scale,
        } => attr
            .filter(|a| *a != 0.0 && a.is_finite())
            // n × scale / attr: exact where it can be (3 × 10000 / 20000 =
            // 1.5, while 3 / 20000 × 10000 = 1.4999999999999998).
            .map(|a| c.n as f64 * scale / a),
        MeasureKind::Sum { .. } => (c.n > 0).then_some(c.num),
        MeasureKind::Deduction { .. } => Some(c.num),
        MeasureKind::Mean { .. } | MeasureKind::Share { .. } | MeasureKind::Value => {
            div(c.num, c.den)
        }
        MeasureKind::Ratio { .. } => div(c.num, c.den),
    }
}
