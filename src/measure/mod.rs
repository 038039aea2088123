//! Measures (docs/scheme.md section 4): counted records to one value per unit
//! and indicator, and the bonus, penalty and veto sums per unit.
//!
//! All indicators and rules of one dataset are evaluated in a single
//! grouped pass (`group_by(unit).agg([...])`) over its counted records,
//! inside the dataset's one streaming query ([`pass`]).
//! Each indicator yields, per unit, its sample size `n` and the pooled
//! numerator and denominator (for `shrink`); the value itself is formed in
//! [`cell_value`] from those.

mod checks;
pub mod evidence;
pub mod exprs;
mod hashes;
mod keys;
pub mod kinds;
pub mod pass;
mod query;
pub mod rows;
pub mod signals;
pub mod sums;

use polars::prelude::*;

pub use evidence::Evidence;
pub use kinds::cell_value;
pub use kinds::summed_values;
pub use pass::DatasetPass;
pub use sums::{Summed, count_true, exact_sum, exact_total};

use crate::data::{UNIT, Units};
use crate::scheme::{MeasureKind, RuleKind, Scheme};
use exprs::{cond, repaired_points};
use sums::exact_sum as exact;

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

pub(crate) fn name(prefix: &str, i: usize, part: &str) -> String {
    format!("{prefix}{i}_{part}")
}

/// The grouped aggregations of dataset `ds` (all sums, so that partial
/// results add up).
pub fn aggregations(scheme: &Scheme, ds: usize) -> Vec<Expr> {
    let mut aggs = Vec::new();
    for (i, ind) in scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
        aggs.extend(kinds::aggregations(scheme, i, ind));
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
        aggs.extend(exact(e, &name("r", r, "sum")));
    }
    aggs
}

/// A quantity of an aggregates frame per row: a plain column (a count,
/// a whole-number sum), or the limbs of an exact sum; `None` if absent.
fn quantity(df: &DataFrame, n: &str) -> PolarsResult<Option<Vec<f64>>> {
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
}

/// The aggregates of one dataset's pass into the cells and rule sums of
/// its indicators and rules.
fn read_pass(
    scheme: &Scheme,
    units: &Units,
    pass: &DatasetPass,
    cells: &mut [Vec<Cell>],
    rules: &mut [Vec<f64>],
) -> PolarsResult<()> {
    let df = &pass.aggregates;
    if df.height() == 0 {
        return Ok(());
    }
    let idx: Vec<Option<usize>> = df
        .column(UNIT)?
        .str()?
        .iter()
        .map(|u| u.and_then(|u| units.index_of(u)))
        .collect();
    let mine = |ds: usize| ds == pass.dataset;
    for (i, _) in scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, x)| mine(x.dataset))
    {
        let n = quantity(df, &name("i", i, "n"))?.unwrap_or_default();
        let a = quantity(df, &name("i", i, "num"))?;
        let b = quantity(df, &name("i", i, "den"))?;
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
        .filter(|(_, x)| mine(x.dataset))
    {
        let s = quantity(df, &name("r", r, "sum"))?.unwrap_or_default();
        for (k, u) in idx.iter().enumerate() {
            if let Some(u) = *u {
                rules[r][u] = s[k];
            }
        }
    }
    Ok(())
}

/// Per-unit cells and rule sums from the datasets' aggregates.
pub fn cells(scheme: &Scheme, units: &Units, passes: &[DatasetPass]) -> PolarsResult<Measured> {
    let nu = units.len();
    let mut cells = vec![vec![Cell::default(); nu]; scheme.indicators.len()];
    let mut rules = vec![vec![0.0; nu]; scheme.rules.len()];
    for pass in passes {
        read_pass(scheme, units, pass, &mut cells, &mut rules)?;
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
                    "指标“{}”（{}）：{multi}个单位有多行填报值，取其平均值",
                    ind.name, ind.id
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
