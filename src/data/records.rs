//! One dataset: read, parse, reject, classify (SCHEME.md section 3).
//!
//! The order of judgement is fixed, so every row ends in exactly one
//! place: a row is *rejected* (bad or empty value, value outside a points
//! map, unknown unit, duplicate key: the later row), else *out of period*
//! (its `date`, the day of a datetime, outside the period), else *excluded
//! by status* (exempt, upheld objection, or pending objection under
//! `pending_objections = "exclude"`), else *counted*.

use polars::prelude::*;

use super::parse::{self, EMPTY, OBJECTION_VALUES, OK};
use super::read::{ROW, Wanted, read_table};
use super::{Accounting, DataError, InputFile, Records, Reject, Units};
use crate::scheme::{
    ColType, DatasetSpec, EXEMPT, MeasureKind, OBJECTION, PendingPolicy, Points, REPAIRED_ON,
    RuleKind, Scheme,
};

/// Unit index (u32) of a counted record.
pub const UNIT: &str = "__unit";
/// Record key as text: the `key` column, or the line number.
pub const KEY: &str = "__key";
/// Repaired on or before the period end (信用修复).
pub const REPAIRED: &str = "__repaired";
/// Objection pending (异议待处理).
pub const PENDING: &str = "__pending";

/// Column × 100 + error code of a row's first failing column, or null.
const EKEY: &str = "__ekey";
/// Error codes from MAP upwards: value not in points map number (code - MAP).
const MAP: i32 = 10;

/// A points map over a column of this dataset, for checking values.
struct PointsMap {
    rule: String,
    column: String,
    keys: Vec<String>,
}

fn points_maps(scheme: &Scheme, ds: usize) -> Vec<PointsMap> {
    let mut out = Vec::new();
    let mut add = |rule: &str, p: &Points| {
        if let Points::Map { column, map } = p {
            out.push(PointsMap {
                rule: rule.to_string(),
                column: column.clone(),
                keys: map.iter().map(|(k, _)| k.clone()).collect(),
            });
        }
    };
    for ind in scheme.indicators.iter().filter(|i| i.dataset == ds) {
        if let MeasureKind::Deduction { points } = &ind.measure.kind {
            add(&ind.id, points);
        }
    }
    for r in scheme
        .rules
        .iter()
        .filter(|r| r.dataset == ds && r.kind != RuleKind::Veto)
    {
        add(&r.id, &r.points);
    }
    out
}

fn reason(code: i32, ty: ColType, column: &str, maps: &[PointsMap]) -> String {
    if code >= MAP {
        let m = &maps[(code - MAP) as usize];
        return format!(
            "not a key of the points map of {} (expected one of: {})",
            m.rule,
            m.keys.join(", ")
        );
    }
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

/// The parse step as three selects, so that each column's typed value and
/// error code are computed once (a value used in several expressions of one
/// select is recomputed for each): (1) raw text and typed value `__v{i}`;
/// (2) typed value under its own name, and error code `__e{i}`; (3) the
/// row's first failing column × 100 + code as [`EKEY`] (a flat min).
fn parse_plan(
    spec: &DatasetSpec,
    schema: &Schema,
    maps: &[PointsMap],
    fast: bool,
) -> PolarsResult<[Vec<Expr>; 3]> {
    let v = |i: usize| format!("__v{i}");
    let e = |i: usize| format!("__e{i}");
    let mut parse = vec![col(ROW)];
    let mut codes = vec![col(ROW)];
    let mut keys = Vec::new();
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
        let mut code = parse::error_code(col(name), col(v(i)), &from, !c.nullable || structural);
        for (k, m) in maps.iter().enumerate().filter(|(_, m)| m.column == name) {
            let keys = lit(Series::new("k".into(), &m.keys)).implode(false);
            let outside = col(v(i))
                .is_not_null()
                .and(col(v(i)).is_in(keys, false).not());
            code = when(code.clone().gt(parse::code(OK)))
                .then(code)
                .when(outside)
                .then(parse::code(MAP + k as i32))
                .otherwise(parse::code(OK));
        }
        codes.push(col(v(i)).alias(name));
        codes.push(code.alias(e(i)));
        keys.push(
            when(col(e(i)).gt(parse::code(OK)))
                .then(lit(i as i64 * 100) + col(e(i)).cast(DataType::Int64))
                .otherwise(lit(NULL).cast(DataType::Int64)),
        );
    }
    let mut last = vec![col(ROW)];
    last.extend(spec.columns.iter().map(|c| col(c.name.as_str())));
    last.push(polars::lazy::dsl::min_horizontal(keys)?.alias(EKEY));
    Ok([parse, codes, last])
}

pub(super) fn load(
    scheme: &Scheme,
    ds: usize,
    data_dir: &std::path::Path,
    units: &Units,
) -> Result<(Records, Vec<Reject>, InputFile), DataError> {
    let spec = &scheme.datasets[ds];
    let declared: Vec<(String, ColType)> = spec
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.ty))
        .collect();
    let mut trace = crate::Trace::new(&spec.id);
    let raw = read_table(
        data_dir,
        &spec.source,
        &spec.id,
        Wanted::Declared(&declared),
    )?;
    let schema = raw.frame.schema().clone();
    let maps = points_maps(scheme, ds);

    trace.step("read");
    let raw_frame = raw.frame.clone();
    let run = |frame: DataFrame, fast: bool| -> PolarsResult<DataFrame> {
        let [parse, codes, last] = parse_plan(spec, &schema, &maps, fast)?;
        frame
            .lazy()
            .select(parse)
            .select(codes)
            .select(last)
            .collect()
    };
    let mut df = run(raw.frame, true)?;
    // A second chance, with the lenient parser, for the rows the fast
    // path could not read (2025/3/1, spaces, 是/否 in any case...).
    let retry = df
        .clone()
        .lazy()
        .filter(col(EKEY).is_not_null())
        .select([col(ROW)])
        .collect()?;
    if retry.height() > 0 {
        let redone = run(raw_frame.take(retry.column(ROW)?.idx()?)?, false)?;
        let mut kept = df.lazy().filter(col(EKEY).is_null()).collect()?;
        kept.vstack_mut(&redone)?;
        df = kept.sort([ROW], SortMultipleOptions::default())?;
    }
    trace.step("parse");
    let rows_read = df.height() as u64;
    let file = spec.source.file.clone();
    let mut rejects = Vec::new();
    let mut reject_rows = |frame: &DataFrame,
                           column: &dyn Fn(usize) -> (String, String, String)|
     -> Result<(), DataError> {
        let rows = frame.column(ROW)?.idx()?.clone();
        for (i, r) in rows.into_no_null_iter().enumerate() {
            let (column, value, reason) = column(i);
            rejects.push(Reject {
                dataset: spec.id.clone(),
                file: file.clone(),
                line: raw.lines.line(r as usize),
                column,
                value,
                reason,
            });
        }
        Ok(())
    };

    // 1. Bad or empty values: the raw text is looked up for these rows only.
    let bad = df
        .clone()
        .lazy()
        .filter(col(EKEY).is_not_null())
        .select([col(ROW), col(EKEY)])
        .collect()?;
    {
        let keys = bad.column(EKEY)?.i64()?.clone();
        let raws = raw_frame.take(bad.column(ROW)?.idx()?)?;
        let text: Vec<Column> = spec
            .columns
            .iter()
            .map(|c| raws.column(&c.name).and_then(|x| x.cast(&DataType::String)))
            .collect::<PolarsResult<_>>()?;
        reject_rows(&bad, &|i| {
            let key = keys.get(i).unwrap();
            let (k, code) = ((key / 100) as usize, (key % 100) as i32);
            let c = &spec.columns[k];
            let value = text[k]
                .str()
                .ok()
                .and_then(|s| s.get(i))
                .unwrap_or("")
                .to_string();
            (c.name.clone(), value, reason(code, c.ty, &c.name, &maps))
        })?;
    }
    let good = df
        .lazy()
        .filter(col(EKEY).is_null())
        .drop(by_name([EKEY], true, false));

    trace.step("bad values");
    // 2. Unknown units (a left join on the register gives the unit index).
    let unit_text = col(spec.unit.as_str()).cast(DataType::String);
    let register = df!(
        "__uid" => &units.ids,
        UNIT => (0..units.len() as u32).collect::<Vec<_>>()
    )?;
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    let joined = good
        .with_column(unit_text.alias("__utext"))
        .join(register.lazy(), [col("__utext")], [col("__uid")], args)
        .collect()?;
    let unknown = joined
        .clone()
        .lazy()
        .filter(col(UNIT).is_null())
        .collect()?;
    {
        let u = unknown.column("__utext")?.str()?.clone();
        reject_rows(&unknown, &|i| {
            (
                spec.unit.clone(),
                u.get(i).unwrap_or("").to_string(),
                "unknown unit (not in the unit register)".into(),
            )
        })?;
    }
    let mut good = joined
        .lazy()
        .filter(col(UNIT).is_not_null())
        .drop(by_name(["__utext", "__uid"], false, false))
        .collect()?;

    trace.step("unknown units");
    // 3. Duplicate keys: the later row is rejected.
    if let Some(k) = &spec.key {
        let kt = col(k.as_str()).cast(DataType::String);
        let marked = good
            .lazy()
            .with_column(kt.clone().is_first_distinct().alias("__first"))
            .collect()?;
        let dups = marked
            .clone()
            .lazy()
            .filter(col("__first").not())
            .select([col(ROW), kt.alias("k")])
            .collect()?;
        let kv = dups.column("k")?.str()?.clone();
        reject_rows(&dups, &|i| {
            (
                k.clone(),
                kv.get(i).unwrap_or("").to_string(),
                "duplicate key (an earlier row has it)".into(),
            )
        })?;
        good = marked
            .lazy()
            .filter(col("__first"))
            .drop(by_name(["__first"], true, false))
            .collect()?;
    }

    trace.step("duplicate keys");
    // 4. Period and status.
    let p = scheme.period;
    let in_period = match &spec.date {
        Some(d) => {
            let day = col(d.as_str()).cast(DataType::Date);
            day.clone().gt_eq(lit(p.start)).and(day.lt_eq(lit(p.end)))
        }
        None => lit(true),
    };
    let objection = |v: &str| {
        if spec.has(OBJECTION) {
            col(OBJECTION).eq(lit(v)).fill_null(lit(false))
        } else {
            lit(false)
        }
    };
    let mut excluded = objection("upheld");
    if spec.has(EXEMPT) {
        excluded = excluded.or(col(EXEMPT).fill_null(lit(false)));
    }
    if scheme.pending_objections == PendingPolicy::Exclude {
        excluded = excluded.or(objection("pending"));
    }
    let repaired = if spec.has(REPAIRED_ON) {
        col(REPAIRED_ON)
            .is_not_null()
            .and(col(REPAIRED_ON).lt_eq(lit(p.end)))
    } else {
        lit(false)
    };
    let key = match &spec.key {
        Some(k) => col(k.as_str()).cast(DataType::String),
        None => raw.lines.expr().cast(DataType::String),
    };
    let classed = good
        .lazy()
        .with_columns([in_period.alias("__in"), excluded.alias("__ex")])
        .collect()?;
    let count = |e: Expr| -> Result<u64, DataError> {
        let s = classed
            .clone()
            .lazy()
            .select([e.cast(DataType::UInt64).sum().alias("n")])
            .collect()?;
        Ok(s.column("n")?.u64()?.get(0).unwrap_or(0))
    };
    let out_of_period = count(col("__in").not())?;
    let excluded_by_status = count(col("__in").and(col("__ex")))?;
    let frame = classed
        .lazy()
        .filter(col("__in").and(col("__ex").not()))
        .with_columns([
            key.alias(KEY),
            repaired.alias(REPAIRED),
            objection("pending").alias(PENDING),
        ])
        .drop(by_name(["__in", "__ex"], true, false))
        .collect()?;
    let counted = frame.height() as u64;
    trace.step("period and status");
    let pending_objections = frame.column(PENDING)?.bool()?.sum().unwrap_or(0) as u64;
    let accounting = Accounting {
        rows_read,
        counted,
        out_of_period,
        excluded_by_status,
        rejected: rejects.len() as u64,
    };
    debug_assert!(accounting.balanced(), "{accounting:?}");
    let input = InputFile {
        dataset: spec.id.clone(),
        file,
        digest: raw.digest,
        bytes: raw.bytes,
        accounting,
        pending_objections,
    };
    Ok((Records { dataset: ds, frame }, rejects, input))
}
