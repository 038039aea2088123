//! The working-day calendar behind `workdays(a, b)` (docs/scheme.md section 4).
//!
//! Weekends are off unless listed as make-up working days (调休上班);
//! listed public holidays are off. Without a calendar, Monday-Friday are
//! working days. `workdays(a, b)` counts working days after `a` up to and
//! including `b`: it is `C(b) - C(a)` where `C(d)` is the number of working
//! days from a fixed origin up to `d`. `C` is tabulated once per run
//! (1970-01-01..2100-12-31) so that the data stage computes `workdays` as
//! two vectorised lookups ([`Calendar::workdays_expr`]) instead of a loop.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use polars::prelude::*;
use serde::Deserialize;

use crate::diag::{Diagnostic, S, Source};

mod days;
pub use days::{date_lit, day_after, day_before, day_number, days, epoch, from_days};

/// The bundled calendar for mainland China, 2024-2026.
pub const CN_TOML: &str = include_str!("../../indicators/calendars/cn.toml");

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Calendar {
    pub name: String,
    pub holidays: BTreeSet<NaiveDate>,
    pub makeup: BTreeSet<NaiveDate>,
    /// Years the calendar covers (inclusive), if it says.
    pub years: Option<(i32, i32)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    name: Option<String>,
    years: Option<S<Vec<i32>>>,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    #[allow(dead_code)]
    name: Option<String>,
    from: S<toml::Value>,
    to: Option<S<toml::Value>>,
    #[serde(default)]
    makeup: Vec<S<toml::Value>>,
}

/// A date as a scheme or a calendar writes it in a string: `2025-03-01`
/// or `2025/3/1`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().replace('/', "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()
}

/// A TOML date (`2025-03-01`) or a string holding one.
pub fn toml_date(v: &toml::Value) -> Option<NaiveDate> {
    match v {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        }
        toml::Value::String(s) => parse_date(s),
        _ => None,
    }
}

const TABLE_START: (i32, u32, u32) = (1970, 1, 1);
const TABLE_END: (i32, u32, u32) = (2100, 12, 31);

impl Calendar {
    /// Monday-Friday, no holidays.
    pub fn weekdays_only() -> Self {
        Calendar {
            name: "Monday-Friday".into(),
            ..Default::default()
        }
    }

    pub fn builtin_cn() -> Self {
        Calendar::parse(&Source::new("<builtin cn>", CN_TOML.to_string()))
            .expect("the bundled calendar is valid")
    }

    pub fn load(path: &Path) -> Result<Self, Vec<Diagnostic>> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![Diagnostic::file(path, format!("cannot read calendar: {e}"))])?;
        Calendar::parse(&Source::new(path, text))
    }

    pub fn parse(src: &Source) -> Result<Self, Vec<Diagnostic>> {
        let raw: RawCalendar = toml::from_str(&src.text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            vec![src.diag(at, format!("invalid calendar: {}", e.message()))]
        })?;
        let mut diags = Vec::new();
        let mut date = |v: &S<toml::Value>| {
            let d = toml_date(v.get_ref());
            if d.is_none() {
                diags.push(
                    src.diag(v.span().start, "expected a date")
                        .with_hint("write dates as 2025-10-01"),
                );
            }
            d
        };
        let mut cal = Calendar {
            name: raw.name.unwrap_or_else(|| src.path.display().to_string()),
            ..Default::default()
        };
        let mut reversed = Vec::new();
        for h in &raw.holiday {
            let from = date(&h.from);
            let to = h.to.as_ref().map_or(from, &mut date);
            if let (Some(f), Some(t), Some(at)) = (from, to, h.to.as_ref()) {
                if t < f {
                    reversed.push(
                        src.diag(
                            at.span().start,
                            format!("holiday ends ({t}) before it starts ({f})"),
                        )
                        .with_hint("write from = the first day off, to = the last"),
                    );
                    continue;
                }
            }
            if let (Some(from), Some(to)) = (from, to) {
                let mut d = from;
                while d <= to {
                    cal.holidays.insert(d);
                    d = d.succ_opt().expect("date in range");
                }
            }
            for m in &h.makeup {
                if let Some(d) = date(m) {
                    cal.makeup.insert(d);
                }
            }
        }
        diags.extend(reversed);
        if let Some(y) = &raw.years {
            match y.get_ref().as_slice() {
                [a, b] if a <= b => cal.years = Some((*a, *b)),
                _ => diags.push(src.diag(y.span().start, "years must be [first, last]")),
            }
        }
        if diags.is_empty() {
            Ok(cal)
        } else {
            Err(diags)
        }
    }

    pub fn is_workday(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        if self.makeup.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days after `a` up to and including `b` (negative if b < a).
    pub fn workdays(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let mut n = 0;
        let mut d = lo;
        while d < hi {
            d = d.succ_opt().expect("date in range");
            n += i64::from(self.is_workday(d));
        }
        sign * n
    }

    /// The day `n` working days after `d` (`n` ≥ 0): the last day of a
    /// period of `n` working days that starts the day after `d`, e.g. a
    /// reply due 15 working days after an objection is filed.
    pub fn add_workdays(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().expect("date in range");
            if self.is_workday(day) {
                left -= 1;
            }
        }
        day
    }

    fn table_origin() -> NaiveDate {
        NaiveDate::from_ymd_opt(TABLE_START.0, TABLE_START.1, TABLE_START.2).unwrap()
    }

    /// `C(d)` for every day of the table: working days in (origin, d].
    pub fn cumulative(&self) -> Vec<i32> {
        let start = Self::table_origin();
        let end = NaiveDate::from_ymd_opt(TABLE_END.0, TABLE_END.1, TABLE_END.2).unwrap();
        let mut out = Vec::with_capacity((end - start).num_days() as usize + 1);
        let mut c = 0i32;
        let mut d = start;
        out.push(0);
        while d < end {
            d = d.succ_opt().unwrap();
            c += i32::from(self.is_workday(d));
            out.push(c);
        }
        out
    }

    /// A polars expression for `workdays(a, b)`: `a` and `b` are dates or
    /// datetimes (the day counts), with their types where known (a column:
    /// a datetime's day is worked from its microseconds, without a cast
    /// to a date); null if either is null or outside 1970..2100.
    pub fn workdays_expr(
        &self,
        (a, a_type): (Expr, &DataType),
        (b, b_type): (Expr, &DataType),
        table: &Series,
    ) -> Expr {
        let origin = i64::from(days(Self::table_origin()));
        // Days before the table are negative: the cast to u32 makes them
        // null; days after it are out of bounds: gather makes them null.
        let lookup = |e: Expr, ty: &DataType| {
            let mut idx = day_number(e, ty);
            if origin != 0 {
                idx = idx - lit(origin);
            }
            lit(table.clone()).gather(idx.cast(DataType::UInt32), true)
        };
        (lookup(b, b_type) - lookup(a, a_type)).cast(DataType::Int64)
    }

    /// The table as a polars Series, for [`Calendar::workdays_expr`].
    pub fn table_series(&self) -> Series {
        Series::new("__workday_table".into(), self.cumulative())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekdays_only_counts_monday_to_friday() {
        let c = Calendar::weekdays_only();
        // 2025-03-07 is a Friday; after it up to Monday 03-10: Sat, Sun off, Mon on = 1.
        assert_eq!(c.workdays(d(2025, 3, 7), d(2025, 3, 10)), 1);
        assert_eq!(c.workdays(d(2025, 3, 10), d(2025, 3, 10)), 0);
        assert_eq!(c.workdays(d(2025, 3, 10), d(2025, 3, 7)), -1);
    }

    #[test]
    fn bundled_calendar_has_holidays_and_makeup_days() {
        let c = Calendar::builtin_cn();
        // 国庆 2025: 10-01..10-08 off; 09-28 (Sun) and 10-11 (Sat) worked.
        assert!(!c.is_workday(d(2025, 10, 8)));
        assert!(c.is_workday(d(2025, 9, 28)));
        assert!(c.is_workday(d(2025, 10, 11)));
        // After Tue 2025-09-30 up to Sat 10-11: 10-01..08 off, Thu 10-09,
        // Fri 10-10 on, Sat 10-11 make-up on = 3.
        assert_eq!(c.workdays(d(2025, 9, 30), d(2025, 10, 11)), 3);
        // 春节 2026: 02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) worked.
        assert!(c.is_workday(d(2026, 2, 14)));
        assert!(!c.is_workday(d(2026, 2, 23)));
        assert_eq!(c.years, Some((2024, 2026)));
    }

    #[test]
    fn workdays_expression_matches_the_scalar_count_and_nulls_out_of_range() {
        let c = Calendar::builtin_cn();
        let t = c.table_series();
        let a = [
            d(2025, 9, 30),
            d(2025, 1, 24),
            d(1960, 1, 1),
            d(2025, 3, 10),
        ];
        let b = [d(2025, 10, 11), d(2025, 2, 5), d(2025, 1, 1), d(2150, 1, 1)];
        let df = df!("a" => a, "b" => b).unwrap();
        let out = df
            .lazy()
            .select([c
                .workdays_expr((col("a"), &DataType::Date), (col("b"), &DataType::Date), &t)
                .alias("w")])
            .collect()
            .unwrap();
        let w: Vec<Option<i64>> = out.column("w").unwrap().i64().unwrap().iter().collect();
        // 3 and 3 as in bundled_calendar_has_holidays_and_makeup_days;
        // dates before 1970 or after 2100 give null.
        assert_eq!(w, vec![Some(3), Some(3), None, None]);
    }

    /// `workdays` on datetimes worked from their microseconds equals the
    /// count on their days (cast to dates): 2024-12-31 → 2025-02-05 and
    /// 2025-09-30 → 2025-10-11 as in the scalar count; a day before 1970
    /// gives null either way.
    #[test]
    fn workdays_on_datetimes_are_the_workdays_of_their_days() {
        let c = Calendar::builtin_cn();
        let t = c.table_series();
        let dt = DataType::Datetime(TimeUnit::Microseconds, None);
        let unknown = DataType::Unknown(Default::default());
        let out = days::tests::instants()
            .lazy()
            .select([
                c.workdays_expr((col("a"), &dt), (col("b"), &dt), &t)
                    .alias("us"),
                c.workdays_expr((col("a"), &unknown), (col("b"), &unknown), &t)
                    .alias("cast"),
            ])
            .collect()
            .unwrap();
        let us: Vec<Option<i64>> = out.column("us").unwrap().i64().unwrap().iter().collect();
        let cast: Vec<Option<i64>> = out.column("cast").unwrap().i64().unwrap().iter().collect();
        assert_eq!(us, cast);
        assert_eq!(us[0], Some(c.workdays(d(2024, 12, 31), d(2025, 2, 5))));
        assert_eq!(us[5], Some(3));
        assert_eq!(us[4], None);
        assert_eq!(us[3], Some(0));
    }

    #[test]
    fn cumulative_table_matches_scalar_count() {
        let c = Calendar::builtin_cn();
        let t = c.cumulative();
        let idx = |x: NaiveDate| (x - Calendar::table_origin()).num_days() as usize;
        for (a, b) in [
            (d(2024, 2, 1), d(2024, 2, 20)),
            (d(2025, 1, 20), d(2025, 2, 10)),
            (d(2026, 9, 18), d(2026, 10, 12)),
        ] {
            assert_eq!(i64::from(t[idx(b)] - t[idx(a)]), c.workdays(a, b));
        }
    }
}
