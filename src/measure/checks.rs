//! Values the scheme cannot score, found after a dataset's pass: a sum
//! beyond the exact range (or a value that is not a finite number), and a
//! counted record outside a points map. Both are errors naming the file
//! and the lines.

use polars::prelude::*;

use super::query::MAP;
use super::{exprs, rows};
use crate::data::read::{ROW, Source};
use crate::data::{DataError, Units};
use crate::scheme::Scheme;

/// Every summed value's Σ|x| must be a number below the exact limit; else
/// an error naming the value, the file and the line of the first value
/// that is not a finite number, or of the largest one.
pub(super) fn check_ranges(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
    ranges: &[f64],
) -> Result<(), DataError> {
    let summed = super::summed_values(scheme, ds);
    // NaN compares false: it is out of range too.
    let in_range = |k: usize| ranges[k] < summed[k].limit;
    let Some(k) = (0..ranges.len()).find(|&k| !in_range(k)) else {
        return Ok(());
    };
    let super::Summed {
        what,
        value: x,
        limit,
    } = summed.into_iter().nth(k).expect("k < len");
    let (lf, _) = rows::classified(scheme, ds, source.lf.clone(), source, units, true, None)?;
    let found = lf
        .select([col(ROW), x.alias("__x")])
        .filter(col("__x").is_not_null())
        .with_column((col("__x").is_finite().not()).alias("__nf"))
        .sort_by_exprs(
            [col("__nf"), col("__x").abs()],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .first()
        .collect()?;
    let row = found.column(ROW)?.idx()?.get(0).unwrap_or(0);
    let value = found.column("__x")?.f64()?.get(0).unwrap_or(f64::NAN);
    let spec = &scheme.datasets[ds];
    let at = format!("{}:{}", spec.source.file, source.lines.line(row as usize));
    let message = if value.is_finite() {
        format!(
            "{what} sums beyond the range summed exactly (Σ|x| ≥ 2^{}, about {limit:.1e}); the largest value, {value:e}, is at {at}; hint: check that value, or scale the expression down (e.g. amounts in 万元)",
            limit.log2().round()
        )
    } else {
        format!(
            "{what} is not a finite number ({value}) at {at}, so its sum cannot be formed; hint: guard the division, e.g. CASE WHEN b <> 0 THEN a / b END"
        )
    };
    Err(DataError::Invalid {
        dataset: spec.id.clone(),
        message,
    })
}

/// Counted records that match a rule with a points map but whose value is
/// not a key of it cannot be scored: points cannot be guessed, and 0
/// would be a silent wrong score. An error listing them by line (the
/// records stay whole: nothing is rejected for the other indicators).
pub(super) fn outside_error(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    df: &DataFrame,
) -> PolarsResult<DataError> {
    let maps = exprs::points_maps(scheme, ds);
    let df = df.sort([ROW], SortMultipleOptions::default())?;
    let rows = df.column(ROW)?.idx()?;
    let which = df.column(MAP)?.i32()?;
    let k = which.get(0).unwrap_or(0) as usize;
    let m = &maps[k];
    let values = df.column(m.column)?.str()?;
    let spec = &scheme.datasets[ds];
    let listed: Vec<String> = (0..df.height())
        .filter(|&i| which.get(i) == Some(k as i32))
        .take(5)
        .map(|i| {
            format!(
                "{}:{} {:?}",
                spec.source.file,
                source.lines.line(rows.get(i).unwrap_or(0) as usize),
                values.get(i).unwrap_or("")
            )
        })
        .collect();
    let n = (0..df.height())
        .filter(|&i| which.get(i) == Some(k as i32))
        .count();
    Ok(DataError::Invalid {
        dataset: spec.id.clone(),
        message: format!(
            "{n} counted record{} match{} {} but {} a {} not in its points map ({}): {}{}\n    hint: add the value to the map, or correct the record; points are never guessed",
            if n == 1 { "" } else { "s" },
            if n == 1 { "es" } else { "" },
            m.rule,
            if n == 1 { "has" } else { "have" },
            m.column,
            m.keys.join(", "),
            listed.join(", "),
            if n > 5 { ", ..." } else { "" }
        ),
    })
}
