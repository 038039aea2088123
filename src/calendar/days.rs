//! Days as polars expressions: date literals, and the tests a dataset's
//! `date` column and `workdays(a, b)` make on a date or a datetime, each
//! without casting every value where the column is a datetime
//! (docs/architecture.md, "Dates without a cast per row").

use chrono::NaiveDate;
use polars::prelude::*;

/// 1970-01-01, day 0 of polars' `Date`.
pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// Days since [`epoch`] (polars' `Date` representation).
pub fn days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date `n` days after [`epoch`].
pub fn from_days(n: i32) -> NaiveDate {
    epoch() + chrono::Duration::days(i64::from(n))
}

/// A date literal typed as a polars `Date` (`lit(NaiveDate)` would be a
/// datetime, and comparing a date column with it would cast every value).
pub fn date_lit(d: NaiveDate) -> Expr {
    lit(days(d)).cast(DataType::Date)
}

/// Microseconds in a day (polars' `Datetime(Microseconds)` unit).
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The first instant of day `d`, as a `Datetime(Microseconds)` literal.
fn midnight(d: NaiveDate) -> Expr {
    (lit(i64::from(days(d))) * lit(MICROS_PER_DAY))
        .cast(DataType::Datetime(TimeUnit::Microseconds, None))
}

/// The day of `e` as days since [`epoch`] (an `Int64`); `e` has type
/// `dtype`, or any date-like type if that is not known: a datetime in µs
/// is floored to its day (the day a cast to a date gives, also before
/// 1970), anything else is cast to a date.
pub fn day_number(e: Expr, dtype: &DataType) -> Expr {
    match dtype {
        DataType::Datetime(TimeUnit::Microseconds, None) => {
            e.cast(DataType::Int64).floor_div(lit(MICROS_PER_DAY))
        }
        _ => e.cast(DataType::Date).cast(DataType::Int64),
    }
}

/// Is the day of `e` before `d`? `e` has type `dtype`: for a datetime
/// (in µs) that is "before `d`'s midnight", which compares every value
/// as it is, where casting each to its day would cost a pass; for a
/// date, the date itself. Null stays null.
pub fn day_before(e: Expr, dtype: &DataType, d: NaiveDate) -> Expr {
    match dtype {
        DataType::Datetime(TimeUnit::Microseconds, None) => e.lt(midnight(d)),
        _ => e.cast(DataType::Date).lt(date_lit(d)),
    }
}

/// Is the day of `e` after `d`? For a datetime (in µs): at or after the
/// next day's midnight (see [`day_before`]).
pub fn day_after(e: Expr, dtype: &DataType, d: NaiveDate) -> Expr {
    match (dtype, d.succ_opt()) {
        (DataType::Datetime(TimeUnit::Microseconds, None), Some(next)) => e.gt_eq(midnight(next)),
        _ => e.cast(DataType::Date).gt(date_lit(d)),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Datetimes (µs) at the edges of days, before and after 1970.
    pub(in crate::calendar) fn instants() -> DataFrame {
        let us = |y, m, dd, h, mi, s, micro| {
            let t = d(y, m, dd)
                .and_hms_micro_opt(h, mi, s, micro)
                .unwrap()
                .and_utc();
            t.timestamp_micros()
        };
        let a = [
            us(2024, 12, 31, 23, 59, 59, 999_999),
            us(2025, 1, 1, 0, 0, 0, 0),
            us(2025, 12, 31, 23, 59, 59, 999_999),
            us(2026, 1, 1, 0, 0, 0, 0),
            us(1969, 12, 31, 12, 0, 0, 0),
            us(2025, 9, 30, 23, 0, 0, 0),
        ];
        let b = [
            us(2025, 2, 5, 0, 0, 0, 1),
            us(2025, 1, 1, 23, 59, 59, 999_999),
            us(2026, 1, 5, 8, 0, 0, 0),
            us(2026, 1, 1, 0, 0, 0, 0),
            us(2025, 1, 1, 0, 0, 0, 0),
            us(2025, 10, 11, 0, 30, 0, 0),
        ];
        let dt = DataType::Datetime(TimeUnit::Microseconds, None);
        df!("a" => a, "b" => b)
            .unwrap()
            .lazy()
            .select([col("a").cast(dt.clone()), col("b").cast(dt)])
            .collect()
            .unwrap()
    }

    fn bools(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
        df.column(name).unwrap().bool().unwrap().iter().collect()
    }

    /// The period test on datetimes, without a cast, is the test on their
    /// days: 2024-12-31 23:59:59.999999 is before 2025-01-01, its
    /// midnight is not; 2025-12-31 23:59:59.999999 is not after
    /// 2025-12-31, 2026-01-01 00:00 is; 1969-12-31 12:00 is before.
    #[test]
    fn day_tests_on_datetimes_are_the_tests_on_their_days() {
        let dt = DataType::Datetime(TimeUnit::Microseconds, None);
        let (start, end) = (d(2025, 1, 1), d(2025, 12, 31));
        let out = instants()
            .lazy()
            .select([
                day_before(col("a"), &dt, start).alias("before"),
                day_after(col("a"), &dt, end).alias("after"),
                day_before(col("a"), &DataType::Date, start).alias("before_cast"),
                day_after(col("a"), &DataType::Date, end).alias("after_cast"),
            ])
            .collect()
            .unwrap();
        let t = Some(true);
        let f = Some(false);
        assert_eq!(bools(&out, "before"), [t, f, f, f, t, f]);
        assert_eq!(bools(&out, "after"), [f, f, f, t, f, f]);
        assert_eq!(bools(&out, "before"), bools(&out, "before_cast"));
        assert_eq!(bools(&out, "after"), bools(&out, "after_cast"));
    }
}
