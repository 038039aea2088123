//! Item-level checks: indicators (measure and score), bonus, penalty and
//! veto rules, grades, and the expressions they contain.
//!
//! Expressions are checked against the dataset's declared columns by
//! running them on an empty frame of that schema, so that a misspelt column
//! or a type error (text compared with a number, a `where` that is not a
//! condition) is a load-time error with the file and line of the scheme.

use std::collections::HashMap;

use polars::prelude::*;

use super::diag::{list, suggest};
use super::expr::{self, SqlExpr};
use super::model::*;
use super::raw::*;
use super::validate::{MISSING, Validator};

pub(super) struct ItemCtx<'a> {
    datasets: &'a Option<Vec<DatasetSpec>>,
    grades: &'a Option<Vec<Grade>>,
    missing: Option<MissingPolicy>,
    counter: usize,
    empties: HashMap<usize, DataFrame>,
}

impl<'a> ItemCtx<'a> {
    pub fn new(
        datasets: &'a Option<Vec<DatasetSpec>>,
        grades: &'a Option<Vec<Grade>>,
        missing: Option<MissingPolicy>,
    ) -> Self {
        ItemCtx {
            datasets,
            grades,
            missing,
            counter: 0,
            empties: HashMap::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Want {
    Condition,
    Number,
}

/// Polars dtype of a declared column type.
pub fn dtype(t: ColType) -> DataType {
    match t {
        ColType::String => DataType::String,
        ColType::Int => DataType::Int64,
        ColType::Float => DataType::Float64,
        ColType::Bool => DataType::Boolean,
        ColType::Date => DataType::Date,
        ColType::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
    }
}

fn dataset(v: &mut Validator, cx: &ItemCtx, f: usize, name: &S<String>) -> Option<usize> {
    let ds = cx.datasets.as_ref()?;
    match ds.iter().position(|d| &d.id == name.get_ref()) {
        Some(i) => Some(i),
        None => {
            let d = v.err(
                f,
                name.span().start,
                format!("unknown dataset {:?}", name.get_ref()),
            );
            d.hint = Some(
                match suggest(name.get_ref(), ds.iter().map(|d| d.id.as_str())) {
                    Some(s) => format!("did you mean {s:?}?"),
                    None => format!("datasets: {}", list(ds.iter().map(|d| &d.id), 12)),
                },
            );
            None
        }
    }
}

fn check_expr(
    v: &mut Validator,
    cx: &mut ItemCtx,
    f: usize,
    ds: usize,
    text: &S<String>,
    want: Want,
    field: &str,
) -> Option<SqlExpr> {
    let spec = &cx.datasets.as_ref()?[ds];
    let at = text.span().start;
    let compiled = match expr::compile(text.get_ref(), &mut cx.counter) {
        Ok(c) => c,
        Err(e) => {
            v.err(
                f,
                at,
                format!("{field} = {:?} does not parse: {e}", text.get_ref()),
            )
            .hint("write a SQL condition such as \"closed_at <= due_at AND category <> '咨询'\"");
            return None;
        }
    };
    // Unknown columns, with a suggestion.
    let placeholders: Vec<&str> = compiled
        .workdays
        .iter()
        .map(|w| w.column.as_str())
        .collect();
    let mut exprs = vec![compiled.expr.clone()];
    for w in &compiled.workdays {
        exprs.push(w.a.clone());
        exprs.push(w.b.clone());
    }
    let mut bad = false;
    for e in &exprs {
        for name in e.clone().meta().root_names() {
            let name = name.as_str();
            if !spec.has(name) && !placeholders.contains(&name) {
                let d = v.err(
                    f,
                    at,
                    format!(
                        "{field} = {:?}: dataset {} has no column {name:?}",
                        text.get_ref(),
                        spec.id
                    ),
                );
                d.hint = Some(
                    match suggest(name, spec.columns.iter().map(|c| c.name.as_str())) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!(
                            "declared columns: {}",
                            list(spec.columns.iter().map(|c| &c.name), 16)
                        ),
                    },
                );
                bad = true;
            }
        }
    }
    if bad {
        return None;
    }
    let empty = cx.empties.entry(ds).or_insert_with(|| {
        let cols: Vec<Column> = spec
            .columns
            .iter()
            .map(|c| Column::new_empty(c.name.as_str().into(), &dtype(c.ty)))
            .collect();
        DataFrame::new_infer_height(cols).expect("unique declared columns")
    });
    let run = |e: Expr, extra: &[Expr]| -> Result<DataType, String> {
        let out = empty
            .clone()
            .lazy()
            .with_columns(extra)
            .select([e.alias("__x")])
            .collect()
            .map_err(|e| expr::clean_polars_error(&e))?;
        Ok(out
            .column("__x")
            .map_err(|e| e.to_string())?
            .dtype()
            .clone())
    };
    let mut extra = Vec::new();
    for w in &compiled.workdays {
        for (arg, which) in [(&w.a, "first"), (&w.b, "second")] {
            match run(arg.clone(), &[]) {
                Ok(DataType::Date | DataType::Datetime(..)) => {}
                Ok(t) => {
                    v.err(f, at, format!(
                        "{field} = {:?}: the {which} argument of workdays() is {t}, expected a date or datetime",
                        text.get_ref()
                    ));
                    return None;
                }
                Err(e) => {
                    v.err(f, at, format!("{field} = {:?}: {e}", text.get_ref()));
                    return None;
                }
            }
        }
        extra.push(lit(0i64).alias(w.column.as_str()));
    }
    match run(compiled.expr.clone(), &extra) {
        Ok(t) => {
            let ok = match want {
                Want::Condition => t == DataType::Boolean,
                Want::Number => t.is_primitive_numeric() || t == DataType::Boolean,
            };
            if !ok {
                let expected = match want {
                    Want::Condition => "a condition (true/false)",
                    Want::Number => "a number",
                };
                v.err(
                    f,
                    at,
                    format!(
                        "{field} = {:?} gives {t}, expected {expected}",
                        text.get_ref()
                    ),
                );
                return None;
            }
            Some(SqlExpr {
                dtype: Some(t),
                ..compiled
            })
        }
        Err(e) => {
            v.err(f, at, format!("{field} = {:?}: {e}", text.get_ref()))
                .hint("compare dates with DATE '2025-03-01'; text with '...'");
            None
        }
    }
}

fn points(
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
    match p.get_ref() {
        x @ (toml::Value::Integer(_) | toml::Value::Float(_)) => match num(x) {
            Some(n) if n >= 0.0 => Some(Points::Fixed(n)),
            _ => {
                v.err(f, at, "points must be a number >= 0").hint(hint);
                None
            }
        },
        toml::Value::Table(t) => {
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
                match spec.column(column) {
                    None => {
                        v.err(
                            f,
                            at,
                            format!(
                                "points column {column:?} is not declared in dataset {}",
                                spec.id
                            ),
                        );
                        return None;
                    }
                    Some(c) if c.ty != ColType::String => {
                        v.err(
                            f,
                            at,
                            format!("points column {column:?} must be a string column"),
                        );
                        return None;
                    }
                    _ => {}
                }
            }
            Some(Points::Map {
                column: column.to_string(),
                map: out,
            })
        }
        _ => {
            v.err(f, at, "points must be a number or a table")
                .hint(hint);
            None
        }
    }
}

fn applies_to(v: &mut Validator, f: usize, a: &Option<S<Vec<S<String>>>>) -> Option<Vec<String>> {
    let a = a.as_ref()?;
    if a.get_ref().is_empty() {
        v.err(f, a.span().start, "applies_to is empty")
            .hint("list groups, or leave it out for all");
    }
    Some(a.get_ref().iter().map(|g| g.get_ref().clone()).collect())
}

/// Reject fields a kind does not take, and require the ones it needs.
fn fields(
    v: &mut Validator,
    f: usize,
    what: &str,
    kind: &S<String>,
    present: &[(&str, Option<usize>)],
    allowed: &[&str],
    required: &[&str],
) -> bool {
    let mut ok = true;
    for (name, at) in present {
        match at {
            Some(at) if !allowed.contains(name) => {
                v.err(
                    f,
                    *at,
                    format!("{what} kind {:?} does not take `{name}`", kind.get_ref()),
                )
                .hint(format!("it takes: {}", list(allowed.iter(), 9)));
                ok = false;
            }
            None if required.contains(name) => {
                v.err(
                    f,
                    kind.span().start,
                    format!("{what} kind {:?} needs `{name}`", kind.get_ref()),
                );
                ok = false;
            }
            _ => {}
        }
    }
    ok
}

fn span<T>(x: &Option<S<T>>) -> Option<usize> {
    x.as_ref().map(|s| s.span().start)
}

fn measure(
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
    let (allowed, required): (&[&str], &[&str]) = match m.kind.get_ref().as_str() {
        "count" => (&["where", "per", "scale"], &[]),
        "sum" | "mean" => (&["where", "expr"], &["expr"]),
        "share" => (&["where", "of"], &[]),
        "ratio" => (&["where", "num", "den"], &["num", "den"]),
        "value" => (&["where"], &[]),
        "deduction" => (&["where", "points"], &["points"]),
        other => {
            v.err(
                f,
                m.kind.span().start,
                format!("unknown measure kind {other:?}"),
            )
            .hint("count, sum, mean, share, ratio, value or deduction");
            return None;
        }
    };
    if !fields(v, f, "measure", &m.kind, &present, allowed, required) {
        return None;
    }
    let mut ex = |v: &mut Validator, t: &Option<S<String>>, want, name| {
        t.as_ref().map(|t| check_expr(v, cx, f, ds, t, want, name))
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
    let kind = match m.kind.get_ref().as_str() {
        "count" => {
            if let (Some(s), None) = (&m.scale, &m.per) {
                v.err(f, s.span().start, "scale needs per = \"attribute\"");
                return None;
            }
            let scale = m.scale.as_ref().map_or(1.0, |s| *s.get_ref());
            if !(scale.is_finite() && scale > 0.0) {
                v.err(
                    f,
                    span(&m.scale).unwrap_or(0),
                    "scale must be a positive number",
                );
                return None;
            }
            MeasureKind::Count {
                per: m.per.as_ref().map(|p| p.get_ref().clone()),
                scale,
            }
        }
        "sum" => MeasureKind::Sum { expr: e?? },
        "mean" => MeasureKind::Mean { expr: e?? },
        "share" => MeasureKind::Share {
            of: match of {
                Some(o) => Some(o?),
                None => None,
            },
        },
        "ratio" => MeasureKind::Ratio {
            num: num??,
            den: den??,
        },
        "value" => {
            let spec = &cx.datasets.as_ref()?[ds];
            let id_ok = spec
                .column("indicator_id")
                .is_some_and(|c| c.ty == ColType::String);
            let val_ok = spec
                .column("value")
                .is_some_and(|c| matches!(c.ty, ColType::Int | ColType::Float));
            if !(id_ok && val_ok) {
                v.err(f, m.kind.span().start, format!(
                    "measure kind \"value\" needs dataset {} to declare indicator_id = \"string\" and value = \"float\"",
                    spec.id
                ));
                return None;
            }
            MeasureKind::Value
        }
        "deduction" => MeasureKind::Deduction {
            points: points(v, cx, f, Some(ds), m.points.as_ref()?)?,
        },
        _ => unreachable!(),
    };
    Some(Measure { kind, where_ })
}

fn score(v: &mut Validator, f: usize, s: &RawScore, outer: &Option<S<String>>) -> Option<Score> {
    let present = [
        ("direction", span(&s.direction)),
        ("range", span(&s.range)),
        ("target", span(&s.target)),
        ("floor", span(&s.floor)),
        ("per", span(&s.per)),
        ("deduct", span(&s.deduct)),
        ("bands", span(&s.bands)),
        ("cap", span(&s.cap)),
    ];
    let (allowed, required): (&[&str], &[&str]) = match s.kind.get_ref().as_str() {
        "minmax" => (&["direction", "range"], &[]),
        "zscore" | "rank" => (&["direction"], &[]),
        "target" => (&["direction", "target", "floor"], &["target", "floor"]),
        "shortfall" => (
            &["direction", "target", "per", "deduct"],
            &["target", "per", "deduct"],
        ),
        "bands" => (&["direction", "bands"], &["bands"]),
        "deduction" => (&["cap"], &[]),
        other => {
            v.err(
                f,
                s.kind.span().start,
                format!("unknown score kind {other:?}"),
            )
            .hint("minmax, zscore, rank, target, shortfall, bands or deduction");
            return None;
        }
    };
    if !fields(v, f, "score", &s.kind, &present, allowed, required) {
        return None;
    }
    if let Some(d) = outer.as_ref().filter(|_| !allowed.contains(&"direction")) {
        v.err(
            f,
            d.span().start,
            format!(
                "score kind {:?} does not take a direction",
                s.kind.get_ref()
            ),
        )
        .hint("a deduction is always \"fewer points deducted is better\"");
        return None;
    }
    // `direction` on the indicator or inside `score`: the same setting.
    const DIRECTIONS: &[(&str, Direction)] =
        &[("higher", Direction::Higher), ("lower", Direction::Lower)];
    if let (Some(a), Some(b)) = (outer, &s.direction) {
        if a.get_ref() != b.get_ref() {
            let (line, _) = v.sources[f].position(a.span().start);
            v.err(
                f,
                b.span().start,
                format!(
                    "direction = {:?} here, but direction = {:?} on the indicator (line {line})",
                    b.get_ref(),
                    a.get_ref()
                ),
            )
            .hint("give direction once, on the indicator or inside score");
        }
    }
    let given = s.direction.as_ref().or(outer.as_ref()).cloned();
    let mut direction = v.choice(f, &given, DIRECTIONS, Direction::Higher);
    let num = |x: &Option<S<f64>>| x.as_ref().map(|x| *x.get_ref());
    let n0 = v.diags.len();
    let kind = match s.kind.get_ref().as_str() {
        "minmax" => ScoreKind::Minmax {
            range: match &s.range {
                None => None,
                Some(r) => match r.get_ref().as_slice() {
                    [lo, hi] if 0.0 <= *lo && lo <= hi && *hi <= 1.0 => Some((*lo, *hi)),
                    _ => {
                        v.err(
                            f,
                            r.span().start,
                            "range must be [lo, hi] with 0 <= lo <= hi <= 1",
                        );
                        None
                    }
                },
            },
        },
        "zscore" => ScoreKind::Zscore,
        "rank" => ScoreKind::Rank,
        "target" => {
            let (target, floor) = (num(&s.target)?, num(&s.floor)?);
            if target == floor || !target.is_finite() || !floor.is_finite() {
                v.err(f, span(&s.floor)?, "floor must differ from target");
            }
            let implied = if floor > target {
                Direction::Lower
            } else {
                Direction::Higher
            };
            if given.is_some() && direction != implied {
                v.err(f, span(&given)?, "direction contradicts floor and target")
                    .hint("floor below target means higher is better; floor above target, lower");
            }
            direction = implied;
            ScoreKind::Target { target, floor }
        }
        "shortfall" => {
            let (target, per, deduct) = (num(&s.target)?, num(&s.per)?, num(&s.deduct)?);
            if !(per.is_finite() && per > 0.0) {
                v.err(f, span(&s.per)?, "per must be a positive number");
            }
            if !(deduct.is_finite() && deduct >= 0.0) {
                v.err(f, span(&s.deduct)?, "deduct must be a number >= 0");
            }
            ScoreKind::Shortfall {
                target,
                per,
                deduct,
            }
        }
        "bands" => {
            let b = s.bands.as_ref()?;
            let mut bands = Vec::new();
            for x in b.get_ref() {
                match x.as_slice() {
                    [t, a] if t.is_finite() && (0.0..=1.0).contains(a) => bands.push((*t, *a)),
                    _ => {
                        v.err(
                            f,
                            b.span().start,
                            "each band is [threshold, attainment] with attainment in [0, 1]",
                        );
                    }
                }
            }
            if b.get_ref().is_empty() {
                v.err(f, b.span().start, "bands is empty");
            }
            ScoreKind::Bands { bands }
        }
        "deduction" => {
            let cap = num(&s.cap);
            if cap.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
                v.err(f, span(&s.cap)?, "cap must be a number >= 0");
            }
            ScoreKind::Deduction { cap }
        }
        _ => unreachable!(),
    };
    (v.diags.len() == n0).then_some(Score { kind, direction })
}

pub(super) fn indicators(
    v: &mut Validator,
    cx: &mut ItemCtx,
    raw: &[(usize, usize, &RawIndicator)],
) -> Option<Vec<Indicator>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for &(f, node, r) in raw {
        let ds = dataset(v, cx, f, &r.dataset);
        let applies_to = applies_to(v, f, &r.applies_to);
        let measure = ds.and_then(|ds| measure(v, cx, f, ds, r.measure.get_ref()));
        let score = score(v, f, r.score.get_ref(), &r.direction);
        let min_n = r.min_n.as_ref().map_or(0, |m| {
            if *m.get_ref() < 0 {
                v.err(f, m.span().start, "min_n must be >= 0");
            }
            (*m.get_ref()).max(0) as u64
        });
        let missing = v.choice(
            f,
            &r.missing,
            MISSING,
            cx.missing.unwrap_or(MissingPolicy::Reweight),
        );
        let shrink = r.shrink.as_ref().map(|s| {
            if !(s.get_ref().is_finite() && *s.get_ref() > 0.0) {
                v.err(f, s.span().start, "shrink must be a positive number");
            }
            let kind = r.measure.get_ref().kind.get_ref();
            if !matches!(kind.as_str(), "share" | "mean" | "ratio") {
                v.err(
                    f,
                    s.span().start,
                    format!("shrink applies to share, mean and ratio, not {kind}"),
                );
            }
            *s.get_ref()
        });
        if let (Some(ds), Some(measure), Some(score)) = (ds, measure, score) {
            out.push(Indicator {
                id: r.id.get_ref().clone(),
                name: r
                    .name
                    .as_ref()
                    .map_or_else(|| r.id.get_ref().clone(), |n| n.get_ref().clone()),
                description: r.description.as_ref().map(|d| d.get_ref().clone()),
                node,
                dataset: ds,
                applies_to,
                measure,
                min_n,
                score,
                missing,
                shrink,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}

pub(super) fn rules(
    v: &mut Validator,
    cx: &mut ItemCtx,
    raw: &[(usize, S<RawRule>)],
    kind: RuleKind,
) -> Option<Vec<Rule>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for (f, r) in raw {
        let (f, r) = (*f, r.get_ref());
        let ds = dataset(v, cx, f, &r.dataset);
        let where_ = match (&r.where_, ds) {
            (Some(w), Some(ds)) => check_expr(v, cx, f, ds, w, Want::Condition, "where"),
            _ => None,
        };
        let points = points(v, cx, f, ds, &r.points);
        let cap = r.cap.as_ref().map(|c| {
            if !(c.get_ref().is_finite() && *c.get_ref() >= 0.0) {
                v.err(f, c.span().start, "cap must be a number >= 0");
            }
            *c.get_ref()
        });
        let applies_to = applies_to(v, f, &r.applies_to);
        if let (Some(ds), Some(points)) = (ds, points) {
            out.push(Rule {
                kind: kind.clone(),
                id: r.id.get_ref().clone(),
                name: r
                    .name
                    .as_ref()
                    .map_or_else(|| r.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                where_,
                points,
                cap,
                grade: 0,
                applies_to,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}

pub(super) fn vetoes(
    v: &mut Validator,
    cx: &mut ItemCtx,
    raw: &[(usize, S<RawVeto>)],
) -> Option<Vec<Rule>> {
    let n0 = v.diags.len();
    let mut out = Vec::new();
    for (f, r) in raw {
        let (f, r) = (*f, r.get_ref());
        let ds = dataset(v, cx, f, &r.dataset);
        let where_ = match (&r.where_, ds) {
            (Some(w), Some(ds)) => check_expr(v, cx, f, ds, w, Want::Condition, "where"),
            _ => None,
        };
        let grade = match cx.grades.as_ref() {
            Some(g) if g.is_empty() => {
                v.err(f, r.id.span().start, "a veto needs [[grade]]s to assign");
                None
            }
            Some(g) => match &r.grade {
                None => Some(g.len() - 1),
                Some(name) => match g.iter().position(|x| &x.name == name.get_ref()) {
                    Some(i) => Some(i),
                    None => {
                        v.err(
                            f,
                            name.span().start,
                            format!("unknown grade {:?}", name.get_ref()),
                        )
                        .hint(format!("grades: {}", list(g.iter().map(|x| &x.name), 9)));
                        None
                    }
                },
            },
            None => None,
        };
        let applies_to = applies_to(v, f, &r.applies_to);
        if let (Some(ds), Some(grade)) = (ds, grade) {
            out.push(Rule {
                kind: RuleKind::Veto,
                id: r.id.get_ref().clone(),
                name: r
                    .name
                    .as_ref()
                    .map_or_else(|| r.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                where_,
                points: Points::Fixed(0.0),
                cap: None,
                grade,
                applies_to,
            });
        }
    }
    (v.diags.len() == n0).then_some(out)
}

pub(super) fn grades(v: &mut Validator, raw: &[(usize, S<RawGrade>)]) -> Option<Vec<Grade>> {
    let n0 = v.diags.len();
    let mut out: Vec<Grade> = Vec::new();
    for (f, g) in raw {
        let (f, g) = (*f, g.get_ref());
        let min = *g.min.get_ref();
        if !min.is_finite() {
            v.err(f, g.min.span().start, "min must be a number");
        }
        if let Some(prev) = out.last() {
            if min >= prev.min {
                v.err(
                    f,
                    g.min.span().start,
                    format!(
                        "grade {:?}: min {min} is not below the previous grade's min {}",
                        g.name.get_ref(),
                        prev.min
                    ),
                )
                .hint("list grades from best to worst with descending min");
            }
        }
        if out.iter().any(|o| &o.name == g.name.get_ref()) {
            v.err(
                f,
                g.name.span().start,
                format!("grade {:?} is defined twice", g.name.get_ref()),
            );
        }
        if let Some(q) = &g.quota {
            if !(*q.get_ref() > 0.0 && *q.get_ref() <= 1.0) {
                v.err(f, q.span().start, "quota must be in (0, 1]");
            }
        }
        if let Some(c) = &g.color {
            let s = c.get_ref();
            if !(s.len() == 7
                && s.starts_with('#')
                && s[1..].chars().all(|c| c.is_ascii_hexdigit()))
            {
                v.err(f, c.span().start, "color must be #rrggbb");
            }
        }
        out.push(Grade {
            name: g.name.get_ref().clone(),
            min,
            quota: g.quota.as_ref().map(|q| *q.get_ref()),
            color: g.color.as_ref().map(|c| c.get_ref().clone()),
        });
    }
    (v.diags.len() == n0).then_some(out)
}

fn alpha(v: &mut Validator, f: usize, a: &Option<S<f64>>) -> f64 {
    match a {
        None => 0.05,
        Some(x) => {
            if !(*x.get_ref() > 0.0 && *x.get_ref() < 1.0) {
                v.err(f, x.span().start, "alpha must be in (0, 1)");
            }
            *x.get_ref()
        }
    }
}

/// `[[alert]]` and `[[screen]]` sections.
pub(super) fn warnings(
    v: &mut Validator,
    cx: &mut ItemCtx,
    alerts: &[(usize, S<RawAlert>)],
    screens: &[(usize, S<RawScreen>)],
) -> Option<(Vec<Alert>, Vec<Screen>)> {
    let n0 = v.diags.len();
    let mut out_a = Vec::new();
    for (f, a) in alerts {
        let (f, a) = (*f, a.get_ref());
        let ds = dataset(v, cx, f, &a.dataset);
        let where_ = match (&a.where_, ds) {
            (Some(w), Some(ds)) => check_expr(v, cx, f, ds, w, Want::Condition, "where"),
            _ => None,
        };
        let alpha = alpha(v, f, &a.alpha);
        if let Some(ds) = ds {
            out_a.push(Alert {
                id: a.id.get_ref().clone(),
                name: a
                    .name
                    .as_ref()
                    .map_or_else(|| a.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                where_,
                per: a.per.as_ref().map(|p| p.get_ref().clone()),
                alpha,
            });
        }
    }
    let mut out_s = Vec::new();
    for (f, s) in screens {
        let (f, s) = (*f, s.get_ref());
        let ds = dataset(v, cx, f, &s.dataset);
        let where_ = match (&s.where_, ds) {
            (Some(w), Some(ds)) => check_expr(v, cx, f, ds, w, Want::Condition, "where"),
            _ => None,
        };
        if let (Some(ds), Some(all)) = (ds, cx.datasets.as_ref()) {
            match all[ds].column(s.column.get_ref()) {
                Some(c) if matches!(c.ty, ColType::Int | ColType::Float) => {}
                _ => {
                    v.err(f, s.column.span().start, format!(
                        "screen {}: column {:?} must be a declared int or float column of dataset {}",
                        s.id.get_ref(),
                        s.column.get_ref(),
                        all[ds].id
                    ));
                }
            }
        }
        let min_n = s.min_n.as_ref().map_or(100, |m| {
            if *m.get_ref() < 10 {
                v.err(
                    f,
                    m.span().start,
                    "min_n must be at least 10 for a first-digit test",
                );
            }
            (*m.get_ref()).max(0) as u64
        });
        let alpha = alpha(v, f, &s.alpha);
        if let Some(ds) = ds {
            out_s.push(Screen {
                id: s.id.get_ref().clone(),
                name: s
                    .name
                    .as_ref()
                    .map_or_else(|| s.id.get_ref().clone(), |n| n.get_ref().clone()),
                dataset: ds,
                column: s.column.get_ref().clone(),
                where_,
                min_n,
                alpha,
            });
        }
    }
    (v.diags.len() == n0).then_some((out_a, out_s))
}
