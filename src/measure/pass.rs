//! One pass over a dataset: classify every row, aggregate the counted ones
//! per unit, account for all of them, and keep the rejects, the evidence
//! records and the keys, as one query with several sinks run by polars'
//! streaming engine. Records are never materialised: memory stays bounded
//! however large the file.
//!
//! Three refinements keep it exact:
//! - rows the fast parser rejects (rare) are re-read with the lenient
//!   parser; their aggregates are added (every aggregate is a sum);
//! - duplicate keys ("the later row is rejected") are found from the keys
//!   sink: keys strictly increasing in row order (the usual case for ticket
//!   numbers) have none; otherwise a hash check finds them, and the pass
//!   runs again with those rows marked, so nothing is subtracted;
//! - an error from the file (a ragged CSV line) names the file.

use polars::prelude::*;
use rayon::prelude::*;

use super::count_true;
use super::evidence::{self, Evidence};
use super::exprs;
use crate::data::read::{ROW, Source};
use crate::data::records::{
    self, BAD_VALUE, EXCLUDED, IS_COUNTED, KEY, OUT_OF_PERIOD, PENDING, STATE, UNIT,
};
use crate::data::{Accounting, DataError, Reject, Units};
use crate::scheme::Scheme;

/// What one dataset's pass produced.
#[derive(Debug, Clone)]
pub struct DatasetPass {
    pub dataset: usize,
    /// [`UNIT`] and the aggregate columns of [`super::aggregations`].
    pub aggregates: DataFrame,
    pub evidence: Vec<Evidence>,
    pub rejects: Vec<Reject>,
    pub accounting: Accounting,
    pub pending_objections: u64,
    /// Per-unit counts for the early warnings (alerts and screens): the
    /// aggregates, whose `al*` and `sc*` columns they read by name; none
    /// when the dataset has no alert or screen.
    pub alert_counts: Option<DataFrame>,
    /// The earliest day before the period (own-history tests).
    pub history_from: Option<chrono::NaiveDate>,
}

/// The collected sinks of one query.
struct Parts {
    /// The measures' and the early warnings' per-unit aggregates.
    aggregates: DataFrame,
    /// rows, counted, out of period, excluded, pending objections.
    counts: [u64; 5],
    /// The earliest day before the period (alerts' own history).
    history: Option<i32>,
    /// Σ|x| of each of [`super::summed_values`], over all rows.
    ranges: Vec<f64>,
    issues: DataFrame,
    evidence: Option<DataFrame>,
    keys: Option<DataFrame>,
    /// Counted records outside a points map ([`exprs::outside_map`]).
    outside: Option<DataFrame>,
}

fn state(s: i32) -> Expr {
    col(STATE).eq(lit(s))
}

/// The dataset's per-unit aggregations (measures and early warnings),
/// each distinct one once: two indicators on the same rows (a share and
/// a count with the same condition, say) need one reduction, not two.
/// Returns the expressions and the (copy, original) column names to
/// restore after the group-by.
fn unit_aggregations(scheme: &Scheme, ds: usize) -> (Vec<Expr>, Vec<(String, String)>) {
    let mut all = super::aggregations(scheme, ds);
    all.extend(super::signals::aggregations(scheme, ds));
    if all.is_empty() {
        all.push(count_true(col(IS_COUNTED)).alias("__n"));
    }
    let mut exprs: Vec<Expr> = Vec::new();
    let mut bare: Vec<Expr> = Vec::new();
    let mut copies = Vec::new();
    for e in all {
        let name = e.clone().meta().output_name().map(|n| n.to_string());
        let b = e.clone().meta().undo_aliases();
        match (name, bare.iter().position(|x| *x == b)) {
            (Ok(name), Some(k)) => {
                let first = exprs[k].clone().meta().output_name().map(|n| n.to_string());
                copies.push((name, first.unwrap_or_default()));
            }
            _ => {
                exprs.push(e);
                bare.push(b);
            }
        }
    }
    (exprs, copies)
}

/// The query's sinks; `aggs` from [`unit_aggregations`].
fn sinks(
    scheme: &Scheme,
    ds: usize,
    lf: LazyFrame,
    (aggs, ekey): (Vec<Expr>, Expr),
    keys: bool,
    lenient: bool,
) -> Vec<LazyFrame> {
    let spec = &scheme.datasets[ds];
    let u64 = count_true;
    let mut issue_cols = vec![col(ROW), col(STATE), ekey, col(UNIT), col(KEY)];
    if lenient {
        issue_cols.extend((0..spec.columns.len()).map(|i| col(records::raw_column(i))));
    }
    let mut counts = vec![
        len().cast(DataType::UInt64).alias("rows"),
        u64(col(IS_COUNTED)).alias("counted"),
        u64(state(OUT_OF_PERIOD)).alias("out_of_period"),
        u64(state(EXCLUDED)).alias("excluded"),
        // Counted, or excluded only for being pending (the policy
        // "exclude"): the manifest counts them under either policy.
        u64(col(PENDING).and(col(IS_COUNTED).or(state(EXCLUDED)))).alias("pending"),
    ];
    counts.extend(super::signals::history_from(scheme, ds));
    for (k, x) in super::summed_values(scheme, ds).into_iter().enumerate() {
        counts.push(x.value.abs().sum().alias(format!("__range{k}")));
    }
    let mut out = vec![
        // One group-by over all rows: every measure is masked by
        // IS_COUNTED (see exprs::cond), the early warnings choose their
        // own rows.
        lf.clone().group_by([col(UNIT)]).agg(aggs),
        lf.clone().select(counts),
        lf.clone()
            .filter(col(STATE).gt_eq(lit(BAD_VALUE)))
            .select(issue_cols),
    ];
    if let Some(ev) = evidence::sink(scheme, ds, lf.clone()) {
        out.push(ev);
    }
    if keys {
        out.push(
            lf.clone()
                .filter(col(STATE).lt(lit(BAD_VALUE)))
                .select([col(ROW), col(KEY)]),
        );
    }
    let maps = exprs::points_maps(scheme, ds);
    if let Some(outside) = exprs::outside_map(&maps) {
        let mut cols = vec![col(ROW), outside.clone().alias(MAP)];
        let mut seen = Vec::new();
        for m in &maps {
            if !seen.contains(&m.column) {
                seen.push(m.column);
                cols.push(col(m.column));
            }
        }
        out.push(lf.filter(outside.is_not_null()).select(cols));
    }
    out
}

/// The points map a record falls outside (in the outside sink).
const MAP: &str = "__map";

fn run_query(
    scheme: &Scheme,
    ds: usize,
    (lf, source): (LazyFrame, &Source),
    keys: bool,
    lenient: bool,
    engine: Engine,
) -> PolarsResult<Parts> {
    let has_evidence = evidence::sink(scheme, ds, lf.clone()).is_some();
    let ekey = records::error_key(scheme, ds, source, !lenient)?;
    let (aggs, copies) = unit_aggregations(scheme, ds);
    let plans = sinks(scheme, ds, lf, (aggs, ekey), keys, lenient)
        .into_iter()
        .map(|q| q.logical_plan)
        .collect();
    let mut out =
        LazyFrame::collect_all_with_engine(plans, engine, OptFlags::default())?.into_iter();
    let mut aggregates = out.next().expect("sink");
    for (copy, original) in copies {
        let c = aggregates.column(&original)?.clone().with_name(copy.into());
        aggregates.with_column(c)?;
    }
    let c = out.next().expect("sink");
    let get = |n: &str| -> PolarsResult<u64> {
        Ok(c.column(n)?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0))
    };
    let counts = [
        get("rows")?,
        get("counted")?,
        get("out_of_period")?,
        get("excluded")?,
        get("pending")?,
    ];
    let history = match c.column("from") {
        Ok(from) => from.date()?.physical().get(0),
        Err(_) => None,
    };
    let ranges = (0..super::summed_values(scheme, ds).len())
        .map(|k| -> PolarsResult<f64> {
            let r = c.column(&format!("__range{k}"))?.cast(&DataType::Float64)?;
            Ok(r.f64()?.get(0).unwrap_or(0.0))
        })
        .collect::<PolarsResult<Vec<f64>>>()?;
    let issues = out.next().expect("sink");
    let evidence = if has_evidence { out.next() } else { None };
    let keys = if keys { out.next() } else { None };
    let outside = out.next();
    Ok(Parts {
        aggregates,
        counts,
        history,
        ranges,
        issues,
        evidence,
        keys,
        outside,
    })
}

/// Rows whose key repeats an earlier row's key, given keys in any order.
/// The usual case, rows in order (as the sink gives them) with strictly
/// increasing keys, is seen in one vectorised pass, without a sort.
fn duplicates(keys: DataFrame) -> PolarsResult<Vec<IdxSize>> {
    if increasing(keys.column(ROW)?.idx()?) && increasing(keys.column(KEY)?.str()?) {
        return Ok(Vec::new());
    }
    let keys = keys.sort([ROW], SortMultipleOptions::default())?;
    let d = keys
        .lazy()
        .filter(col(KEY).is_first_distinct().not())
        .select([col(ROW)])
        .collect()?;
    Ok(d.column(ROW)?.idx()?.into_no_null_iter().collect())
}

/// Is every value greater than the one before it (nulls are not)? Chunk
/// by chunk in parallel, each compared with itself shifted by one
/// (zero-copy slices, a vectorised kernel), and across the chunk
/// boundaries; no rechunk, no copy of the keys.
fn increasing<T>(ca: &ChunkedArray<T>) -> bool
where
    T: PolarsDataType,
    ChunkedArray<T>: for<'a> ChunkCompareIneq<&'a ChunkedArray<T>, Item = BooleanChunked>,
{
    if ca.null_count() > 0 {
        return false;
    }
    // Slices within one chunk are single-chunk views of it.
    let slice = |o: usize, l: usize| ca.slice(o as i64, l);
    let mut spans = Vec::new();
    let mut start = 0;
    for n in ca.chunk_lengths() {
        spans.push((start, n));
        start += n;
    }
    spans.into_par_iter().all(|(start, n)| {
        (start == 0 || n == 0 || slice(start, 1).gt(&slice(start - 1, 1)).all())
            && (n < 2 || slice(start + 1, n - 1).gt(&slice(start, n - 1)).all())
    })
}

fn add(a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if b.height() == 0 {
        return Ok(a);
    }
    if a.height() == 0 {
        return Ok(b);
    }
    concat([a.lazy(), b.lazy()], UnionArgs::default())?
        .group_by([col(UNIT)])
        .agg([all().exclude_cols([UNIT]).as_expr().sum()])
        .collect()
}

fn file_err(source: &Source) -> impl Fn(PolarsError) -> DataError + '_ {
    move |e| crate::data::read::polars_err(&source.path, e)
}

/// The streaming engine bounds memory on large files; small ones (under
/// about 200,000 rows: a CSV row is ~100 bytes, a compressed Parquet row
/// ~20) run faster in memory, with no pipeline to start. Results are
/// identical either way: every sum is exact.
fn engine(source: &Source) -> Engine {
    let bytes_per_row = match source.path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => 20,
        _ => 100,
    };
    if source.bytes < 200_000 * bytes_per_row {
        Engine::InMemory
    } else {
        Engine::Streaming
    }
}

/// Run the pass for dataset `ds`.
pub fn run(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
) -> Result<DatasetPass, DataError> {
    let spec = &scheme.datasets[ds];
    let err = file_err(source);
    let mut trace = crate::Stopwatch::new(&spec.id);
    let mut dups: Option<Vec<IdxSize>> = None;
    loop {
        let lf = exprs::classified(
            scheme,
            ds,
            source.lf.clone(),
            source,
            units,
            true,
            dups.as_deref(),
        )
        .map_err(&err)?;
        let want_keys = spec.key.is_some() && dups.is_none();
        let mut parts =
            run_query(scheme, ds, (lf, source), want_keys, false, engine(source)).map_err(&err)?;
        trace.lap("pass");
        let mut rejects = Vec::new();
        // A second chance for the rows the fast parser could not read.
        let retry: Vec<IdxSize> = {
            let bad = parts
                .issues
                .clone()
                .lazy()
                .filter(col(STATE).eq(lit(BAD_VALUE)))
                .select([col(ROW)])
                .collect()?;
            bad.column(ROW)?.idx()?.into_no_null_iter().collect()
        };
        if !retry.is_empty() {
            let rows = lit(Series::new("r".into(), &retry)).implode(false);
            let lf = source.lf.clone().filter(col(ROW).is_in(rows, false));
            let lf = exprs::classified(scheme, ds, lf, source, units, false, dups.as_deref())
                .map_err(&err)?;
            let again = run_query(scheme, ds, (lf, source), want_keys, true, Engine::InMemory)
                .map_err(&err)?;
            parts.aggregates = add(parts.aggregates, again.aggregates)?;
            for k in 1..5 {
                parts.counts[k] += again.counts[k];
            }
            // The retried rows' rejects come from the lenient run, which
            // kept their raw text.
            rejects.extend(records::rejects(spec, source, &again.issues)?);
            parts.issues = parts
                .issues
                .lazy()
                .filter(col(STATE).neq(lit(BAD_VALUE)))
                .collect()?;
            parts.evidence = match (parts.evidence, again.evidence) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            parts.outside = match (parts.outside, again.outside) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            parts.keys = match (parts.keys, again.keys) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            for (a, b) in parts.ranges.iter_mut().zip(&again.ranges) {
                *a += b;
            }
            parts.history = match (parts.history, again.history) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            trace.lap("lenient retry");
        }
        if let Some(keys) = parts.keys.take() {
            let d = duplicates(keys)?;
            trace.lap("duplicate keys");
            if !d.is_empty() {
                dups = Some(d);
                continue;
            }
        }
        check_ranges(scheme, ds, source, units, &parts.ranges)?;
        if let Some(df) = parts.outside.as_ref().filter(|d| d.height() > 0) {
            return Err(outside_error(scheme, ds, source, df)?);
        }
        let [rows, counted, out_of_period, excluded_by_status, pending] = parts.counts;
        rejects.extend(records::rejects(spec, source, &parts.issues)?);
        // Lines that are not records were never read as rows.
        let malformed = source.malformed.len() as u64;
        rejects.extend(
            source
                .malformed
                .iter()
                .map(|m| Reject::malformed(&spec.id, &spec.source.file, m)),
        );
        let accounting = Accounting {
            rows_read: rows + malformed,
            counted,
            out_of_period,
            excluded_by_status,
            rejected: rows + malformed - counted - out_of_period - excluded_by_status,
        };
        debug_assert_eq!(accounting.rejected as usize, rejects.len());
        let evidence = match &parts.evidence {
            Some(df) => evidence::rows(scheme, ds, units, df)?,
            None => Vec::new(),
        };
        let history_from = parts.history.map(crate::calendar::from_days);
        // The early warnings read their columns (al*, sc*) by name.
        let alert_counts = (!super::signals::aggregations(scheme, ds).is_empty())
            .then(|| parts.aggregates.clone());
        return Ok(DatasetPass {
            dataset: ds,
            aggregates: parts.aggregates,
            evidence,
            rejects,
            accounting,
            pending_objections: pending,
            alert_counts,
            history_from,
        });
    }
}

/// Every summed value's Σ|x| must be a number below the exact limit; else
/// an error naming the value, the file and the line of the first value
/// that is not a finite number, or of the largest one.
fn check_ranges(
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
    let lf = exprs::classified(scheme, ds, source.lf.clone(), source, units, true, None)?;
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
fn outside_error(
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

/// Stack two frames with the same columns.
fn concat_frames(mut a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.height() == 0 {
        return Ok(b);
    }
    a.vstack_mut(&b)?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two chunks, as a sink gives them.
    fn chunked(a: &[&str], b: &[&str]) -> StringChunked {
        let mut ca = StringChunked::from_slice("k".into(), a);
        ca.append(&StringChunked::from_slice("k".into(), b))
            .unwrap();
        ca
    }

    #[test]
    fn increasing_checks_within_and_across_chunks() {
        assert!(increasing(&chunked(&["a", "b"], &["c", "d"])));
        assert_eq!(chunked(&["a", "b"], &["c", "d"]).chunks().len(), 2);
        // Equal neighbours are not increasing, within a chunk or across.
        assert!(!increasing(&chunked(&["a", "a"], &["c"])));
        assert!(!increasing(&chunked(&["a", "b"], &["b"])));
        // Decreasing only at the boundary.
        assert!(!increasing(&chunked(&["a", "c"], &["b", "d"])));
        // An empty chunk between two is skipped, its neighbours compared.
        let mut ca = chunked(&["a"], &[]);
        ca.append(&StringChunked::from_slice("k".into(), &["0"]))
            .unwrap();
        assert!(!increasing(&ca));
        // A null is not greater than anything.
        let n = StringChunked::from_slice_options("k".into(), &[Some("a"), None]);
        assert!(!increasing(&n));
        assert!(increasing(&StringChunked::from_slice(
            "k".into(),
            &[] as &[&str]
        )));
    }

    #[test]
    fn duplicates_are_later_rows_in_row_order_whatever_the_frame_order() {
        let keys = |rows: &[IdxSize], k: &[&str]| {
            DataFrame::new_infer_height(vec![
                Column::new(ROW.into(), rows),
                Column::new(KEY.into(), k),
            ])
            .unwrap()
        };
        // Rows out of order, keys increasing in row order: none.
        assert!(
            duplicates(keys(&[2, 0, 1], &["c", "a", "b"]))
                .unwrap()
                .is_empty()
        );
        // Rows in order; row 2 repeats row 0's key, row 3 row 1's.
        assert_eq!(
            duplicates(keys(&[0, 1, 2, 3], &["b", "a", "b", "a"])).unwrap(),
            vec![2, 3]
        );
        // The earlier row in row order keeps its key, whatever the order
        // of the frame: row 1 is first with "x", row 4 repeats it.
        assert_eq!(
            duplicates(keys(&[4, 1, 3], &["x", "x", "y"])).unwrap(),
            vec![4]
        );
    }
}
