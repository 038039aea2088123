//! A spreadsheet cell's value, whichever reader found it (calamine or the
//! sheet XML read in parallel), and the text govtrust parses it from.

use std::borrow::Cow;

use calamine::{CellErrorType, Data, ExcelDateTime};

use crate::scheme::ColType;

/// One cell: text (a string, shared string, ISO date or duration, all
/// read as written) or one of the typed values a workbook stores.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Empty,
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(ExcelDateTime),
    Error(CellErrorType),
}

impl<'a> From<&'a Data> for Value<'a> {
    fn from(d: &'a Data) -> Self {
        match d {
            Data::Empty => Value::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                Value::Text(Cow::Borrowed(s))
            }
            Data::Int(i) => Value::Int(*i),
            Data::Float(f) => Value::Float(*f),
            Data::Bool(b) => Value::Bool(*b),
            Data::DateTime(t) => Value::Date(*t),
            Data::Error(e) => Value::Error(e.clone()),
        }
    }
}

impl Value<'_> {
    /// Is the cell's text ([`Value::text`]) none or only white space? Only
    /// text can be: a number, a truth value, a date or an error always has
    /// some.
    pub(crate) fn blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Date(_) | Value::Error(_) => {
                false
            }
        }
    }
}

impl<'a> Value<'a> {
    /// The cell as text, in the form the parser expects for `ty` (a text
    /// cell's own string, borrowed where the cell's was).
    pub(crate) fn text(self, ty: ColType) -> Option<Cow<'a, str>> {
        Some(Cow::Owned(match self {
            Value::Empty => return None,
            Value::Text(s) => return Some(s),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", f as i64)
                } else {
                    f.to_string()
                }
            }
            Value::Bool(b) => b.to_string(),
            Value::Date(dt) => match dt.as_datetime() {
                Some(t) => {
                    let with_time = match ty {
                        ColType::Date => false,
                        ColType::Datetime => true,
                        _ => t.time() != chrono::NaiveTime::MIN,
                    };
                    date_text(&t, with_time)
                }
                None => dt.as_f64().to_string(),
            },
            Value::Error(e) => format!("#{e:?}"),
        }))
    }
}

/// `t` as `%Y-%m-%d` or `%Y-%m-%d %H:%M:%S`, written directly for the
/// years 0-9999 (chrono's `format` interprets its pattern at every call:
/// a third of reading a sheet of 300,000 tickets went there), by chrono
/// for any other.
pub(crate) fn date_text(t: &chrono::NaiveDateTime, with_time: bool) -> String {
    use chrono::{Datelike, Timelike};
    let y = t.year();
    if !(0..=9999).contains(&y) {
        let f = if with_time {
            "%Y-%m-%d %H:%M:%S"
        } else {
            "%Y-%m-%d"
        };
        return t.format(f).to_string();
    }
    if with_time {
        format!(
            "{y:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        format!("{y:04}-{:02}-{:02}", t.month(), t.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    /// `blank` says what `text` would: none or white space only.
    #[test]
    fn blank_agrees_with_the_cells_text() {
        let dt = |v: f64| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        let cells = [
            Data::Empty,
            Data::String(String::new()),
            Data::String("  \t".into()),
            Data::String(" x ".into()),
            Data::Int(0),
            Data::Float(0.0),
            Data::Float(-0.5),
            Data::Bool(false),
            dt(45000.0),
            dt(45000.75),
            dt(-1.0),
            Data::DateTimeIso(" ".into()),
            Data::DurationIso("PT1H".into()),
            Data::Error(calamine::CellErrorType::NA),
        ];
        for c in &cells {
            let v = Value::from(c);
            let text = v.clone().text(ColType::String);
            assert_eq!(
                v.blank(),
                text.as_deref().is_none_or(|t| t.trim().is_empty()),
                "{c:?}: {text:?}"
            );
        }
    }

    /// The dates written directly equal chrono's `format`, with and
    /// without the time, at the edges of the years written directly and
    /// beyond them.
    #[test]
    fn date_text_equals_chronos_format() {
        use chrono::NaiveDate;
        let days = [
            (0, 1, 1),
            (999, 12, 31),
            (1900, 2, 28),
            (2024, 2, 29),
            (2025, 10, 8),
            (9999, 12, 31),
            (-1, 6, 15),
            (10000, 1, 1),
        ];
        for (y, m, d) in days {
            for (h, mi, s) in [(0, 0, 0), (9, 5, 7), (23, 59, 59)] {
                let t = NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_hms_opt(h, mi, s)
                    .unwrap();
                assert_eq!(
                    date_text(&t, true),
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                );
                assert_eq!(date_text(&t, false), t.format("%Y-%m-%d").to_string());
            }
        }
    }
}
