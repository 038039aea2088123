//! Measures (docs/scheme.md section 4): counted records to one value per unit
//! and indicator, and the bonus, penalty and veto sums per unit.
//!
//! All indicators and rules of one dataset are evaluated in a single
//! grouped pass (`group_by(unit).agg([...])`) over its counted records,
//! inside the dataset's one streaming query ([`pass`]).
//! Each indicator yields, per unit, its sample size `n` and the pooled
//! numerator and denominator (for `shrink`); the value itself is formed in
//! [`cell_value`] from those.

pub mod evidence;
pub mod exprs;
pub mod pass;
pub mod signals;

use polars::prelude::*;

pub use evidence::Evidence;
pub use pass::DatasetPass;

use crate::data::{UNIT, Units};
use crate::scheme::expr::SqlExpr;
use crate::scheme::{MeasureKind, RuleKind, Scheme};
use exprs::{cond, num, repaired_points};

/// One indicator for one unit, before scoring.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cell {
    /// The measured value; `None` when it cannot be formed (no records for
    /// a mean, zero denominator, empty `per` attribute...).
    pub value: Option<f64>,
    /// Sample size as docs/scheme.md section 4 defines it per kind.
    pub n: u64,
    /// Pooled numerator and denominator (share, mean, ratio, value).
    pub num: f64,
    pub den: f64,
}

/// Measured values for every indicator and unit, and rule sums.
#[derive(Debug, Clone)]
pub struct Measured {
    /// `cells[indicator][unit]`.
    pub cells: Vec<Vec<Cell>>,
    /// `rules[rule][unit]`: Σ points before caps (bonus, penalty; repaired
    /// penalty records × repair_factor), or the number of unrepaired
    /// matching records (veto).
    pub rules: Vec<Vec<f64>>,
    pub warnings: Vec<String>,
}

/// Σ of a scheme expression over the rows where `w` holds, exactly. Whole
/// numbers are summed as f64: every partial sum of integers whose
/// absolute values add up to less than 2^53 is an exact integer, so the
/// sum does not depend on the order of the rows ([`summed_values`] makes
/// the bound an error). Other numbers go through [`exact_sum`].
fn sum_of(e: &SqlExpr, w: &Expr, name: &str) -> Vec<Expr> {
    if e.is_integral() {
        vec![
            masked(w, e.expr.clone(), DataType::Float64)
                .sum()
                .alias(name),
        ]
    } else {
        exact_sum(masked(w, num(e), DataType::Float64), name).to_vec()
    }
}

/// `x` where `w` holds, else null, as `dtype`.
fn masked(w: &Expr, x: Expr, dtype: DataType) -> Expr {
    when(w.clone())
        .then(x.cast(dtype.clone()))
        .otherwise(lit(NULL).cast(dtype))
}

/// The number of rows where `e` holds: a boolean sum (polars counts the
/// true values per group without a numeric copy of the column), as u64.
pub fn count_true(e: Expr) -> Expr {
    e.sum().cast(DataType::UInt64)
}

/// Σ `e` (f64), exactly and whatever the order of the rows: each value is
/// split into four integer limbs of at most 31 bits, its integer part in
/// two and two 31-bit fractional parts, which are summed as i64 (integer
/// sums are exact and associative, and limbs of 31 bits cannot overflow
/// an i64 sum below 2^32 rows) and recombined by [`exact_total`]. A float
/// sum would depend on the order in which parallel partial sums meet, so
/// the same data could give values differing in the last bit from run to
/// run. Precision: 2^-62 per value. Values of 2^62 or more (or not finite)
/// take no part here: [`summed_values`] makes them an error.
pub fn exact_sum(e: Expr, name: &str) -> [Expr; 4] {
    let m = when(e.clone().abs().lt(lit(EXACT_LIMIT)))
        .then(e)
        .otherwise(lit(0.0));
    let l0 = m.clone().floor();
    let hi = (l0.clone() / lit(LIMB)).floor();
    let lo = l0.clone() - hi.clone() * lit(LIMB);
    let s1 = (m - l0) * lit(LIMB);
    let l1 = s1.clone().floor();
    let l2 = ((s1 - l1.clone()) * lit(LIMB)).floor();
    let [a, b, c, d] = [hi, lo, l1, l2].map(|l| l.cast(DataType::Int64).sum());
    [
        a.alias(format!("{name}.0")),
        b.alias(format!("{name}.1")),
        c.alias(format!("{name}.2")),
        d.alias(format!("{name}.3")),
    ]
}

const LIMB: f64 = (1u64 << 31) as f64;

/// The sum an [`exact_sum`] stands for, from its limb sums.
pub fn exact_total(a: i64, b: i64, c: i64, d: i64) -> f64 {
    let whole = (i128::from(a) << 31) + i128::from(b);
    whole as f64 + c as f64 / LIMB + d as f64 / (LIMB * LIMB)
}

fn name(prefix: &str, i: usize, part: &str) -> String {
    format!("{prefix}{i}_{part}")
}

/// The grouped aggregations of dataset `ds` (all sums, so that partial
/// results add up).
pub fn aggregations(scheme: &Scheme, ds: usize) -> Vec<Expr> {
    let u64 = count_true;
    let mut aggs = Vec::new();
    for (i, ind) in scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
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
    }
    for (r, rule) in scheme
        .rules
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
        let w = cond(&rule.where_);
        let e = match rule.kind {
            RuleKind::Bonus => when(w)
                .then(exprs::points(&rule.points))
                .otherwise(lit(0.0)),
            RuleKind::Penalty => when(w)
                .then(repaired_points(&rule.points, scheme.repair_factor))
                .otherwise(lit(0.0)),
            RuleKind::Veto => w
                .and(col(crate::data::REPAIRED).not())
                .cast(DataType::Float64),
        };
        aggs.extend(exact_sum(e, &name("r", r, "sum")));
    }
    aggs
}

/// The bound of exact sums of fractional numbers: every summed value's
/// |x| added up must stay below 2^62 (see [`exact_sum`]).
pub const EXACT_LIMIT: f64 = (1u64 << 62) as f64;
/// The bound of sums of whole numbers, summed as f64 (see [`sum_of`]).
pub const WHOLE_LIMIT: f64 = (1u64 << 53) as f64;

/// A value the aggregations sum: what it is, its expression (where its
/// condition holds, else null, as f64), and the bound of its exact sum.
pub struct Summed {
    pub what: String,
    pub value: Expr,
    pub limit: f64,
}

/// Every value the aggregations of dataset `ds` sum (where its condition
/// holds, else null), as f64, with what it is ("expr \"amount\" of
/// indicator ppp_paid"): the pass sums their absolute values over all
/// rows, so that a sum leaving the exact range (or a value that is not a
/// finite number) is an error, never a silent drop or wrap.
pub fn summed_values(scheme: &Scheme, ds: usize) -> Vec<Summed> {
    let mut out = Vec::new();
    let f = |w: &Expr, x: Expr| masked(w, x, DataType::Float64);
    let sum = |what: String, value: Expr| Summed {
        what,
        value,
        limit: EXACT_LIMIT,
    };
    // A whole-number expression is summed as f64 (see [`sum_of`]).
    let expr_sum = |what: String, w: &Expr, e: &SqlExpr| Summed {
        what,
        value: f(w, num(e)),
        limit: if e.is_integral() {
            WHOLE_LIMIT
        } else {
            EXACT_LIMIT
        },
    };
    for ind in scheme.indicators.iter().filter(|x| x.dataset == ds) {
        let w = cond(&ind.measure.where_);
        let what =
            |field: &str, e: &SqlExpr| format!("{field} {:?} of indicator {}", e.text, ind.id);
        match &ind.measure.kind {
            MeasureKind::Sum { expr } | MeasureKind::Mean { expr } => {
                out.push(expr_sum(what("expr", expr), &w, expr));
            }
            MeasureKind::Ratio { num: a, den: b } => {
                out.push(expr_sum(what("num", a), &w, a));
                out.push(expr_sum(what("den", b), &w, b));
            }
            MeasureKind::Value => out.push(sum(
                format!("column \"value\" of indicator {}", ind.id),
                f(&w, col("value")),
            )),
            MeasureKind::Deduction { points } => out.push(sum(
                format!("the points of indicator {}", ind.id),
                f(&w, repaired_points(points, scheme.repair_factor)),
            )),
            MeasureKind::Count { .. } | MeasureKind::Share { .. } => {}
        }
    }
    for rule in scheme
        .rules
        .iter()
        .filter(|r| r.dataset == ds && r.kind != RuleKind::Veto)
    {
        out.push(sum(
            format!("the points of rule {}", rule.id),
            f(&cond(&rule.where_), exprs::points(&rule.points)),
        ));
    }
    out
}

/// Per-unit cells and rule sums from the datasets' aggregates.
pub fn cells(scheme: &Scheme, units: &Units, passes: &[DatasetPass]) -> PolarsResult<Measured> {
    let nu = units.len();
    let mut cells = vec![vec![Cell::default(); nu]; scheme.indicators.len()];
    let mut rules = vec![vec![0.0; nu]; scheme.rules.len()];
    for pass in passes {
        let df = &pass.aggregates;
        if df.height() == 0 {
            continue;
        }
        let idx: Vec<Option<usize>> = df
            .column(UNIT)?
            .str()?
            .iter()
            .map(|u| u.and_then(|u| units.index_of(u)))
            .collect();
        // A quantity is either a count column, or three exact-sum limbs.
        let f64s = |n: &str| -> PolarsResult<Option<Vec<f64>>> {
            if let Ok(c) = df.column(n) {
                let c = c.cast(&DataType::Float64)?;
                return Ok(Some(c.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect()));
            }
            let Ok(c0) = df.column(&format!("{n}.0")) else {
                return Ok(None);
            };
            let limb = |c: Option<&Column>| -> PolarsResult<Vec<i64>> {
                match c {
                    Some(c) => {
                        let c = c.cast(&DataType::Int64)?;
                        Ok(c.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
                    }
                    None => Ok(vec![0; df.height()]),
                }
            };
            let part = |k: usize| df.column(&format!("{n}.{k}")).ok();
            let (a, b, c, d) = (
                limb(Some(c0))?,
                limb(part(1))?,
                limb(part(2))?,
                limb(part(3))?,
            );
            Ok(Some(
                (0..a.len())
                    .map(|k| exact_total(a[k], b[k], c[k], d[k]))
                    .collect(),
            ))
        };
        for (i, _) in scheme
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, x)| x.dataset == pass.dataset)
        {
            let n = f64s(&name("i", i, "n"))?.unwrap_or_default();
            let a = f64s(&name("i", i, "num"))?;
            let b = f64s(&name("i", i, "den"))?;
            for (k, u) in idx.iter().enumerate() {
                let Some(u) = *u else { continue };
                let c = &mut cells[i][u];
                c.n = n[k] as u64;
                c.num = a.as_ref().map_or(n[k], |a| a[k]);
                c.den = b.as_ref().map_or(n[k], |b| b[k]);
            }
        }
        for (r, _) in scheme
            .rules
            .iter()
            .enumerate()
            .filter(|(_, x)| x.dataset == pass.dataset)
        {
            let s = f64s(&name("r", r, "sum"))?.unwrap_or_default();
            for (k, u) in idx.iter().enumerate() {
                if let Some(u) = *u {
                    rules[r][u] = s[k];
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for (i, ind) in scheme.indicators.iter().enumerate() {
        let attr = match &ind.measure.kind {
            MeasureKind::Count { per: Some(a), .. } => units.attr_f64(a),
            _ => None,
        };
        for u in 0..nu {
            let c = &mut cells[i][u];
            c.value = cell_value(&ind.measure.kind, c, attr.as_ref().and_then(|a| a[u]));
        }
        if matches!(ind.measure.kind, MeasureKind::Value) {
            let multi = cells[i].iter().filter(|c| c.n > 1).count();
            if multi > 0 {
                warnings.push(format!(
                    "indicator {}: {multi} unit(s) have more than one value row; their mean is used",
                    ind.id
                ));
            }
        }
    }
    Ok(Measured {
        cells,
        rules,
        warnings,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(values: &[f64]) -> f64 {
        let df = df!("x" => values).unwrap();
        let out = df
            .lazy()
            .select(exact_sum(col("x"), "s"))
            .collect()
            .unwrap();
        let g = |k: usize| {
            out.column(&format!("s.{k}"))
                .unwrap()
                .i64()
                .unwrap()
                .get(0)
                .unwrap()
        };
        exact_total(g(0), g(1), g(2), g(3))
    }

    #[test]
    fn exact_sums_do_not_depend_on_order() {
        // 0.1 + 0.2 + 0.3 in floating point depends on the order:
        // (0.1 + 0.2) + 0.3 = 0.6000000000000001, 0.1 + (0.2 + 0.3) = 0.6.
        assert_ne!((0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3));
        let a = exact(&[0.1, 0.2, 0.3]);
        let b = exact(&[0.3, 0.2, 0.1]);
        assert_eq!(a, b);
        assert!((a - 0.6).abs() < 1e-15);
        // Negative values and integers are exact.
        assert_eq!(exact(&[-2.5, 1.0, 4.25]), 2.75);
        assert_eq!(exact(&[1e12, -1e12, 3.0]), 3.0);
        // Integer parts up to 2^62 split in two limbs, whose sums do not
        // overflow: 3 × 4e18 = 1.2e19 (beyond i64) is summed exactly.
        assert_eq!(exact(&[4e18, 4e18, 4e18]), 1.2e19);
    }
}
