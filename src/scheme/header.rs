//! Section 1: `[scheme]`, the header: name, period, the defaults every
//! other section inherits, and the calendar.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use super::context::Validator;
use super::tree::{AGGREGATIONS, Aggregation, WEIGHTS, WeightMethod};
use crate::calendar::{Calendar, toml_date};
use crate::diag::{Diagnostic, S};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: S<String>,
    /// Issuing office (发文单位), printed on the bulletin.
    pub office: Option<S<String>>,
    pub period: S<RawPeriod>,
    pub points: Option<S<f64>>,
    pub aggregation: Option<S<String>>,
    pub missing: Option<S<String>>,
    pub pending_objections: Option<S<String>>,
    pub repair_factor: Option<S<f64>>,
    pub bonus_cap: Option<S<f64>>,
    pub veto_rank: Option<S<String>>,
    pub calendar: Option<S<String>>,
    /// Data-driven weights of the root's children: "entropy" or "critic".
    pub weights: Option<S<String>>,
    /// Display names of peer groups for the bulletin and charts, e.g.
    /// `{ department = "市直部门", town = "乡镇（街道）" }`.
    pub groups: Option<S<BTreeMap<String, String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// A TOML date, e.g. 2025-01-01.
    #[schemars(with = "String")]
    pub start: S<toml::Value>,
    /// A TOML date, e.g. 2025-12-31.
    #[schemars(with = "String")]
    pub end: S<toml::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    Reweight,
    Zero,
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingPolicy {
    Count,
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoRank {
    Last,
    Keep,
}

pub(super) const MISSING: &[(&str, MissingPolicy)] = &[
    ("reweight", MissingPolicy::Reweight),
    ("zero", MissingPolicy::Zero),
    ("mean", MissingPolicy::Mean),
];
const PENDING: &[(&str, PendingPolicy)] = &[
    ("count", PendingPolicy::Count),
    ("exclude", PendingPolicy::Exclude),
];
const VETO_RANK: &[(&str, VetoRank)] = &[("last", VetoRank::Last), ("keep", VetoRank::Keep)];

/// The checked header.
pub(super) struct Header {
    pub name: String,
    pub office: Option<String>,
    pub group_names: BTreeMap<String, String>,
    pub period: Period,
    pub points: f64,
    pub aggregation: Aggregation,
    pub missing: MissingPolicy,
    pub pending: PendingPolicy,
    pub repair_factor: f64,
    pub bonus_cap: Option<f64>,
    pub veto_rank: VetoRank,
    pub calendar: Calendar,
    pub weights: Option<WeightMethod>,
}

/// The most points a scheme may have in all.
pub const MAX_POINTS: f64 = 1_000_000.0;

/// Check `[scheme]` (file `f`); `base` resolves a relative calendar.
pub(super) fn check(v: &mut Validator, f: usize, h: &RawHeader, base: &Path) -> Option<Header> {
    let n0 = v.diags.len();
    let period = period(v, f, h.period.get_ref());
    let points = h.points.as_ref().map_or(100.0, |p| {
        // Bounded so that no sum of points can overflow to infinity
        // (points = 1e308 gave totals of inf).
        if !(*p.get_ref() > 0.0 && *p.get_ref() <= MAX_POINTS) {
            v.err(
                f,
                p.span().start,
                format!(
                    "points must be a positive number up to {MAX_POINTS:.0}, found {}",
                    p.get_ref()
                ),
            )
            .hint("a scheme is usually scored out of 100 or 1000 points");
        }
        *p.get_ref()
    });
    let aggregation = v.choice(f, &h.aggregation, AGGREGATIONS, Aggregation::Arithmetic);
    let missing = v.choice(f, &h.missing, MISSING, MissingPolicy::Reweight);
    let pending = v.choice(f, &h.pending_objections, PENDING, PendingPolicy::Count);
    let veto_rank = v.choice(f, &h.veto_rank, VETO_RANK, VetoRank::Last);
    let weights = v.choice(f, &h.weights, WEIGHTS, None);
    let repair_factor = h.repair_factor.as_ref().map_or(0.5, |r| {
        if !(0.0..=1.0).contains(r.get_ref()) {
            v.err(f, r.span().start, "repair_factor must be between 0 and 1");
        }
        *r.get_ref()
    });
    let bonus_cap = h.bonus_cap.as_ref().map(|b| {
        if !(b.get_ref().is_finite() && *b.get_ref() >= 0.0) {
            v.err(f, b.span().start, "bonus_cap must be a number >= 0");
        }
        *b.get_ref()
    });
    let calendar = calendar(v, f, &h.calendar, base);
    if v.diags.len() > n0 {
        return None;
    }
    Some(Header {
        name: h.name.get_ref().clone(),
        office: h.office.as_ref().map(|o| o.get_ref().clone()),
        group_names: h
            .groups
            .as_ref()
            .map(|g| g.get_ref().clone())
            .unwrap_or_default(),
        period: period?,
        points,
        aggregation,
        missing,
        pending,
        repair_factor,
        bonus_cap,
        veto_rank,
        calendar,
        weights,
    })
}

fn period(v: &mut Validator, f: usize, p: &RawPeriod) -> Option<Period> {
    let date = |x: &S<toml::Value>, v: &mut Validator| {
        let d = toml_date(x.get_ref());
        if d.is_none() {
            v.err(f, x.span().start, "expected a date")
                .hint("write period = { start = 2025-01-01, end = 2025-12-31 }");
        }
        d
    };
    let (start, end) = (date(&p.start, v), date(&p.end, v));
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            v.err(
                f,
                p.end.span().start,
                format!("period ends ({e}) before it starts ({s})"),
            );
        }
    }
    Some(Period {
        start: start?,
        end: end?,
    })
}

/// The calendar: none (Monday-Friday), the bundled "cn", or a file inside
/// the scheme directory.
fn calendar(v: &mut Validator, f: usize, c: &Option<S<String>>, base: &Path) -> Calendar {
    match c {
        None => Calendar::weekdays_only(),
        Some(c) if c.get_ref() == "cn" => Calendar::builtin_cn(),
        Some(c) => {
            let loaded = crate::paths::inside(base, c.get_ref())
                .map_err(|e| vec![Diagnostic::file(&base.join(c.get_ref()), e.to_string())])
                .and_then(|p| Calendar::load(&p));
            match loaded {
                Ok(cal) => cal,
                Err(ds) => {
                    v.err(f, c.span().start, format!("calendar {:?} is not usable", c.get_ref()))
                        .hint("a path relative to the scheme directory, or \"cn\" for the bundled calendar");
                    v.diags.extend(ds);
                    Calendar::default()
                }
            }
        }
    }
}

impl Period {
    /// A period as `--period` writes it: `2025` (the year), `2025-Q1`
    /// (a quarter), `2025-03` (a month) or `2025-01-01..2025-03-31`
    /// (inclusive days).
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "{s:?} is not a period (expected 2025, 2025-Q1, 2025-03 or 2025-01-01..2025-03-31)"
            )
        };
        let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad);
        let month_end = |y: i32, m: u32| -> Result<NaiveDate, String> {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Ok(ymd(ny, nm, 1)?.pred_opt().expect("a day before"))
        };
        if let Some((a, b)) = s.split_once("..") {
            let (start, end) = (
                crate::calendar::parse_date(a).ok_or_else(bad)?,
                crate::calendar::parse_date(b).ok_or_else(bad)?,
            );
            if start > end {
                return Err(format!("{s:?}: the period ends before it starts"));
            }
            return Ok(Period { start, end });
        }
        let (y, rest) = s.split_once('-').unwrap_or((s, ""));
        let y: i32 = y.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&y) {
            return Err(bad());
        }
        match rest.to_ascii_uppercase().as_str() {
            "" => Ok(Period {
                start: ymd(y, 1, 1)?,
                end: ymd(y, 12, 31)?,
            }),
            q if q.starts_with('Q') => {
                let q: u32 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&q) {
                    return Err(bad());
                }
                Ok(Period {
                    start: ymd(y, 3 * q - 2, 1)?,
                    end: month_end(y, 3 * q)?,
                })
            }
            m => {
                let m: u32 = m.parse().map_err(|_| bad())?;
                Ok(Period {
                    start: ymd(y, m, 1)?,
                    end: month_end(y, m)?,
                })
            }
        }
    }

    /// The period as offices name it: 2025年度, 2025年第一季度, 2025年3月,
    /// or 2025年1月1日至2025年2月15日.
    pub fn label(&self) -> String {
        use chrono::Datelike;
        let (s, e) = (self.start, self.end);
        let whole_months =
            s.day() == 1 && e.succ_opt().is_some_and(|n| n.day() == 1) && s.year() == e.year();
        let months = e.month() as i32 - s.month() as i32 + 1;
        if whole_months && months == 12 {
            format!("{}年度", s.year())
        } else if whole_months && months == 3 && s.month() % 3 == 1 {
            const Q: [&str; 4] = ["一", "二", "三", "四"];
            format!("{}年第{}季度", s.year(), Q[(s.month() / 3) as usize])
        } else if whole_months && months == 1 {
            format!("{}年{}月", s.year(), s.month())
        } else {
            let d = |d: NaiveDate| d.format("%Y年%-m月%-d日").to_string();
            format!("{}至{}", d(s), d(e))
        }
    }

    /// The period in a file name: 2025, 2025-Q1, 2025-03 or
    /// 2025-01-01_2025-02-15.
    pub fn slug(&self) -> String {
        let l = self.label();
        use chrono::Datelike;
        let (s, e) = (self.start, self.end);
        if l.ends_with("年度") {
            s.year().to_string()
        } else if l.ends_with("季度") {
            format!("{}-Q{}", s.year(), s.month().div_ceil(3))
        } else if l.ends_with('月') {
            format!("{}-{:02}", s.year(), s.month())
        } else {
            format!("{s}_{e}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Period;

    fn p(s: &str) -> (String, String, String, String) {
        let x = Period::parse(s).unwrap();
        (x.start.to_string(), x.end.to_string(), x.label(), x.slug())
    }

    #[test]
    fn periods_parse_label_and_name_files() {
        let t = |a: &str, b: &str, l: &str, s: &str| (a.into(), b.into(), l.into(), s.into());
        assert_eq!(p("2025"), t("2025-01-01", "2025-12-31", "2025年度", "2025"));
        assert_eq!(
            p("2025-Q1"),
            t("2025-01-01", "2025-03-31", "2025年第一季度", "2025-Q1")
        );
        assert_eq!(
            p("2025-q4"),
            t("2025-10-01", "2025-12-31", "2025年第四季度", "2025-Q4")
        );
        // February of a leap year ends on the 29th.
        assert_eq!(
            p("2024-02"),
            t("2024-02-01", "2024-02-29", "2024年2月", "2024-02")
        );
        assert_eq!(
            p("2025-01-01..2025-02-15"),
            t(
                "2025-01-01",
                "2025-02-15",
                "2025年1月1日至2025年2月15日",
                "2025-01-01_2025-02-15"
            )
        );
        // A range that is a whole quarter is named as one.
        assert_eq!(p("2025-04-01..2025-06-30").2, "2025年第二季度");
        for bad in [
            "2025-Q5",
            "2025-13",
            "25",
            "2025-03-31..2025-01-01",
            "Q1",
            "",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
