//! Measures (SCHEME.md section 4): counted records to one value per unit
//! and indicator, and the bonus, penalty and veto sums per unit.
//!
//! All indicators and rules of one dataset are evaluated in a single
//! grouped pass (`group_by(unit).agg([...])`) over its counted records.
//! Each indicator yields, per unit, its sample size `n` and the pooled
//! numerator and denominator (for `shrink`); the value itself is formed in
//! [`cell_value`] from those.

mod evidence;
pub mod exprs;

use polars::prelude::*;
use rayon::prelude::*;

pub use evidence::{Evidence, evidence};

use crate::data::{Loaded, UNIT};
use crate::scheme::{MeasureKind, RuleKind, Scheme};
use exprs::{cond, num, repaired_points};

/// One indicator for one unit, before scoring.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cell {
    /// The measured value; `None` when it cannot be formed (no records for
    /// a mean, zero denominator, empty `per` attribute...).
    pub value: Option<f64>,
    /// Sample size as SCHEME.md section 4 defines it per kind.
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

fn name(prefix: &str, i: usize, part: &str) -> String {
    format!("{prefix}{i}_{part}")
}

/// The grouped aggregations of dataset `ds`.
fn aggregations(scheme: &Scheme, ds: usize) -> Vec<Expr> {
    let u64 = |e: Expr| e.cast(DataType::UInt64).sum();
    let mut aggs = Vec::new();
    for (i, ind) in scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
        let w = cond(&ind.measure.where_);
        let nn = |p| name("i", i, p);
        let masked = |e: Expr| {
            when(w.clone())
                .then(e)
                .otherwise(lit(NULL).cast(DataType::Float64))
        };
        match &ind.measure.kind {
            MeasureKind::Count { .. } => aggs.push(u64(w.clone()).alias(nn("n"))),
            MeasureKind::Sum { expr } => {
                aggs.push(u64(w.clone()).alias(nn("n")));
                aggs.push(masked(num(expr)).sum().alias(nn("num")));
            }
            MeasureKind::Mean { expr } => {
                let x = masked(num(expr));
                aggs.push(x.clone().sum().alias(nn("num")));
                aggs.push(x.count().cast(DataType::UInt64).alias(nn("n")));
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
                aggs.push(masked(num(a)).sum().alias(nn("num")));
                aggs.push(masked(num(b)).sum().alias(nn("den")));
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
                aggs.push(x.clone().sum().alias(nn("num")));
                aggs.push(x.count().cast(DataType::UInt64).alias(nn("n")));
            }
            MeasureKind::Deduction { points } => {
                aggs.push(u64(w.clone()).alias(nn("n")));
                let p = when(w.clone())
                    .then(repaired_points(points, scheme.repair_factor))
                    .otherwise(lit(0.0));
                aggs.push(p.sum().alias(nn("num")));
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
        aggs.push(e.sum().alias(name("r", r, "sum")));
    }
    aggs
}

/// Measure every indicator and rule over the loaded records.
pub fn measure(scheme: &Scheme, data: &Loaded) -> Result<Measured, PolarsError> {
    let nu = data.units.len();
    let per_dataset: Vec<PolarsResult<DataFrame>> = crate::pool().install(|| {
        data.records
            .par_iter()
            .map(|rec| {
                let aggs = aggregations(scheme, rec.dataset);
                if aggs.is_empty() {
                    return Ok(DataFrame::empty());
                }
                let wd = exprs::workday_columns(scheme, &exprs::dataset_exprs(scheme, rec.dataset));
                rec.frame
                    .clone()
                    .lazy()
                    .with_columns(wd)
                    .group_by([col(UNIT)])
                    .agg(aggs)
                    .collect()
            })
            .collect()
    });
    let mut cells = vec![vec![Cell::default(); nu]; scheme.indicators.len()];
    let mut rules = vec![vec![0.0; nu]; scheme.rules.len()];
    for (rec, df) in data.records.iter().zip(per_dataset) {
        let df = df?;
        if df.height() == 0 {
            continue;
        }
        let units: Vec<usize> = df
            .column(UNIT)?
            .u32()?
            .into_no_null_iter()
            .map(|u| u as usize)
            .collect();
        let f64s = |n: &str| -> PolarsResult<Option<Vec<f64>>> {
            match df.column(n) {
                Ok(c) => Ok(Some(
                    c.cast(&DataType::Float64)?
                        .f64()?
                        .iter()
                        .map(|v| v.unwrap_or(0.0))
                        .collect(),
                )),
                Err(_) => Ok(None),
            }
        };
        for (i, _) in scheme
            .indicators
            .iter()
            .enumerate()
            .filter(|(_, x)| x.dataset == rec.dataset)
        {
            let n = f64s(&name("i", i, "n"))?.unwrap_or_default();
            let a = f64s(&name("i", i, "num"))?;
            let b = f64s(&name("i", i, "den"))?;
            for (k, &u) in units.iter().enumerate() {
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
            .filter(|(_, x)| x.dataset == rec.dataset)
        {
            let s = f64s(&name("r", r, "sum"))?.unwrap_or_default();
            for (k, &u) in units.iter().enumerate() {
                rules[r][u] = s[k];
            }
        }
    }
    let mut warnings = Vec::new();
    for (i, ind) in scheme.indicators.iter().enumerate() {
        let attr = match &ind.measure.kind {
            MeasureKind::Count { per: Some(a), .. } => data.units.attr_f64(a),
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

/// The value of a cell from its aggregates (SCHEME.md section 4).
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
