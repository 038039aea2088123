//! Evidence (docs/scheme.md section 9): every counted record behind a
//! deduction, bonus, penalty or veto, with its signed points before caps.
//!
//! "Behind a deduction" means a record matching a `deduction` measure's
//! `where`; a veto's evidence is its unrepaired matching records (a
//! repaired record never triggers a veto). Records of units a rule does not
//! apply to are not evidence for them.
//!
//! The pass collects one evidence sink per dataset: the counted records
//! matching any evidence rule, with one column per rule holding its points
//! where the rule matches (null elsewhere); [`rows`] turns that into
//! evidence records.

use polars::prelude::*;

use super::exprs::{cond, points, repaired_points};
use crate::data::read::ROW;
use crate::data::records::{COUNTED, STATE};
use crate::data::{KEY, PENDING, REPAIRED, UNIT, Units};
use crate::scheme::{MeasureKind, RuleKind, Scheme};

#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub unit: usize,
    /// Index into the scheme's rule order: indicators first, then rules.
    pub rule_order: usize,
    pub rule_id: String,
    pub dataset: String,
    pub record_key: String,
    pub row: u64,
    /// Negative for deductions and penalties, positive for bonuses, 0 for
    /// a veto record.
    pub points: f64,
    pub note: String,
    /// The record's `date` (the day), or empty without one.
    pub date: String,
    /// The dataset's `show` columns, as text (empty where null).
    pub details: Vec<String>,
}

/// The record's day, and the dataset's `show` columns, in the sink.
const DATE: &str = "__evdate";
fn show_column(k: usize) -> String {
    format!("__show{k}")
}

/// One rule whose matching records are evidence.
struct Source<'a> {
    order: usize,
    id: &'a str,
    /// Whether `repair_factor` applies (deductions and penalties).
    repairs: bool,
    applies: Box<dyn Fn(&str) -> bool + 'a>,
    filter: Expr,
    points: Expr,
}

fn sources(scheme: &Scheme, ds: usize) -> Vec<Source<'_>> {
    let f = scheme.repair_factor;
    let mut out = Vec::new();
    for (i, ind) in scheme
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
        if let MeasureKind::Deduction { points: p } = &ind.measure.kind {
            out.push(Source {
                order: i,
                id: &ind.id,
                repairs: true,
                applies: Box::new(move |g| ind.applies(g)),
                filter: cond(&ind.measure.where_),
                points: -repaired_points(p, f),
            });
        }
    }
    let base = scheme.indicators.len();
    for (r, rule) in scheme
        .rules
        .iter()
        .enumerate()
        .filter(|(_, x)| x.dataset == ds)
    {
        let (filter, pts, repairs) = match rule.kind {
            RuleKind::Bonus => (cond(&rule.where_), points(&rule.points), false),
            RuleKind::Penalty => (cond(&rule.where_), -repaired_points(&rule.points, f), true),
            RuleKind::Veto => (cond(&rule.where_).and(col(REPAIRED).not()), lit(0.0), false),
        };
        out.push(Source {
            order: base + r,
            id: &rule.id,
            repairs,
            applies: Box::new(move |g| rule.applies(g)),
            filter,
            points: pts,
        });
    }
    out
}

fn column(k: usize) -> String {
    format!("__ev{k}")
}

/// The evidence sink of dataset `ds` over its classified rows, if any rule
/// of the dataset produces evidence.
pub fn sink(scheme: &Scheme, ds: usize, lf: LazyFrame) -> Option<LazyFrame> {
    let src = sources(scheme, ds);
    let any = src
        .iter()
        .map(|s| s.filter.clone())
        .reduce(|a, b| a.or(b))?;
    let spec = &scheme.datasets[ds];
    let mut cols = vec![col(UNIT), col(KEY), col(ROW), col(REPAIRED), col(PENDING)];
    cols.push(match &spec.date {
        Some(d) => col(d.as_str())
            .cast(DataType::Date)
            .cast(DataType::String)
            .alias(DATE),
        None => lit(NULL).cast(DataType::String).alias(DATE),
    });
    for (k, c) in spec.show.iter().enumerate() {
        cols.push(col(c.as_str()).cast(DataType::String).alias(show_column(k)));
    }
    for (k, s) in src.iter().enumerate() {
        cols.push(
            when(s.filter.clone())
                .then(s.points.clone().cast(DataType::Float64))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(column(k)),
        );
    }
    Some(lf.filter(col(STATE).eq(lit(COUNTED)).and(any)).select(cols))
}

/// Evidence records from a dataset's evidence sink.
pub fn rows(
    scheme: &Scheme,
    ds: usize,
    units: &Units,
    df: &DataFrame,
) -> PolarsResult<Vec<Evidence>> {
    let src = sources(scheme, ds);
    let unit = df.column(UNIT)?.str()?;
    let key = df.column(KEY)?.str()?;
    let row = df.column(ROW)?.cast(&DataType::UInt64)?;
    let row = row.u64()?;
    let repaired = df.column(REPAIRED)?.bool()?;
    let pending = df.column(PENDING)?.bool()?;
    let pts: Vec<Float64Chunked> = (0..src.len())
        .map(|k| Ok(df.column(&column(k))?.f64()?.clone()))
        .collect::<PolarsResult<_>>()?;
    let date = df.column(DATE)?.str()?;
    let shows: Vec<&StringChunked> = (0..scheme.datasets[ds].show.len())
        .map(|k| df.column(&show_column(k))?.str())
        .collect::<PolarsResult<_>>()?;
    let factor = scheme.repair_factor;
    let mut out = Vec::new();
    for i in 0..df.height() {
        let Some(u) = unit.get(i).and_then(|u| units.index_of(u)) else {
            continue;
        };
        for (k, s) in src.iter().enumerate() {
            let Some(p) = pts[k].get(i) else { continue };
            if !(s.applies)(&units.groups[u]) {
                continue;
            }
            let mut notes = Vec::new();
            if s.repairs && repaired.get(i) == Some(true) {
                notes.push(format!("repaired ×{factor}"));
            }
            if pending.get(i) == Some(true) {
                notes.push("pending objection".to_string());
            }
            out.push(Evidence {
                unit: u,
                rule_order: s.order,
                rule_id: s.id.to_string(),
                dataset: scheme.datasets[ds].id.clone(),
                record_key: key.get(i).unwrap_or("").to_string(),
                row: row.get(i).unwrap_or(0),
                points: p + 0.0,
                note: notes.join("; "),
                date: date.get(i).unwrap_or("").to_string(),
                details: shows
                    .iter()
                    .map(|c| c.get(i).unwrap_or("").to_string())
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// Each of `units` units' evidence records, in their order: one pass over
/// the records, not one per unit (3,000 units × their records).
pub fn by_unit(evidence: &[Evidence], units: usize) -> Vec<Vec<&Evidence>> {
    let mut out: Vec<Vec<&Evidence>> = vec![Vec::new(); units];
    for e in evidence {
        if let Some(v) = out.get_mut(e.unit) {
            v.push(e);
        }
    }
    out
}

/// Sort evidence by unit_id, rule order and record.
pub fn sort(units: &Units, ev: &mut [Evidence]) {
    ev.sort_by(|a, b| {
        units.ids[a.unit]
            .cmp(&units.ids[b.unit])
            .then(a.rule_order.cmp(&b.rule_order))
            .then(a.row.cmp(&b.row))
    });
}
