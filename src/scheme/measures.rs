//! Section 4: measures, `measure = { kind = ..., ... }`, and the points
//! of records (`points = 2` or a column map), which bonus and penalty
//! rules share. One table entry per kind ([`KINDS`]) names the keys it
//! takes and builds it.

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{Validator, span};
use super::datasets::ColType;
use super::expr::{self, SqlExpr, Want, Written};
use super::items::ItemCtx;
use super::kinds::{self, Kind};
use crate::diag::S;

/// `measure = { kind = ..., ... }`: one flat table; which fields a kind
/// takes is checked in validation, so the message can say so.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeasure {
    pub kind: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub of: Option<S<String>>,
    pub expr: Option<S<String>>,
    pub num: Option<S<String>>,
    pub den: Option<S<String>>,
    pub per: Option<S<String>>,
    pub scale: Option<S<f64>>,
    #[schemars(with = "Option<PointsSchema>")]
    pub points: Option<S<toml::Value>>,
}

/// For the schema only: `points = 2` or
/// `points = { column = "severity", map = { 一般 = 2, 较重 = 5 } }`.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "Points")]
pub(super) enum PointsSchema {
    Fixed(f64),
    ByColumn {
        column: String,
        map: std::collections::BTreeMap<String, f64>,
    },
}

/// Points per record: a constant, or looked up from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Points {
    Fixed(f64),
    Map {
        column: String,
        map: Vec<(String, f64)>,
    },
}

// Built once per scheme: variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum MeasureKind {
    Count { per: Option<String>, scale: f64 },
    Sum { expr: SqlExpr },
    Mean { expr: SqlExpr },
    Share { of: Option<SqlExpr> },
    Ratio { num: SqlExpr, den: SqlExpr },
    Value,
    Deduction { points: Points },
}

impl MeasureKind {
    pub fn name(&self) -> &'static str {
        match self {
            MeasureKind::Count { .. } => "count",
            MeasureKind::Sum { .. } => "sum",
            MeasureKind::Mean { .. } => "mean",
            MeasureKind::Share { .. } => "share",
            MeasureKind::Ratio { .. } => "ratio",
            MeasureKind::Value => "value",
            MeasureKind::Deduction { .. } => "deduction",
        }
    }

    /// Plain `count` and `deduction` are never missing: no records is 0
    /// (docs/scheme.md section 5).
    pub fn never_missing(&self) -> bool {
        matches!(
            self,
            MeasureKind::Count { per: None, .. } | MeasureKind::Deduction { .. }
        )
    }
}

impl MeasureKind {
    /// No records is a value (0) rather than missing: counts, with or
    /// without `per` (a count per attribute is missing only when the
    /// attribute is).
    pub fn zero_records_is_a_value(&self) -> bool {
        matches!(self, MeasureKind::Count { .. }) || self.never_missing()
    }
}

/// The kinds `shrink` applies to (docs/scheme.md section 5).
pub(super) const SHRINKABLE: &[&str] = &["share", "mean", "ratio"];

#[derive(Debug, Clone)]
pub struct Measure {
    pub kind: MeasureKind,
    pub where_: Option<SqlExpr>,
}

/// What a kind's build gets: the measure as written, and its
/// expressions checked (`None`: absent; `Some(None)`: failed, reported).
pub(super) struct Parts<'a> {
    f: usize,
    ds: usize,
    m: &'a RawMeasure,
    of: Option<Option<SqlExpr>>,
    expr: Option<Option<SqlExpr>>,
    num: Option<Option<SqlExpr>>,
    den: Option<Option<SqlExpr>>,
}

type Build = fn(&mut Validator, &ItemCtx, Parts) -> Option<MeasureKind>;

/// Every measure kind, in the order messages list them.
const KINDS: &[Kind<Build>] = &[
    Kind {
        name: "count",
        takes: &["where", "per", "scale"],
        needs: &[],
        build: count,
    },
    Kind {
        name: "sum",
        takes: &["where", "expr"],
        needs: &["expr"],
        build: |_, _, p| Some(MeasureKind::Sum { expr: p.expr?? }),
    },
    Kind {
        name: "mean",
        takes: &["where", "expr"],
        needs: &["expr"],
        build: |_, _, p| Some(MeasureKind::Mean { expr: p.expr?? }),
    },
    Kind {
        name: "share",
        takes: &["where", "of"],
        needs: &[],
        build: |_, _, p| {
            let of = match p.of {
                Some(o) => Some(o?),
                None => None,
            };
            Some(MeasureKind::Share { of })
        },
    },
    Kind {
        name: "ratio",
        takes: &["where", "num", "den"],
        needs: &["num", "den"],
        build: |_, _, p| {
            Some(MeasureKind::Ratio {
                num: p.num??,
                den: p.den??,
            })
        },
    },
    Kind {
        name: "value",
        takes: &["where"],
        needs: &[],
        build: value,
    },
    Kind {
        name: "deduction",
        takes: &["where", "points"],
        needs: &["points"],
        build: |v, cx, p| {
            Some(MeasureKind::Deduction {
                points: points(v, cx, p.f, Some(p.ds), p.m.points.as_ref()?)?,
            })
        },
    },
];

/// Check the measure of an indicator (file `f`, dataset `ds`).
pub(super) fn check(
    v: &mut Validator,
    cx: &mut ItemCtx,
    f: usize,
    ds: usize,
    m: &RawMeasure,
) -> Option<Measure> {
    let present = [
        ("where", span(&m.where_)),
        ("of", span(&m.of)),
        ("expr", span(&m.expr)),
        ("num", span(&m.num)),
        ("den", span(&m.den)),
        ("per", span(&m.per)),
        ("scale", span(&m.scale)),
        ("points", span(&m.points)),
    ];
    let kind = kinds::find(v, f, "measure", &m.kind, KINDS, &present)?;
    let mut ex = |v: &mut Validator, t: &Option<S<String>>, want, field| {
        t.as_ref().map(|text| {
            let w = Written {
                file: f,
                field,
                text,
            };
            expr::check(v, cx, &w, ds, want)
        })
    };
    let where_ = ex(v, &m.where_, Want::Condition, "where");
    let of = ex(v, &m.of, Want::Condition, "of");
    let e = ex(v, &m.expr, Want::Number, "expr");
    let num = ex(v, &m.num, Want::Number, "num");
    let den = ex(v, &m.den, Want::Number, "den");
    let where_ = match where_ {
        Some(None) => return None,
        Some(w) => w,
        None => None,
    };
    let parts = Parts {
        f,
        ds,
        m,
        of,
        expr: e,
        num,
        den,
    };
    let kind = (kind.build)(v, cx, parts)?;
    Some(Measure { kind, where_ })
}

fn count(v: &mut Validator, _: &ItemCtx, p: Parts) -> Option<MeasureKind> {
    let m = p.m;
    if let (Some(s), None) = (&m.scale, &m.per) {
        v.err(p.f, s.span().start, "scale needs per = \"attribute\"");
        return None;
    }
    let scale = m.scale.as_ref().map_or(1.0, |s| *s.get_ref());
    if !(scale.is_finite() && scale > 0.0) {
        v.err(
            p.f,
            span(&m.scale).unwrap_or(0),
            "scale must be a positive number",
        );
        return None;
    }
    Some(MeasureKind::Count {
        per: m.per.as_ref().map(|a| a.get_ref().clone()),
        scale,
    })
}

fn value(v: &mut Validator, cx: &ItemCtx, p: Parts) -> Option<MeasureKind> {
    let spec = &cx.datasets.as_ref()?[p.ds];
    let id_ok = spec
        .column("indicator_id")
        .is_some_and(|c| c.ty == ColType::String);
    let val_ok = spec
        .column("value")
        .is_some_and(|c| matches!(c.ty, ColType::Int | ColType::Float));
    if !(id_ok && val_ok) {
        v.err(p.f, p.m.kind.span().start, format!(
            "measure kind \"value\" needs dataset {} to declare indicator_id = \"string\" and value = \"float\"",
            spec.id
        ));
        return None;
    }
    Some(MeasureKind::Value)
}

/// `points = 2`, or `points = { column = "...", map = { ... } }` over a
/// string column of dataset `ds` (when known).
pub(super) fn points(
    v: &mut Validator,
    cx: &ItemCtx,
    f: usize,
    ds: Option<usize>,
    p: &S<toml::Value>,
) -> Option<Points> {
    let at = p.span().start;
    let hint = "points = 2, or points = { column = \"severity\", map = { 一般 = 2, 较重 = 5 } }";
    let num = |x: &toml::Value| match x {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) if x.is_finite() => Some(*x),
        _ => None,
    };
    let t = match p.get_ref() {
        x @ (toml::Value::Integer(_) | toml::Value::Float(_)) => {
            return match num(x) {
                Some(n) if n >= 0.0 => Some(Points::Fixed(n)),
                _ => {
                    v.err(f, at, "points must be a number >= 0").hint(hint);
                    None
                }
            };
        }
        toml::Value::Table(t) => t,
        _ => {
            v.err(f, at, "points must be a number or a table")
                .hint(hint);
            return None;
        }
    };
    let column = t.get("column").and_then(|c| c.as_str());
    let map = t.get("map").and_then(|m| m.as_table());
    let extra = t.keys().find(|k| *k != "column" && *k != "map");
    let (Some(column), Some(map), None) = (column, map, extra) else {
        v.err(f, at, "points table needs exactly `column` and `map`")
            .hint(hint);
        return None;
    };
    let mut out = Vec::new();
    for (k, x) in map {
        match num(x) {
            Some(n) if n >= 0.0 => out.push((k.clone(), n)),
            _ => {
                v.err(
                    f,
                    at,
                    format!("points map: {k:?} must map to a number >= 0"),
                );
                return None;
            }
        }
    }
    if let (Some(ds), Some(all)) = (ds, cx.datasets.as_ref()) {
        let spec = &all[ds];
        let problem = match spec.column(column) {
            None => Some(format!(
                "points column {column:?} is not declared in dataset {}",
                spec.id
            )),
            Some(c) if c.ty != ColType::String => {
                Some(format!("points column {column:?} must be a string column"))
            }
            _ => None,
        };
        if let Some(msg) = problem {
            v.err(f, at, msg);
            return None;
        }
    }
    Some(Points::Map {
        column: column.to_string(),
        map: out,
    })
}
