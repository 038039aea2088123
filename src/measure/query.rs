//! One query over a dataset's classified rows, with several sinks: the
//! per-unit aggregates, the row counts, the rejected rows, the evidence
//! records, the keys and the records outside a points map.

use std::sync::{Arc, Mutex};

use polars::prelude::*;

use super::count_true;
use super::evidence;
use super::exprs;
use super::hashes::Hashes;
use crate::data::read::{ROW, Source};
use crate::data::records::{
    self, BAD_VALUE, EXCLUDED, IS_COUNTED, KEY, OUT_OF_PERIOD, PENDING, STATE, UNIT,
};
use crate::scheme::Scheme;

/// The collected sinks of one query.
pub(super) struct Parts {
    /// The measures' and the early warnings' per-unit aggregates.
    pub aggregates: DataFrame,
    /// rows, counted, out of period, excluded, pending objections.
    pub counts: [u64; 5],
    /// The earliest day before the period (alerts' own history).
    pub history: Option<i32>,
    /// Σ|x| of each of [`super::summed_values`], over all rows.
    pub ranges: Vec<f64>,
    pub issues: DataFrame,
    pub evidence: Option<DataFrame>,
    /// The keys, where the query was asked for them as a frame
    /// ([`KeySink::Frame`]).
    pub keys: Option<DataFrame>,
    /// Counted records outside a points map ([`exprs::outside_map`]).
    pub outside: Option<DataFrame>,
    /// [`ROW`], [`KEY`] and [`UNIT`] of the valid records the objection
    /// register names, if it names any of this dataset.
    pub marked: Option<DataFrame>,
}

/// What the query does with the valid records' keys ([`ROW`], [`KEY`]).
#[derive(Clone)]
pub(super) enum KeySink {
    /// Collect them as a frame ([`Parts::keys`]): to compare a few
    /// candidates' keys exactly.
    Frame,
    /// Hash them as they stream past, batch by batch in row order
    /// ([`Hashes::add`]): the pass's keys, of which no text is kept.
    Hashed(Arc<Mutex<Hashes>>),
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
    keys: Option<&KeySink>,
    lenient: bool,
    marks: &[crate::data::marks::Mark],
) -> PolarsResult<Vec<LazyFrame>> {
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
    if let Some(sink) = keys {
        let valid = lf
            .clone()
            .filter(col(STATE).lt(lit(BAD_VALUE)))
            .select([col(ROW), col(KEY)]);
        out.push(match sink {
            KeySink::Frame => valid,
            KeySink::Hashed(hashes) => Hashes::sink(hashes, valid)?,
        });
    }
    if !marks.is_empty() {
        let named: Vec<&str> = marks.iter().map(|m| m.record_key.as_str()).collect();
        let named = lit(Series::new("k".into(), named)).implode(false);
        out.push(
            lf.clone()
                .filter(
                    col(STATE)
                        .lt(lit(BAD_VALUE))
                        .and(col(KEY).is_in(named, false)),
                )
                .select([col(ROW), col(KEY), col(UNIT)]),
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
    Ok(out)
}

/// The points map a record falls outside (in the outside sink).
pub(super) const MAP: &str = "__map";

pub(super) fn run_query(
    scheme: &Scheme,
    ds: usize,
    (lf, ekey, source): (LazyFrame, Expr, &Source),
    keys: Option<&KeySink>,
    lenient: bool,
    engine: Engine,
) -> PolarsResult<Parts> {
    let has_evidence = evidence::sink(scheme, ds, lf.clone()).is_some();
    let (aggs, copies) = unit_aggregations(scheme, ds);
    let lf = super::signals::with_lead_digits(scheme, ds, lf);
    let plans = sinks(scheme, ds, lf, (aggs, ekey), keys, lenient, &source.marks)?
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
    let keys = match keys {
        Some(KeySink::Frame) => out.next(),
        // The callback sink's own result: an empty frame.
        Some(KeySink::Hashed(_)) => out.next().and(None),
        None => None,
    };
    let marked = if source.marks.is_empty() {
        None
    } else {
        out.next()
    };
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
        marked,
    })
}

/// Two aggregates frames added up per unit (every aggregate is a sum).
pub(super) fn add(a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.height() == 0 {
        return Ok(b);
    }
    combine(a, b, false)
}

/// `a` − `b` per unit, column by column (every aggregate is an exact
/// sum: counts, integral sums, integer limbs).
pub(super) fn subtract(a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    combine(a, b, true)
}

/// `a` + `b`, or `a` − `b`, per unit, in each column's own type (unsigned
/// counts are worked in i64 so that `b` can be negated).
fn combine(a: DataFrame, b: DataFrame, negate: bool) -> PolarsResult<DataFrame> {
    if b.height() == 0 {
        return Ok(a);
    }
    let mut signed = Vec::new();
    let mut back = Vec::new();
    for (name, dt) in a.schema().iter() {
        if name.as_str() == UNIT {
            continue;
        }
        let work = match dt {
            d if d.is_unsigned_integer() => DataType::Int64,
            d if d.is_primitive_numeric() || !negate => d.clone(),
            d => polars_bail!(ComputeError: "aggregate {name} of type {d} is not a sum"),
        };
        signed.push((name.clone(), work));
        back.push(col(name.clone()).cast(dt.clone()));
    }
    let cast = |negated: bool| -> Vec<Expr> {
        let mut out = vec![col(UNIT)];
        out.extend(signed.iter().map(|(n, t)| {
            let c = col(n.clone()).cast(t.clone());
            if negated {
                c * lit(-1).cast(t.clone())
            } else {
                c
            }
            .alias(n.clone())
        }));
        out
    };
    concat(
        [a.lazy().select(cast(false)), b.lazy().select(cast(negate))],
        UnionArgs::default(),
    )?
    .group_by([col(UNIT)])
    .agg([all().exclude_cols([UNIT]).as_expr().sum()])
    .select(std::iter::once(col(UNIT)).chain(back).collect::<Vec<_>>())
    .collect()
}

/// Stack two frames with the same columns.
pub(super) fn concat_frames(mut a: DataFrame, b: DataFrame) -> PolarsResult<DataFrame> {
    if a.height() == 0 {
        return Ok(b);
    }
    a.vstack_mut(&b)?;
    Ok(a)
}

impl Parts {
    /// Add the parts of the query over the next window of the file: its
    /// rows too.
    pub(super) fn append(&mut self, mut next: Parts) -> PolarsResult<()> {
        self.counts[0] += next.counts[0];
        self.issues = concat_frames(
            std::mem::take(&mut self.issues),
            std::mem::take(&mut next.issues),
        )?;
        self.absorb(next)
    }

    /// Add the parts of a query over other rows (the lenient retry of
    /// the rows the fast parser could not read): every aggregate and count
    /// is a sum, the frames stack.
    pub(super) fn absorb(&mut self, again: Parts) -> PolarsResult<()> {
        self.aggregates = add(std::mem::take(&mut self.aggregates), again.aggregates)?;
        for k in 1..5 {
            self.counts[k] += again.counts[k];
        }
        let stack = |a: Option<DataFrame>, b: Option<DataFrame>| match (a, b) {
            (Some(a), Some(b)) => concat_frames(a, b).map(Some),
            (a, b) => Ok(a.or(b)),
        };
        self.evidence = stack(self.evidence.take(), again.evidence)?;
        self.outside = stack(self.outside.take(), again.outside)?;
        self.keys = stack(self.keys.take(), again.keys)?;
        self.marked = stack(self.marked.take(), again.marked)?;
        for (a, b) in self.ranges.iter_mut().zip(&again.ranges) {
            *a += b;
        }
        self.history = match (self.history, again.history) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(())
    }

    /// Take back what rows `rows` (ascending) gave as `judged` (a query
    /// over them alone, judged as this one judged them) and put in what
    /// they give as `marked` (the same rows judged again, as duplicates).
    /// The caller has checked that `judged` did not set the history's
    /// earliest day, which a subtraction cannot undo.
    pub(super) fn take_back(
        &mut self,
        rows: &[IdxSize],
        judged: Parts,
        marked: Parts,
    ) -> PolarsResult<()> {
        self.aggregates = subtract(std::mem::take(&mut self.aggregates), judged.aggregates)?;
        for k in 1..5 {
            self.counts[k] -= judged.counts[k];
        }
        for (a, b) in self.ranges.iter_mut().zip(&judged.ranges) {
            *a -= b;
        }
        let set = lit(Series::new("r".into(), rows)).implode(false);
        let keep = |f: Option<DataFrame>| -> PolarsResult<Option<DataFrame>> {
            f.map(|f| {
                f.lazy()
                    .filter(col(ROW).is_in(set.clone(), false).not())
                    .collect()
            })
            .transpose()
        };
        self.evidence = keep(self.evidence.take())?;
        self.outside = keep(self.outside.take())?;
        self.marked = keep(self.marked.take())?;
        // The marked rows are rejects now: their issues join the others,
        // in row order, as a pass that knew them would list them.
        let base = self.issues.get_column_names_owned();
        let issues = marked
            .issues
            .lazy()
            .select(base.iter().map(|c| col(c.clone())).collect::<Vec<_>>())
            .collect()?;
        self.issues = concat_frames(std::mem::take(&mut self.issues), issues)?
            .sort([ROW], SortMultipleOptions::default())?;
        self.absorb(Parts {
            issues: DataFrame::empty(),
            ..marked
        })
    }
}
