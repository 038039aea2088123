//! The per-unit counts behind the early warnings (`[[alert]]`,
//! `[[screen]]`; judged in [`crate::analysis::signals`]): aggregations
//! folded into each dataset's one group-by by unit, the earliest day
//! before the period, and reading the counts back per unit.

use chrono::NaiveDate;
use polars::prelude::*;

use super::exprs::matches;
use crate::calendar::day_before;
use crate::data::records::{IS_COUNTED, OUT_OF_PERIOD, STATE, date_type};
use crate::data::{UNIT, Units};
use crate::scheme::Scheme;

/// Per-unit counts the pass collects for the alerts and screens of a
/// dataset: `al{k}_now`, `al{k}_hist` and `sc{k}_d{1..9}`; aggregations
/// over all rows, computed in the dataset's one group-by by unit.
pub fn aggregations(scheme: &Scheme, ds: usize) -> Vec<Expr> {
    let spec = &scheme.datasets[ds];
    let mut aggs = Vec::new();
    let counted = col(IS_COUNTED);
    let before = match &spec.date {
        Some(d) => col(STATE).eq(lit(OUT_OF_PERIOD)).and(day_before(
            col(d.as_str()),
            &date_type(spec, d),
            scheme.period.start,
        )),
        None => lit(false),
    };
    let u64 = crate::measure::count_true;
    for (k, a) in scheme
        .alerts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.dataset == ds)
    {
        let c = matches(&a.where_);
        aggs.push(u64(counted.clone().and(c.clone())).alias(format!("al{k}_now")));
        aggs.push(u64(before.clone().and(c)).alias(format!("al{k}_hist")));
    }
    for (k, _) in screens(scheme, ds) {
        for d in 1..=9 {
            aggs.push(u64(col(lead_column(k)).eq(lit(d as f64))).alias(format!("sc{k}_d{d}")));
        }
    }
    aggs
}

/// The dataset's screens, with their numbers `k`.
fn screens(scheme: &Scheme, ds: usize) -> impl Iterator<Item = (usize, &crate::scheme::Screen)> {
    scheme
        .screens
        .iter()
        .enumerate()
        .filter(move |(_, s)| s.dataset == ds)
}

/// The row column holding screen `k`'s first significant digit.
fn lead_column(k: usize) -> String {
    format!("__sc{k}_lead")
}

/// The first significant digit of `x` (> 0, finite): x / 10^floor(log10
/// x), corrected where rounding at an exact power of ten gives 10 or 0.
fn lead_digit(x: Expr) -> Expr {
    let e = x.clone().log(lit(10.0)).floor();
    let lead = (x / lit(10.0f64).pow(e)).floor();
    when(lead.clone().gt_eq(lit(10.0)))
        .then(lit(1.0))
        .when(lead.clone().lt(lit(1.0)))
        .then(lit(9.0))
        .otherwise(lead)
}

/// `lf` with a column per screen of the dataset: the first significant
/// digit (1-9) of each counted record the screen takes, 0 for any other
/// row. Computed once per row here, so that the nine digit counts of
/// [`aggregations`] compare a number instead of each taking the
/// logarithm and power again.
pub fn with_lead_digits(scheme: &Scheme, ds: usize, lf: LazyFrame) -> LazyFrame {
    let cols: Vec<Expr> = screens(scheme, ds)
        .map(|(k, s)| {
            let x = col(s.column.as_str()).cast(DataType::Float64).abs();
            let ok = col(IS_COUNTED)
                .and(matches(&s.where_))
                .and(x.clone().gt(lit(0.0)))
                .and(x.clone().is_finite());
            when(ok)
                .then(lead_digit(x))
                .otherwise(lit(0.0))
                .alias(lead_column(k))
        })
        .collect();
    if cols.is_empty() {
        lf
    } else {
        lf.with_columns(cols)
    }
}

/// The earliest day before the period of a dataset's records (for the
/// own-history test), as an aggregation over all rows (the pass computes
/// it beside its row counts); none without alerts or a date column.
pub fn history_from(scheme: &Scheme, ds: usize) -> Option<Expr> {
    let spec = &scheme.datasets[ds];
    let d = spec.date.as_ref()?;
    if !scheme.alerts.iter().any(|a| a.dataset == ds) {
        return None;
    }
    // The least value before the period, then its day: one cast, not
    // one per row.
    let ty = date_type(spec, d);
    let before = col(STATE).eq(lit(OUT_OF_PERIOD)).and(day_before(
        col(d.as_str()),
        &ty,
        scheme.period.start,
    ));
    Some(
        when(before)
            .then(col(d.as_str()))
            .otherwise(lit(NULL).cast(ty))
            .min()
            .cast(DataType::Date)
            .alias("from"),
    )
}

/// The counts frames and history starts a dataset's pass collected.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub frames: Vec<DataFrame>,
    pub history_from: Vec<Option<NaiveDate>>,
}

/// The count `name` per unit (register order), summed over the frames.
pub fn column_by_unit(units: &Units, frames: &[DataFrame], name: &str) -> Vec<u64> {
    let mut out = vec![0u64; units.len()];
    for df in frames {
        let (Ok(u), Ok(c)) = (df.column(UNIT), df.column(name)) else {
            continue;
        };
        let (Ok(u), Ok(c)) = (u.str(), c.cast(&DataType::UInt64)) else {
            continue;
        };
        let Ok(c) = c.u64() else { continue };
        for (uu, v) in u.iter().zip(c.iter()) {
            if let (Some(uu), Some(v)) = (uu, v) {
                if let Some(i) = units.index_of(uu) {
                    out[i] += v;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked first digits: 1000 and 0.001 (exact powers of ten) lead
    /// with 1; 999.999 with 9; 2.5e-7 with 2; 47 with 4; 1e300 with 1.
    #[test]
    fn lead_digit_of_worked_values() {
        let xs = [1000.0, 0.001, 999.999, 2.5e-7, 47.0, 1e300, 9.0, 10.0];
        let df = df!("x" => xs).unwrap();
        let out = df
            .lazy()
            .select([lead_digit(col("x")).alias("d")])
            .collect()
            .unwrap();
        let d: Vec<f64> = out
            .column("d")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(d, vec![1.0, 1.0, 9.0, 2.0, 4.0, 1.0, 9.0, 1.0]);
    }
}
