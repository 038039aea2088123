//! A CSV window's fields as typed values, read while the fields are split
//! ([`super::csvread`]), for the columns whose declared type has one
//! canonical form: `int`, `bool`, `date` and `datetime`.
//!
//! A field in that form is stored as its value, with no text column and no
//! parsing afterwards. A field in any other form (a date with slashes, a
//! datetime without seconds, spaces around a number, `Y`/`N`...) is stored
//! as null and its row is flagged ([`FALLBACK`]): the pass judges the
//! flagged rows as bad, and the lenient parser reads them again from the
//! file and gives their final verdict, exactly as it does for the values
//! the fast text parser ([`super::parse::parse_fast`]) cannot read. So the
//! forms taken here need only be a subset of what the fast parser takes,
//! with the same value: every form it is not sure of is left to the
//! lenient parser. An empty field (`""` too) is null and not flagged: an
//! empty value is judged empty, as the fast parser judges it.

use polars::prelude::*;

use crate::scheme::{ColType, OBJECTION};

/// Where a window's reader marks the rows with a field not in its
/// canonical form (a bool column; only in frames with typed columns).
pub const FALLBACK: &str = "__fallback";

/// How a wanted column's fields are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Text,
    Int,
    Bool,
    Date,
    Datetime,
}

impl Read {
    /// Typed for the declared types with one canonical form; text for the
    /// rest (`float`: its text forms are many; `string`), and for the
    /// objection column, which is normalised from its words.
    pub fn of(name: &str, ty: ColType) -> Read {
        match ty {
            _ if name == OBJECTION => Read::Text,
            ColType::Int => Read::Int,
            ColType::Bool => Read::Bool,
            ColType::Date => Read::Date,
            ColType::Datetime => Read::Datetime,
            ColType::String | ColType::Float => Read::Text,
        }
    }
}

/// The values of one wanted column of a part of a window.
pub enum Builder {
    Text(StringChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Bool(BooleanChunkedBuilder),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    Datetime(PrimitiveChunkedBuilder<Int64Type>),
}

impl Builder {
    pub fn new(read: Read, name: PlSmallStr, capacity: usize) -> Builder {
        match read {
            Read::Text => Builder::Text(StringChunkedBuilder::new(name, capacity)),
            Read::Int => Builder::Int(PrimitiveChunkedBuilder::new(name, capacity)),
            Read::Bool => Builder::Bool(BooleanChunkedBuilder::new(name, capacity)),
            Read::Date => Builder::Date(PrimitiveChunkedBuilder::new(name, capacity)),
            Read::Datetime => Builder::Datetime(PrimitiveChunkedBuilder::new(name, capacity)),
        }
    }

    /// Append a typed field (not for [`Builder::Text`]), its quotes
    /// removed: its value, or null; false where the field is not empty
    /// and not in its canonical form.
    pub fn push_typed(&mut self, field: &[u8]) -> bool {
        match self {
            Builder::Text(_) => unreachable!("text fields are pushed as text"),
            Builder::Int(b) => put(b, field, int),
            Builder::Bool(b) => put(b, field, boolean),
            Builder::Date(b) => put(b, field, date),
            Builder::Datetime(b) => put(b, field, datetime),
        }
    }

    pub fn finish(self) -> Column {
        match self {
            Builder::Text(b) => b.finish().into_series(),
            Builder::Int(b) => b.finish().into_series(),
            Builder::Bool(b) => b.finish().into_series(),
            Builder::Date(b) => b.finish().into_date().into_series(),
            Builder::Datetime(b) => b
                .finish()
                .into_datetime(TimeUnit::Microseconds, None)
                .into_series(),
        }
        .into_column()
    }
}

/// Append `field` read by `value`: an empty field is null (and fine), a
/// field `value` does not read is null and not fine.
fn put<N, T: PolarsDataType>(
    b: &mut impl ChunkedBuilder<N, T>,
    field: &[u8],
    value: fn(&[u8]) -> Option<N>,
) -> bool {
    if field.is_empty() {
        b.append_null();
        return true;
    }
    let v = value(field);
    let read = v.is_some();
    b.append_option(v);
    read
}

/// `-?[0-9]{1,18}`: a whole number that fits an i64 whatever its digits.
fn int(f: &[u8]) -> Option<i64> {
    let (neg, digits) = match f.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, f),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Some(if neg { -v } else { v })
}

/// The fast parser's spellings, exactly: `true`, `1`, `是`; `false`, `0`,
/// `否`.
fn boolean(f: &[u8]) -> Option<bool> {
    match f {
        b"true" | b"1" => Some(true),
        b"false" | b"0" => Some(false),
        _ if f == "是".as_bytes() => Some(true),
        _ if f == "否".as_bytes() => Some(false),
        _ => None,
    }
}

/// Two ASCII digits as a number.
#[inline]
fn two(a: u8, b: u8) -> Option<u32> {
    let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (a < 10 && b < 10).then(|| u32::from(a) * 10 + u32::from(b))
}

/// Days before the first of each month in a common year.
const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// `YYYY-MM-DD` (years 1000-9999), a day of the calendar: days since
/// 1970-01-01.
#[inline]
fn date(f: &[u8]) -> Option<i32> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = f else {
        return None;
    };
    let (y, m, d) = (
        two(y0, y1)? * 100 + two(y2, y3)?,
        two(m0, m1)?,
        two(d0, d1)?,
    );
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if y < 1000 || d == 0 || d > month_days {
        return None;
    }
    // Leap days from year 1 to the end of year y - 1.
    let leaps = |y: i32| y / 4 - y / 100 + y / 400;
    let y = y as i32;
    let year_start = 365 * (y - 1970) + leaps(y - 1) - leaps(1969);
    let day = BEFORE_MONTH[m as usize - 1] + u32::from(m > 2 && leap) + d - 1;
    Some(year_start + day as i32)
}

/// `YYYY-MM-DD HH:MM:SS` (a valid date, hours 0-23, minutes and seconds
/// 0-59): microseconds since 1970-01-01 00:00:00.
#[inline]
fn datetime(f: &[u8]) -> Option<i64> {
    if f.len() != 19 {
        return None;
    }
    let &[.., b' ', h0, h1, b':', m0, m1, b':', s0, s1] = f else {
        return None;
    };
    let day = date(&f[..10])?;
    let (h, m, s) = (two(h0, h1)?, two(m0, m1)?, two(s0, s1)?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let secs = i64::from(day) * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(secs * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_only() {
        assert_eq!(int(b"-42"), Some(-42));
        assert_eq!(int(b"007"), Some(7));
        for f in [
            &b"+1"[..],
            b" 1",
            b"1.0",
            b"1e3",
            b"-",
            b"1234567890123456789",
        ] {
            assert_eq!(int(f), None, "{f:?}");
        }
        assert_eq!(boolean("是".as_bytes()), Some(true));
        assert_eq!(boolean(b"0"), Some(false));
        for f in [&b"TRUE"[..], b"Y", b"n", b" true"] {
            assert_eq!(boolean(f), None, "{f:?}");
        }
        // 2025-03-01 is day 20148 since 1970-01-01: 55 years of 365
        // days, 14 leap days (1972, 1976, ..., 2024), and the 31 + 28
        // days of January and February 2025. 2024-02-29: 54 years, 13
        // leap days (1972..2020), 31 + 28 days.
        assert_eq!(date(b"2025-03-01"), Some(20_148));
        assert_eq!(date(b"1970-01-01"), Some(0));
        assert_eq!(date(b"2024-02-29"), Some(54 * 365 + 13 + 59));
        for f in [
            &b"2025-02-29"[..],
            b"2025/03/01",
            b"2025-3-1",
            b"2025-13-01",
            b"0999-01-01",
        ] {
            assert_eq!(date(f), None, "{f:?}");
        }
        // 08:30:05 is 30,605 s into the day.
        let day = i64::from(date(b"2025-03-01").unwrap());
        assert_eq!(
            datetime(b"2025-03-01 08:30:05"),
            Some((day * 86_400 + 30_605) * 1_000_000)
        );
        for f in [
            &b"2025-03-01 08:30"[..],
            b"2025-03-01T08:30:05",
            b"2025-03-01 24:00:00",
            b"2025-03-01 08:60:00",
            b"2025-03-01 8:30:05 ",
        ] {
            assert_eq!(datetime(f), None, "{f:?}");
        }
    }

    /// Every day of four centuries (a whole Gregorian cycle, and the
    /// years 1000 and 9999), and every impossible day of them, against
    /// chrono's calendar.
    #[test]
    fn dates_agree_with_chrono() {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for y in (1899..=2301).chain([1000, 1001, 9998, 9999]) {
            for m in 0..=13u32 {
                for d in 0..=32u32 {
                    let text = format!("{y:04}-{m:02}-{d:02}");
                    let want = chrono::NaiveDate::from_ymd_opt(y, m, d)
                        .map(|x| (x - epoch).num_days() as i32);
                    assert_eq!(date(text.as_bytes()), want, "{text}");
                }
            }
        }
    }

    /// Every value taken here is the value polars' fast parser gives
    /// ([`super::super::parse::parse_fast`]) for the same text.
    #[test]
    fn values_are_the_fast_parsers() {
        let texts = [
            "1970-01-01 00:00:00",
            "2024-02-29 23:59:59",
            "2025-03-01 08:30:05",
            "1000-01-01 00:00:00",
            "9999-12-31 12:00:00",
            "1969-07-20 20:17:40",
        ];
        let df = df!("x" => texts).unwrap();
        let out = df
            .lazy()
            .select([
                super::super::parse::parse_fast(col("x"), ColType::Datetime).alias("t"),
                super::super::parse::parse_fast(
                    col("x").str().slice(lit(0), lit(10)),
                    ColType::Date,
                )
                .alias("d"),
            ])
            .collect()
            .unwrap();
        let t = out.column("t").unwrap().datetime().unwrap();
        let d = out.column("d").unwrap().date().unwrap();
        for (k, text) in texts.iter().enumerate() {
            assert_eq!(t.physical().get(k), datetime(text.as_bytes()), "{text}");
            assert_eq!(d.physical().get(k), date(&text.as_bytes()[..10]), "{text}");
        }
    }
}
