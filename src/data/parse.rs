//! Declared column types: text to typed values, as polars expressions.
//!
//! Each declared column becomes two expressions: its typed value, and an
//! error code per row ([`super::checks`]) (0 fine, [`BAD`] a value that is not of the declared
//! type, [`EMPTY`] an empty value where one is required). Rows with a
//! non-zero code are rejected by the caller; nothing here loops over rows.
//!
//! Accepted forms (docs/scheme.md section 1): `bool` true/false, 1/0, 是/否, Y/N
//! (any case); `int` 12 or 4.0 (a fraction of zeros); `date` 2025-03-01
//! or 2025/3/1; `datetime` 2025-03-01 08:30, 2025-03-01 08:30:00, with a
//! fraction of a second, with `T` or `/` as well. Surrounding spaces are
//! ignored for every type but `string`.

use polars::prelude::*;

pub use super::checks::{BAD, EMPTY, OK};
use crate::scheme::ColType;

const TRUE: &[&str] = &["true", "1", "是", "y"];
const FALSE: &[&str] = &["false", "0", "否", "n"];

/// Objection values (docs/scheme.md section 3) and the Chinese words accepted
/// for them, normalised to the English value.
pub const OBJECTION_VALUES: &[(&str, &str)] = &[
    ("none", "none"),
    ("无", "none"),
    ("pending", "pending"),
    ("待处理", "pending"),
    ("upheld", "upheld"),
    ("成立", "upheld"),
    ("rejected", "rejected"),
    ("驳回", "rejected"),
];

/// Parse options for `fmt`. polars' cache of parsed strings pays for
/// dates (a year has 365 distinct ones) but not for datetimes, which are
/// nearly all distinct: a cache lookup per value, and evictions, for
/// nothing (5% of a 10M-ticket run).
fn opts(fmt: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(fmt.into()),
        strict: false,
        exact: true,
        cache: !fmt.contains("%H"),
    }
}

fn strings(name: &str, v: &[&str]) -> Expr {
    lit(Series::new(name.into(), v))
}

/// Typed value of a text column in its canonical form only: `2025-03-01`,
/// `2025-03-01 08:30:00`, `true`/`false`/`1`/`0`/`是`/`否`, numbers
/// without spaces. This is the hot path: one cheap operation per value.
/// Values it cannot read get a second chance with [`parse_text`], which
/// accepts every form docs/scheme.md allows; only then is a row rejected.
pub fn parse_fast(raw: Expr, ty: ColType) -> Expr {
    match ty {
        // Empty and whitespace-led text is left to the lenient parser
        // (see [`error_code`]); the rest is taken as written.
        ColType::String => raw,
        ColType::Int => raw.cast(DataType::Int64),
        ColType::Float => finite(raw.cast(DataType::Float64)),
        ColType::Bool => when(
            raw.clone()
                .eq(lit("true"))
                .or(raw.clone().eq(lit("1")))
                .or(raw.clone().eq(lit("是"))),
        )
        .then(lit(true))
        .when(
            raw.clone()
                .eq(lit("false"))
                .or(raw.clone().eq(lit("0")))
                .or(raw.eq(lit("否"))),
        )
        .then(lit(false))
        .otherwise(lit(NULL).cast(DataType::Boolean)),
        ColType::Date => raw.str().to_date(opts("%Y-%m-%d")),
        ColType::Datetime => raw.str().to_datetime(
            Some(TimeUnit::Microseconds),
            None,
            opts("%Y-%m-%d %H:%M:%S"),
            lit("raise"),
        ),
    }
}

/// Typed value of a text column, in any form docs/scheme.md accepts.
pub fn parse_text(raw: Expr, ty: ColType) -> Expr {
    let t = raw.clone().str().strip_chars(lit(NULL));
    match ty {
        ColType::String => when(t.eq(lit("")))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(raw),
        // A whole number written with a fraction of zeros (`4.0`, as
        // pandas writes an integer column that had a missing value) is
        // that number; `4.5` is not an integer.
        ColType::Int => {
            let whole = t
                .clone()
                .str()
                .strip_chars_end(lit("0"))
                .str()
                .strip_suffix(lit("."));
            when(t.clone().str().contains_literal(lit(".")))
                .then(whole)
                .otherwise(t)
                .cast(DataType::Int64)
        }
        ColType::Float => finite(t.cast(DataType::Float64)),
        ColType::Bool => {
            let l = t.str().to_lowercase();
            when(l.clone().is_in(strings("t", TRUE).implode(false), false))
                .then(lit(true))
                .when(l.is_in(strings("f", FALSE).implode(false), false))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean))
        }
        ColType::Date => t
            .str()
            .replace_all(lit("/"), lit("-"), true)
            .str()
            .to_date(opts("%Y-%m-%d")),
        ColType::Datetime => {
            let n = t.str().replace_all(lit("/"), lit("-"), true).str().replace(
                lit("T"),
                lit(" "),
                true,
            );
            let dt = |f| {
                n.clone().str().to_datetime(
                    Some(TimeUnit::Microseconds),
                    None,
                    opts(f),
                    lit("raise"),
                )
            };
            // Fractions of a second, as databases export them (SQL
            // Server's 2025-03-01 08:30:00.000), are kept.
            dt("%Y-%m-%d %H:%M:%S")
                .fill_null(dt("%Y-%m-%d %H:%M"))
                .fill_null(dt("%Y-%m-%d %H:%M:%S%.f"))
        }
    }
}

/// Typed value of a column that already has a type (Parquet), or of text
/// (with the fast or the lenient parser).
pub fn parse_typed(raw: Expr, from: &DataType, ty: ColType, fast: bool) -> Expr {
    let target = ty.dtype();
    match (from, ty) {
        (DataType::String, _) if fast => parse_fast(raw, ty),
        (DataType::String, _) => parse_text(raw, ty),
        (f, _) if *f == target => raw,
        (f, ColType::Int) if f.is_integer() => raw.cast(target),
        (f, ColType::Float) if f.is_primitive_numeric() => finite(raw.cast(target)),
        (DataType::Datetime(..), ColType::Datetime) => raw.cast(target),
        (DataType::Datetime(..), ColType::Date) => raw.cast(target),
        (DataType::Date, ColType::Datetime) => raw.cast(target),
        (f, ColType::String) if f.is_primitive_numeric() || *f == DataType::Boolean => {
            raw.cast(DataType::String)
        }
        _ => parse_text(raw.cast(DataType::String), ty),
    }
}

/// A float, or null if it is NaN or infinite (a bad value: docs/scheme.md
/// numbers are finite, and exact sums need finite values).
fn finite(x: Expr) -> Expr {
    when(x.clone().is_finite())
        .then(x)
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The objection column normalised to none/pending/upheld/rejected; null
/// (with an error code from [`error_code`]) for anything else.
pub fn parse_objection(raw: Expr) -> Expr {
    let l = raw.str().strip_chars(lit(NULL)).str().to_lowercase();
    let mut e = lit(NULL).cast(DataType::String);
    for value in ["rejected", "upheld", "pending", "none"] {
        let words: Vec<&str> = OBJECTION_VALUES
            .iter()
            .filter(|(_, v)| *v == value)
            .map(|(w, _)| *w)
            .collect();
        e = when(l.clone().is_in(strings("o", &words).implode(false), false))
            .then(lit(value))
            .otherwise(e);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::super::checks::error_code;
    use super::*;

    fn run(values: &[Option<&str>], ty: ColType, required: bool) -> (Vec<String>, Vec<i32>) {
        let df = df!("x" => values).unwrap();
        let p = parse_text(col("x"), ty);
        let out = df
            .lazy()
            .select([
                p.clone().cast(DataType::String).alias("v"),
                error_code(col("x"), p, &DataType::String, ty, required, false).alias("e"),
            ])
            .collect()
            .unwrap();
        let v = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|x| x.unwrap_or("∅").to_string())
            .collect();
        let e = out
            .column("e")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .map(|x| x.unwrap())
            .collect();
        (v, e)
    }

    #[test]
    fn bools_in_every_accepted_spelling() {
        let (v, e) = run(
            &[
                Some("是"),
                Some("N"),
                Some(" TRUE "),
                Some("1"),
                Some("maybe"),
                None,
            ],
            ColType::Bool,
            false,
        );
        assert_eq!(v, ["true", "false", "true", "true", "∅", "∅"]);
        assert_eq!(e, [OK, OK, OK, OK, BAD, OK]);
    }

    #[test]
    fn dates_with_dashes_or_slashes() {
        let (v, e) = run(
            &[
                Some("2025-03-01"),
                Some("2025/3/1"),
                Some("2025-02-30"),
                Some(""),
            ],
            ColType::Date,
            true,
        );
        assert_eq!(v, ["2025-03-01", "2025-03-01", "∅", "∅"]);
        assert_eq!(e, [OK, OK, BAD, EMPTY]);
    }

    #[test]
    fn datetimes_with_or_without_seconds() {
        let (v, e) = run(
            &[
                Some("2025-03-01 08:30"),
                Some("2025-03-01T08:30:05"),
                Some("2025/3/1 8:30"),
                Some("2025-03-01"),
                Some("2025-03-01 08:30:05.250"),
                Some("2025-03-01T08:30:05.123456789"),
                Some("2025-03-01 08:30:05+08:00"),
                Some("2025-03-01 08:30:05."),
            ],
            ColType::Datetime,
            false,
        );
        assert_eq!(v[0], "2025-03-01 08:30:00.000000");
        assert_eq!(v[1], "2025-03-01 08:30:05.000000");
        assert_eq!(v[2], "2025-03-01 08:30:00.000000");
        // Fractions of a second are kept to the microsecond (the rest
        // cut off, as the column holds microseconds).
        assert_eq!(v[4], "2025-03-01 08:30:05.250000");
        assert_eq!(v[5], "2025-03-01 08:30:05.123456");
        // A bare date is not a datetime: rejected rather than guessed;
        // nor is a time zone, or a dot without digits.
        assert_eq!(e, [OK, OK, OK, BAD, OK, OK, BAD, BAD]);
    }

    #[test]
    fn numbers_are_trimmed_but_not_guessed() {
        let (v, e) = run(
            &[Some(" 12 "), Some("1.5"), Some("1,000")],
            ColType::Int,
            true,
        );
        assert_eq!(v, ["12", "∅", "∅"]);
        assert_eq!(e, [OK, BAD, BAD]);
        // Whole numbers with a fraction of zeros are integers; anything
        // else with a dot, or an exponent, is not.
        let (v, e) = run(
            &[
                Some("4.0"),
                Some("-40.00"),
                Some("0.0"),
                Some("4.50"),
                Some(".0"),
                Some("4.0.0"),
                Some("1e3"),
            ],
            ColType::Int,
            false,
        );
        assert_eq!(v, ["4", "-40", "0", "∅", "∅", "∅", "∅"]);
        assert_eq!(e, [OK, OK, OK, BAD, BAD, BAD, BAD]);
        let (v, e) = run(
            &[Some("1.5"), Some("-2"), Some("inf"), Some("NaN")],
            ColType::Float,
            true,
        );
        assert_eq!(v, ["1.5", "-2.0", "∅", "∅"]);
        assert_eq!(e, [OK, OK, BAD, BAD]);
    }

    #[test]
    fn strings_keep_their_text_and_empty_is_empty() {
        let (v, e) = run(&[Some(" a "), Some("  "), None], ColType::String, true);
        assert_eq!(v, [" a ", "∅", "∅"]);
        assert_eq!(e, [OK, EMPTY, EMPTY]);
    }

    #[test]
    fn objections_normalise() {
        let df = df!("o" => [Some("Pending"), Some("驳回"), Some("maybe"), None]).unwrap();
        let out = df
            .lazy()
            .select([parse_objection(col("o")).alias("o")])
            .collect()
            .unwrap();
        let v: Vec<Option<&str>> = out.column("o").unwrap().str().unwrap().iter().collect();
        assert_eq!(v, [Some("pending"), Some("rejected"), None, None]);
    }
}
