//! Evidence (SCHEME.md section 9): every counted record behind a
//! deduction, bonus, penalty or veto, with its signed points before caps.
//!
//! "Behind a deduction" means a record matching a `deduction` measure's
//! `where`; a veto's evidence is its unrepaired matching records (a
//! repaired record never triggers a veto). Records of units a rule does not
//! apply to (`applies_to`) are not evidence for them.

use polars::prelude::*;

use super::exprs::{cond, note, points, repaired_points};
use crate::data::read::ROW;
use crate::data::{KEY, Loaded, REPAIRED, UNIT};
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
}

struct Source<'a> {
    order: usize,
    id: &'a str,
    ds: usize,
    applies: Box<dyn Fn(&str) -> bool + 'a>,
    filter: Expr,
    points: Expr,
    note: Expr,
}

fn sources(scheme: &Scheme) -> Vec<Source<'_>> {
    let f = scheme.repair_factor;
    let mut out = Vec::new();
    for (i, ind) in scheme.indicators.iter().enumerate() {
        if let MeasureKind::Deduction { points: p } = &ind.measure.kind {
            out.push(Source {
                order: i,
                id: &ind.id,
                ds: ind.dataset,
                applies: Box::new(move |g| ind.applies(g)),
                filter: cond(&ind.measure.where_),
                points: -repaired_points(p, f),
                note: note(f, true),
            });
        }
    }
    let base = scheme.indicators.len();
    for (r, rule) in scheme.rules.iter().enumerate() {
        let (filter, pts, nt) = match rule.kind {
            RuleKind::Bonus => (cond(&rule.where_), points(&rule.points), note(f, false)),
            RuleKind::Penalty => (
                cond(&rule.where_),
                -repaired_points(&rule.points, f),
                note(f, true),
            ),
            RuleKind::Veto => (
                cond(&rule.where_).and(col(REPAIRED).not()),
                lit(0.0),
                note(f, false),
            ),
        };
        out.push(Source {
            order: base + r,
            id: &rule.id,
            ds: rule.dataset,
            applies: Box::new(move |g| rule.applies(g)),
            filter,
            points: pts,
            note: nt,
        });
    }
    out
}

/// Collect the evidence records, sorted by unit_id, rule order and record.
pub fn evidence(scheme: &Scheme, data: &Loaded) -> PolarsResult<Vec<Evidence>> {
    let mut out = Vec::new();
    for s in sources(scheme) {
        let Some(rec) = data.records.iter().find(|r| r.dataset == s.ds) else {
            continue;
        };
        let exprs: Vec<_> = crate::measure::exprs::dataset_exprs(scheme, s.ds);
        let wd = crate::measure::exprs::workday_columns(scheme, &exprs);
        let df = rec
            .frame
            .clone()
            .lazy()
            .with_columns(wd)
            .filter(s.filter.clone())
            .select([
                col(UNIT),
                col(KEY),
                col(ROW).cast(DataType::UInt64),
                s.points.clone().cast(DataType::Float64).alias("__p"),
                s.note.clone().alias("__note"),
            ])
            .collect()?;
        let unit = df.column(UNIT)?.u32()?;
        let key = df.column(KEY)?.str()?;
        let row = df.column(ROW)?.u64()?;
        let p = df.column("__p")?.f64()?;
        let nt = df.column("__note")?.str()?;
        for k in 0..df.height() {
            let u = unit.get(k).unwrap_or(0) as usize;
            if !(s.applies)(&data.units.groups[u]) {
                continue;
            }
            out.push(Evidence {
                unit: u,
                rule_order: s.order,
                rule_id: s.id.to_string(),
                dataset: scheme.datasets[s.ds].id.clone(),
                record_key: key.get(k).unwrap_or("").to_string(),
                row: row.get(k).unwrap_or(0),
                points: p.get(k).unwrap_or(0.0) + 0.0,
                note: nt.get(k).unwrap_or("").to_string(),
            });
        }
    }
    out.sort_by(|a, b| {
        data.units.ids[a.unit]
            .cmp(&data.units.ids[b.unit])
            .then(a.rule_order.cmp(&b.rule_order))
            .then(a.row.cmp(&b.row))
    });
    Ok(out)
}
