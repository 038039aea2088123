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

use super::evidence::{self, Evidence};
use crate::analysis::warnings;
use crate::data::read::{ROW, Source};
use crate::data::records::{
    self, BAD_VALUE, COUNTED, EXCLUDED, KEY, OUT_OF_PERIOD, PENDING, STATE, UNIT,
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
    /// Per-unit counts for the early warnings (alerts and screens).
    pub alert_counts: Option<DataFrame>,
    /// The earliest day before the period (own-history tests).
    pub history_from: Option<chrono::NaiveDate>,
}

/// The collected sinks of one query.
struct Parts {
    aggregates: DataFrame,
    /// rows, counted, out of period, excluded, pending (counted).
    counts: [u64; 5],
    issues: DataFrame,
    evidence: Option<DataFrame>,
    keys: Option<DataFrame>,
    alerts: Option<DataFrame>,
    history: Option<DataFrame>,
}

fn state(s: i32) -> Expr {
    col(STATE).eq(lit(s))
}

fn sinks(scheme: &Scheme, ds: usize, lf: LazyFrame, keys: bool, lenient: bool) -> Vec<LazyFrame> {
    let spec = &scheme.datasets[ds];
    let u64 = |e: Expr| e.cast(DataType::UInt64).sum();
    let mut issue_cols = vec![
        col(ROW),
        col(STATE),
        col(records::EKEY),
        col(UNIT),
        col(KEY),
    ];
    if lenient {
        issue_cols.extend((0..spec.columns.len()).map(|i| col(records::raw_column(i))));
    }
    let aggs = super::aggregations(scheme, ds);
    let aggregates = if aggs.is_empty() {
        lf.clone()
            .filter(state(COUNTED))
            .group_by([col(UNIT)])
            .agg([len().alias("__n")])
    } else {
        lf.clone()
            .filter(state(COUNTED))
            .group_by([col(UNIT)])
            .agg(aggs)
    };
    let mut out = vec![
        aggregates,
        lf.clone().select([
            len().cast(DataType::UInt64).alias("rows"),
            u64(state(COUNTED)).alias("counted"),
            u64(state(OUT_OF_PERIOD)).alias("out_of_period"),
            u64(state(EXCLUDED)).alias("excluded"),
            u64(state(COUNTED).and(col(PENDING))).alias("pending"),
        ]),
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
    out.extend(warnings::sink(scheme, ds, lf.clone()));
    out.extend(warnings::history_sink(scheme, ds, lf));
    out
}

fn run_query(
    scheme: &Scheme,
    ds: usize,
    lf: LazyFrame,
    keys: bool,
    lenient: bool,
    engine: Engine,
) -> PolarsResult<Parts> {
    let has_evidence = evidence::sink(scheme, ds, lf.clone()).is_some();
    let plans = sinks(scheme, ds, lf, keys, lenient)
        .into_iter()
        .map(|q| q.logical_plan)
        .collect();
    let mut out =
        LazyFrame::collect_all_with_engine(plans, engine, OptFlags::default())?.into_iter();
    let aggregates = out.next().expect("sink");
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
    let issues = out.next().expect("sink");
    let evidence = if has_evidence { out.next() } else { None };
    let keys = if keys { out.next() } else { None };
    let alerts = out.next();
    let history = out.next();
    Ok(Parts {
        aggregates,
        counts,
        issues,
        evidence,
        keys,
        alerts,
        history,
    })
}

/// Rows whose key repeats an earlier row's key, given keys in any order.
fn duplicates(keys: DataFrame) -> PolarsResult<Vec<IdxSize>> {
    let keys = keys.sort([ROW], SortMultipleOptions::default())?;
    let increasing = keys
        .clone()
        .lazy()
        .select([col(KEY)
            .gt(col(KEY).shift(lit(1)))
            .fill_null(lit(true))
            .all(true)
            .alias("inc")])
        .collect()?;
    if increasing.column("inc")?.bool()?.get(0).unwrap_or(true) {
        return Ok(Vec::new());
    }
    let d = keys
        .lazy()
        .filter(col(KEY).is_first_distinct().not())
        .select([col(ROW)])
        .collect()?;
    Ok(d.column(ROW)?.idx()?.into_no_null_iter().collect())
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
    let mut trace = crate::Trace::new(&spec.id);
    let mut dups: Option<Vec<IdxSize>> = None;
    loop {
        let lf = records::plan(
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
            run_query(scheme, ds, lf, want_keys, false, engine(source)).map_err(&err)?;
        trace.step("pass");
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
            let lf = records::plan(scheme, ds, lf, source, units, false, dups.as_deref())
                .map_err(&err)?;
            let again =
                run_query(scheme, ds, lf, want_keys, true, Engine::InMemory).map_err(&err)?;
            parts.aggregates = add(parts.aggregates, again.aggregates)?;
            for k in 1..5 {
                parts.counts[k] += again.counts[k];
            }
            // The retried rows' rejects come from the lenient run, which
            // kept their raw text.
            rejects.extend(records::rejects(spec, scheme, ds, source, &again.issues)?);
            parts.issues = parts
                .issues
                .lazy()
                .filter(col(STATE).neq(lit(BAD_VALUE)))
                .collect()?;
            parts.evidence = match (parts.evidence, again.evidence) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            parts.keys = match (parts.keys, again.keys) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            parts.alerts = match (parts.alerts, again.alerts) {
                (Some(a), Some(b)) => Some(add(a, b)?),
                (a, b) => a.or(b),
            };
            parts.history = match (parts.history, again.history) {
                (Some(a), Some(b)) => Some(concat_frames(a, b)?),
                (a, b) => a.or(b),
            };
            trace.step("lenient retry");
        }
        if let Some(keys) = parts.keys.take() {
            let d = duplicates(keys)?;
            trace.step("duplicate keys");
            if !d.is_empty() {
                dups = Some(d);
                continue;
            }
        }
        let [rows, counted, out_of_period, excluded_by_status, pending] = parts.counts;
        rejects.extend(records::rejects(spec, scheme, ds, source, &parts.issues)?);
        let accounting = Accounting {
            rows_read: rows,
            counted,
            out_of_period,
            excluded_by_status,
            rejected: rows - counted - out_of_period - excluded_by_status,
        };
        debug_assert_eq!(accounting.rejected as usize, rejects.len());
        let evidence = match &parts.evidence {
            Some(df) => evidence::rows(scheme, ds, units, df)?,
            None => Vec::new(),
        };
        let history_from = match &parts.history {
            Some(h) => h
                .column("from")?
                .date()?
                .physical()
                .iter()
                .flatten()
                .min()
                .map(|d| {
                    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
                        + chrono::Duration::days(i64::from(d))
                }),
            None => None,
        };
        return Ok(DatasetPass {
            dataset: ds,
            aggregates: parts.aggregates,
            evidence,
            rejects,
            accounting,
            pending_objections: pending,
            alert_counts: parts.alerts,
            history_from,
        });
    }
}

/// Stack two frames with the same columns.
fn concat_frames(mut a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.height() == 0 {
        return Ok(b);
    }
    a.vstack_mut(&b)?;
    Ok(a)
}
