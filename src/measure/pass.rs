//! One pass over a dataset: classify every row, aggregate the counted ones
//! per unit, account for all of them, and keep the rejects, the evidence
//! records and the keys, as one query with several sinks run by polars'
//! streaming engine. Records are never materialised: memory stays bounded
//! however large the file.
//!
//! The file is read once, bad rows or not. Three refinements keep it
//! exact:
//! - rows the fast parser rejects (rare) are read again, those rows alone
//!   ([`Source::subset`]), with the lenient parser; their aggregates are
//!   added (every aggregate is an exact sum);
//! - duplicate keys ("the later row is rejected") are found from the keys
//!   sink, hashed as the rows stream past and kept as 64-bit hashes
//!   ([`hashes::Hashes`]): keys in order
//!   (the usual case for ticket numbers) have none; otherwise the rows
//!   whose hash may be a repeat's have their keys read again and
//!   compared exactly ([`keys::duplicates`]), and the
//!   duplicate rows alone are read again, their contribution taken back
//!   and their rejects put in ([`take_back`]);
//! - an error from the file (a ragged CSV line) names the file.

use std::sync::{Arc, Mutex};

use polars::prelude::*;

use super::evidence::{self, Evidence};
use super::query::{KeySink, Parts, run_query};
use super::{checks, hashes, keys, rows};
use crate::data::read::{ROW, Source};
use crate::data::records::{self, BAD_VALUE, STATE};
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
    /// The records the objection register names: key → the units of the
    /// valid records with that key.
    pub marked: std::collections::HashMap<String, Vec<String>>,
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
        let want_keys = spec.key.is_some() && dups.is_none();
        let hashes = want_keys.then(|| Arc::new(Mutex::new(hashes::Hashes::new())));
        let sink = hashes.as_ref().map(|h| KeySink::Hashed(Arc::clone(h)));
        let mut parts: Option<Parts> = None;
        // Window by window (one for most files): each window's pages go
        // once its query has run, and its parts join the others'.
        for w in &source.windows {
            let (lf, ekey) = w
                .rows()
                .and_then(|r| rows::classified(scheme, ds, r, source, units, true, dups.as_deref()))
                .map_err(&err)?;
            let p = w
                .run(|| {
                    run_query(
                        scheme,
                        ds,
                        (lf, ekey, source),
                        sink.as_ref(),
                        false,
                        engine(source),
                    )
                })
                .map_err(&err)?;
            match parts.as_mut() {
                None => parts = Some(p),
                Some(a) => a.append(p).map_err(&err)?,
            }
        }
        let mut parts = parts.expect("a source has a window");
        trace.lap(&format!("pass ({} windows)", source.windows.len()));
        let mut rejects = Vec::new();
        // A second chance for the rows the fast parser could not read:
        // those rows alone, read again.
        let retry = bad_rows(&parts.issues)?;
        if !retry.is_empty() {
            let again = subset_query(
                scheme,
                ds,
                source,
                units,
                (&retry, false),
                dups.as_deref(),
                sink.as_ref(),
            )
            .map_err(&err)?;
            // The retried rows' rejects come from the lenient run, which
            // kept their raw text.
            rejects.extend(records::rejects(spec, source, &again.issues)?);
            parts.issues = parts
                .issues
                .lazy()
                .filter(col(STATE).neq(lit(BAD_VALUE)))
                .collect()?;
            parts.absorb(again)?;
            trace.lap("lenient retry");
        }
        if let Some(h) = hashes {
            let h = std::mem::replace(&mut *hashes::lock(&h).map_err(&err)?, hashes::Hashes::new());
            if crate::tracing() {
                eprintln!("[trace] {} key batches: {}", spec.id, h.batches());
            }
            let candidates = h.candidates();
            let d = if candidates.is_empty() {
                Vec::new()
            } else {
                let keys =
                    candidate_keys(scheme, ds, source, units, &candidates, &retry).map_err(&err)?;
                if keys.height() == 0 {
                    Vec::new()
                } else {
                    keys::duplicates(keys)?
                }
            };
            trace.lap("duplicate keys");
            if !d.is_empty() {
                match take_back(scheme, ds, source, units, &mut parts, &d, &retry) {
                    Ok(true) => trace.lap("duplicates taken back"),
                    // Rare: the pass runs again with those rows marked.
                    Ok(false) => {
                        dups = Some(d);
                        continue;
                    }
                    Err(e) => return Err(err(e)),
                }
            }
        }
        checks::check_ranges(scheme, ds, source, units, &parts.ranges)?;
        if let Some(df) = parts.outside.as_ref().filter(|d| d.height() > 0) {
            return Err(checks::outside_error(scheme, ds, source, df)?);
        }
        return finish(scheme, ds, source, units, parts, rejects);
    }
}

/// The parts of a query over some rows only, read again
/// ([`Source::subset`]), with the fast or the lenient parser (`fast`), in
/// memory; the keys where the dataset has them and no duplicates are
/// marked yet.
fn subset_query(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
    (subset, fast): (&[IdxSize], bool),
    dups: Option<&[IdxSize]>,
    keys: Option<&KeySink>,
) -> PolarsResult<Parts> {
    let want_keys = scheme.datasets[ds].key.is_some() && dups.is_none();
    let (lf, ekey) = rows::classified(
        scheme,
        ds,
        source.subset(subset)?,
        source,
        units,
        fast,
        dups,
    )?;
    run_query(
        scheme,
        ds,
        (lf, ekey, source),
        keys.filter(|_| want_keys),
        !fast,
        Engine::InMemory,
    )
}

/// Take the duplicate rows `dups` (which the pass counted as records)
/// back out of `parts` and put them in as rejects, from two queries over
/// those rows alone: as the pass judged them (subtracted) and marked as
/// duplicates (added). Every aggregate and count is an exact sum, so this
/// gives what a pass with the duplicates known from the start would.
/// `retry`: the rows the lenient parser read (ascending). Returns false,
/// changing nothing, where a part cannot be taken back (the earliest day
/// of the early warnings' own history is a minimum, not a sum): then the
/// pass runs again.
fn take_back(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
    parts: &mut Parts,
    dups: &[IdxSize],
    retry: &[IdxSize],
) -> PolarsResult<bool> {
    let mut out = Vec::new();
    for (rows, fast) in by_parser(dups, retry) {
        let judged = subset_query(scheme, ds, source, units, (&rows, fast), Some(&[]), None)?;
        if judged.history.is_some() && judged.history == parts.history {
            return Ok(false);
        }
        let marked = subset_query(scheme, ds, source, units, (&rows, fast), Some(&rows), None)?;
        out.push((rows, judged, marked));
    }
    for (rows, judged, marked) in out {
        parts.take_back(&rows, judged, marked)?;
    }
    Ok(true)
}

/// `rows` (ascending) by the parser that reads them again: the fast one
/// (`true`), or the lenient one for the rows it read in the pass
/// (`retry`); each group non-empty.
fn by_parser(rows: &[IdxSize], retry: &[IdxSize]) -> Vec<(Vec<IdxSize>, bool)> {
    let (lenient, fast): (Vec<IdxSize>, Vec<IdxSize>) =
        rows.iter().partition(|r| retry.binary_search(r).is_ok());
    [(fast, true), (lenient, false)]
        .into_iter()
        .filter(|(r, _)| !r.is_empty())
        .collect()
}

/// The keys ([`ROW`], [`KEY`]) of the rows `rows` (ascending), read
/// again: with the lenient parser those it read (`retry`), the others
/// with the fast one.
fn candidate_keys(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
    rows: &[IdxSize],
    retry: &[IdxSize],
) -> PolarsResult<DataFrame> {
    let mut out = DataFrame::empty();
    for (rows, fast) in by_parser(rows, retry) {
        let keys = subset_query(
            scheme,
            ds,
            source,
            units,
            (&rows, fast),
            None,
            Some(&KeySink::Frame),
        )?
        .keys;
        if let Some(k) = keys {
            out = super::query::concat_frames(out, k)?;
        }
    }
    Ok(out)
}

/// The rows the fast parser could not read.
fn bad_rows(issues: &DataFrame) -> PolarsResult<Vec<IdxSize>> {
    let bad = issues
        .clone()
        .lazy()
        .filter(col(STATE).eq(lit(BAD_VALUE)))
        .select([col(ROW)])
        .collect()?;
    let mut rows: Vec<IdxSize> = bad.column(ROW)?.idx()?.into_no_null_iter().collect();
    rows.sort_unstable();
    Ok(rows)
}

/// The pass's result from its final parts: every reject (the malformed
/// lines too), the accounting, the evidence records.
fn finish(
    scheme: &Scheme,
    ds: usize,
    source: &Source,
    units: &Units,
    parts: Parts,
    mut rejects: Vec<Reject>,
) -> Result<DatasetPass, DataError> {
    let spec = &scheme.datasets[ds];
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
    let mut marked: std::collections::HashMap<String, Vec<String>> = Default::default();
    if let Some(df) = &parts.marked {
        let (k, u) = (
            df.column(records::KEY)?.str()?,
            df.column(records::UNIT)?.str()?,
        );
        for (k, u) in k.iter().zip(u.iter()) {
            if let (Some(k), Some(u)) = (k, u) {
                marked.entry(k.to_string()).or_default().push(u.to_string());
            }
        }
    }
    // The early warnings read their columns (al*, sc*) by name.
    let alert_counts =
        (!super::signals::aggregations(scheme, ds).is_empty()).then(|| parts.aggregates.clone());
    Ok(DatasetPass {
        dataset: ds,
        aggregates: parts.aggregates,
        evidence,
        rejects,
        accounting,
        pending_objections: pending,
        alert_counts,
        history_from,
        marked,
    })
}
