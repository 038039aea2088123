//! One dataset's records, classified (docs/scheme.md section 3), as a lazy
//! query: nothing here reads a row; the measure stage runs it.
//!
//! The order of judgement is fixed, so every row ends in exactly one
//! state: *rejected* (a bad or empty value, an unknown unit, a duplicate
//! key: the later row), else *out of period*
//! (its `date`, the day of a datetime, outside the period), else *excluded
//! by status* (exempt, upheld objection, or pending objection under
//! `pending_objections = "exclude"`), else *counted*.

use polars::prelude::*;

use super::checks::{self, EMPTY};
use super::fields::FALLBACK;
use super::parse::{self, OBJECTION_VALUES};
use super::read::{ROW, Source};
use super::stats::Proofs;
use super::{Reject, Units};
use crate::calendar::{day_after, day_before};
use crate::scheme::{ColType, DatasetSpec, EXEMPT, OBJECTION, PendingPolicy, REPAIRED_ON, Scheme};

/// The unit a record is charged to, as text (known units only are counted).
pub const UNIT: &str = "__unit";
/// Record key as text: the `key` column, or the line number.
pub const KEY: &str = "__key";
/// Repaired on or before the period end (信用修复).
pub const REPAIRED: &str = "__repaired";
/// Objection pending (异议待处理), on a record that is not exempt.
pub const PENDING: &str = "__pending";
/// Where the row ends: one of the `STATE_*` values.
pub const STATE: &str = "__state";
/// `STATE == COUNTED`, as a bool column: every measure's mask starts
/// from it, so that one group-by over all rows needs no filter first.
pub const IS_COUNTED: &str = "__counted";
/// Column × 100 + error code of a row's first failing column, or null;
/// computed by [`error_key`] on the rejected rows only.
pub const EKEY: &str = "__ekey";
/// Does any column of the row fail its checks? (A bool per row: cheap
/// where [`EKEY`], an integer per column, is not.)
pub const BAD: &str = "__bad";

pub const COUNTED: i32 = 0;
pub const OUT_OF_PERIOD: i32 = 1;
pub const EXCLUDED: i32 = 2;
pub const BAD_VALUE: i32 = 3;
pub const UNKNOWN_UNIT: i32 = 4;
pub const DUPLICATE: i32 = 5;

/// The raw text of column `i` (kept by the lenient plan, for rejects).
pub fn raw_column(i: usize) -> String {
    format!("__r{i}")
}

/// Why a bad value (`value`, as written) was rejected.
pub fn reason(code: i32, ty: ColType, column: &str, value: &str) -> String {
    match (code, column) {
        (EMPTY, _) => "empty value in a required column".into(),
        (_, OBJECTION) => format!(
            "objection must be one of: {}",
            OBJECTION_VALUES
                .iter()
                .map(|v| v.0)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => match ty {
            ColType::String => "not text".into(),
            ColType::Int if out_of_range(value) => format!(
                "a whole number out of range (at most {} in absolute value)",
                i64::MAX
            ),
            ColType::Int => "not a whole number".into(),
            ColType::Float => "not a number".into(),
            ColType::Bool => "not a bool (expected true/false, 1/0, 是/否, Y/N)".into(),
            ColType::Date => "not a date (expected 2025-03-01 or 2025/3/1)".into(),
            ColType::Datetime => {
                "not a datetime (expected 2025-03-01 08:30 or 2025-03-01 08:30:00)".into()
            }
        },
    }
}

/// Digits only (with an optional sign): a whole number too large for i64.
fn out_of_range(value: &str) -> bool {
    let v = value.trim();
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && v.parse::<i64>().is_err()
}

/// The raw value of checked column `i`, kept beside its typed value so
/// that [`error_key`] can judge the rejected rows after the plan.
fn checked_column(i: usize) -> String {
    format!("__c{i}")
}

/// Parse as two selects, so that each column's typed value is computed
/// once (a value used in several expressions of one select is recomputed
/// for each): (1) typed value `__v{i}`; (2) typed values under their own
/// names, the raw values of checked columns as `__c{i}`, and [`BAD`]: any
/// check failing. The third part is the [`EKEY`] expression over (2)'s
/// columns (a flat min over per-column keys; columns that cannot fail
/// have none), for the rejected rows only. The lenient plan (for the few
/// rows the fast one rejects) keeps the raw text as `__r{i}`.
fn parse_plan(
    spec: &DatasetSpec,
    schema: &Schema,
    fast: bool,
    proofs: &Proofs,
) -> PolarsResult<(Vec<Expr>, Vec<Expr>, Expr)> {
    let v = |i: usize| format!("__v{i}");
    let mut parse = vec![col(ROW)];
    let mut keys = Vec::new();
    // The conditions that make a row bad, or-ed into BAD at the end.
    let mut bad: Vec<Expr> = Vec::new();
    let mut last = vec![col(ROW)];
    for (i, c) in spec.columns.iter().enumerate() {
        let name = c.name.as_str();
        let from = schema.get(name).cloned().unwrap_or(DataType::String);
        let parsed = if name == OBJECTION {
            parse::parse_objection(col(name).cast(DataType::String))
        } else {
            parse::parse_typed(col(name), &from, c.ty, fast)
        };
        parse.push(col(name));
        parse.push(parsed.alias(v(i)));
        let structural = [Some(&spec.unit), spec.key.as_ref(), spec.date.as_ref()]
            .iter()
            .any(|x| x.is_some_and(|x| x == name));
        // Status columns (docs/scheme.md section 3) may be empty whatever
        // their declared type says: empty means none / false / not
        // repaired.
        let status = matches!(name, EXEMPT | OBJECTION | REPAIRED_ON);
        let required = (!c.nullable && !status) || structural;
        let verbatim = name != OBJECTION;
        // The checks on (raw, typed): in the plan, and after it (where the
        // typed value has the column's name and the raw one __c{i}).
        let checks_on = |raw: Expr, typed: Expr| {
            let how = checks::Judged {
                from: &from,
                ty: c.ty,
                required,
                fast,
                verbatim,
                proven: proofs.get(name).copied().unwrap_or_default(),
            };
            let mut checks = checks::checks(raw, typed, &how);
            if fast && name == spec.unit {
                // A unit id led by whitespace is not in the register
                // (whose ids are stripped) and is rejected as unknown,
                // whitespace only as empty (see [`rejects`]): no need to
                // look for it.
                checks.retain(|(_, code)| *code != checks::BAD || c.ty != ColType::String);
            }
            checks
        };
        let checks = checks_on(col(name), col(v(i)));
        if !checks.is_empty() {
            bad.extend(checks.into_iter().map(|(cond, _)| cond));
            let mut key = lit(NULL).cast(DataType::Int64);
            for (cond, code) in checks_on(col(checked_column(i)), col(name))
                .into_iter()
                .rev()
            {
                key = when(cond)
                    .then(lit(i as i64 * 100 + code as i64))
                    .otherwise(key);
            }
            keys.push(key);
            last.push(col(name).alias(checked_column(i)));
        }
        if !fast {
            parse.push(col(name).cast(DataType::String).alias(raw_column(i)));
            last.push(col(raw_column(i)));
        }
        last.push(col(v(i)).alias(name));
    }
    // Rows whose typed fields the window's reader could not read in
    // their canonical form (`fields::FALLBACK`) go to the lenient parser,
    // as values the fast parser cannot read do.
    if schema.contains(FALLBACK) {
        parse.push(col(FALLBACK));
        bad.push(col(FALLBACK));
    }
    // A column: `lit(false)` alone would be one value, not one per row.
    let any_bad = bad.into_iter().reduce(Expr::or);
    last.push(any_bad.unwrap_or(col(ROW).is_null()).alias(BAD));
    let ekey = match keys.len() {
        0 => lit(NULL).cast(DataType::Int64),
        _ => polars::lazy::dsl::min_horizontal(keys)?,
    };
    Ok((parse, last, ekey.alias(EKEY)))
}

/// The type a dataset's `date` column `d` has in the classified rows
/// (its declared type's).
pub fn date_type(spec: &DatasetSpec, d: &str) -> DataType {
    spec.column(d).map_or(DataType::Date, |c| c.ty.dtype())
}

/// The classified rows of dataset `ds`, and the [`EKEY`] expression over
/// them (meant for the rejected rows: an integer per checked column per
/// row costs more than the [`BAD`] flag). The rows: declared columns
/// (typed), [`ROW`],
/// [`BAD`], the raw values of checked columns, [`UNIT`], [`KEY`], [`REPAIRED`], [`PENDING`], [`STATE`],
/// [`IS_COUNTED`], and the `extra` columns (the measure stage's `workdays`
/// columns), computed beside [`IS_COUNTED`]. `fast` picks the parser (see
/// [`parse::parse_fast`]); `duplicates` lists rows already known to repeat
/// an earlier key.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    scheme: &Scheme,
    ds: usize,
    lf: LazyFrame,
    source: &Source,
    units: &Units,
    fast: bool,
    duplicates: Option<&[IdxSize]>,
    extra: Vec<Expr>,
) -> PolarsResult<(LazyFrame, Expr)> {
    let spec = &scheme.datasets[ds];
    // The columns' types as read: text, typed (Parquet, a spreadsheet's
    // cells), or both (a CSV window's typed fields, `fields`).
    let mut lf = lf;
    let schema = lf.collect_schema()?;
    let (parse, last, ekey) = parse_plan(spec, &schema, fast, &source.proven)?;
    let p = scheme.period;
    let unit_text = col(spec.unit.as_str()).cast(DataType::String);
    let known = unit_text
        .clone()
        .is_in(lit(units.id_series()).implode(false), false);
    // The day of `date` (docs/scheme.md section 3), compared without a
    // cast per row where the column is a datetime.
    let out_of_period = match &spec.date {
        Some(d) => {
            let ty = date_type(spec, d);
            let day = col(d.as_str());
            day_before(day.clone(), &ty, p.start).or(day_after(day, &ty, p.end))
        }
        None => lit(false),
    };
    let key = match &spec.key {
        Some(k) => col(k.as_str()).cast(DataType::String),
        None => source.lines.expr().cast(DataType::String),
    };
    // The register's status replaces the column's, for the records it
    // names under their own unit (docs/scheme.md section 3).
    let marked = super::marks::register_marks(&source.marks, unit_text.clone(), key.clone());
    let objection = |v: &str| {
        let own = if spec.has(OBJECTION) {
            col(OBJECTION).eq(lit(v)).fill_null(lit(false))
        } else {
            lit(false)
        };
        match &marked {
            Some((any, by)) => when(any.clone()).then(by(v)).otherwise(own),
            None => own,
        }
    };
    let mut excluded = objection("upheld");
    let exempt = if spec.has(EXEMPT) {
        col(EXEMPT).fill_null(lit(false))
    } else {
        lit(false)
    };
    excluded = excluded.or(exempt.clone());
    // A pending objection on an exempt record is moot: it never counts.
    let pending = objection("pending").and(exempt.not());
    if scheme.pending_objections == PendingPolicy::Exclude {
        excluded = excluded.or(pending.clone());
    }
    let mut repaired = if spec.has(REPAIRED_ON) {
        col(REPAIRED_ON)
            .is_not_null()
            .and(col(REPAIRED_ON).lt_eq(lit(p.end)))
    } else {
        lit(false)
    };
    // A repair date in the register replaces the record's.
    if let Some((dated, in_period)) =
        super::marks::register_repairs(&source.marks, &unit_text, &key, p.end)
    {
        repaired = when(dated).then(in_period).otherwise(repaired);
    }
    let duplicate = match duplicates {
        Some(rows) if !rows.is_empty() => {
            col(ROW).is_in(lit(Series::new("d".into(), rows)).implode(false), false)
        }
        _ => lit(false),
    };
    let state = when(col(BAD))
        .then(lit(BAD_VALUE))
        .when(known.not())
        .then(lit(UNKNOWN_UNIT))
        .when(duplicate)
        .then(lit(DUPLICATE))
        .when(out_of_period)
        .then(lit(OUT_OF_PERIOD))
        .when(excluded)
        .then(lit(EXCLUDED))
        .otherwise(lit(COUNTED));
    let mut last_columns = extra;
    last_columns.push(col(STATE).eq(lit(COUNTED)).alias(IS_COUNTED));
    let rows = lf
        .select(parse)
        .select(last)
        .with_columns([
            unit_text.alias(UNIT),
            key.alias(KEY),
            repaired.alias(REPAIRED),
            pending.alias(PENDING),
            state.cast(DataType::Int32).alias(STATE),
        ])
        .with_columns(last_columns);
    Ok((rows, ekey))
}

/// The reject for a row in a rejected state, from the issue columns the
/// pass collects: [`ROW`], [`STATE`], [`EKEY`], [`UNIT`], [`KEY`] and (for
/// bad values) the raw text columns.
pub fn rejects(
    spec: &DatasetSpec,
    source: &Source,
    issues: &DataFrame,
) -> PolarsResult<Vec<Reject>> {
    let rows = issues.column(ROW)?.idx()?;
    let state = issues.column(STATE)?.i32()?;
    let ekey = issues.column(EKEY)?.i64()?;
    let unit = issues.column(UNIT)?.str()?;
    let key = issues.column(KEY)?.str()?;
    let mut out = Vec::with_capacity(issues.height());
    for i in 0..issues.height() {
        let (column, value, reason) = match state.get(i) {
            Some(BAD_VALUE) => {
                let k = ekey.get(i).unwrap_or(0);
                let (c, code) = ((k / 100) as usize, (k % 100) as i32);
                let col_spec = &spec.columns[c];
                let value = issues
                    .column(&raw_column(c))
                    .ok()
                    .and_then(|s| s.str().ok().and_then(|s| s.get(i).map(str::to_string)))
                    .unwrap_or_default();
                let why = reason(code, col_spec.ty, &col_spec.name, &value);
                (col_spec.name.clone(), value, why)
            }
            Some(UNKNOWN_UNIT) => {
                let value = unit.get(i).unwrap_or("");
                let column = spec.unit.clone();
                let reason = if value.trim().is_empty() {
                    reason(EMPTY, ColType::String, &column, value)
                } else {
                    "unknown unit (not in the unit register)".to_string()
                };
                (column, value.to_string(), reason)
            }
            _ => (
                spec.key.clone().unwrap_or_default(),
                key.get(i).unwrap_or("").to_string(),
                "duplicate key (an earlier row has it)".to_string(),
            ),
        };
        out.push(Reject {
            dataset: spec.id.clone(),
            file: spec.source.file.clone(),
            line: source.lines.line(rows.get(i).unwrap_or(0) as usize),
            column,
            value,
            reason,
        });
    }
    Ok(out)
}
