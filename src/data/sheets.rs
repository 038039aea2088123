//! Spreadsheets (XLSX, with calamine): the first sheet or the one named,
//! cells as the text their column's type expects, blank rows skipped.

use std::borrow::Cow;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use polars::prelude::*;

use super::DataError;
use super::table::{LineMap, Opened, ROW, Wanted, pick, polars_err};
use crate::diag::list;
use crate::scheme::ColType;

pub(super) fn read_xlsx(
    shown: &Path,
    path: &Path,
    sheet: Option<&str>,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let err = |m: String| DataError::Read {
        path: shown.to_path_buf(),
        message: m,
    };
    let range = sheet_range(path, sheet).map_err(err)?;
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| {
                    cell_text(c, ColType::String)
                        .unwrap_or_default()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let cols = pick(shown, dataset, &header, wanted)?;
    let types: Vec<ColType> = cols
        .iter()
        .map(|c| match wanted {
            Wanted::Declared(d) => d
                .iter()
                .find(|(n, _)| n == c)
                .map_or(ColType::String, |x| x.1),
            Wanted::All => ColType::String,
        })
        .collect();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap())
        .collect();
    // Each cell's text goes straight into its column (a text cell's
    // string is borrowed from the sheet, not copied into one of its own).
    let mut values: Vec<StringChunkedBuilder> = cols
        .iter()
        .map(|c| StringChunkedBuilder::new(c.as_str().into(), range.height()))
        .collect();
    // The sheet's own row numbers: header at first_row + 1 (1-based);
    // blank rows (every cell empty) are skipped and counted.
    let mut pieces = vec![(0u64, first_row + 2)];
    let mut blank_lines = 0;
    let mut kept = 0u64;
    for r in rows {
        let empty = r.iter().all(blank);
        if empty {
            blank_lines += 1;
            let o = pieces.last().map_or(0, |p| p.1) + 1;
            match pieces.last_mut() {
                Some(last) if last.0 == kept => last.1 = o,
                _ => pieces.push((kept, o)),
            }
            continue;
        }
        kept += 1;
        for (k, &i) in idx.iter().enumerate() {
            values[k].append_option(r.get(i).and_then(|c| cell_text(c, types[k])));
        }
    }
    let frame = frame_of(values).map_err(|e| polars_err(shown, e))?;
    Ok(Opened {
        windows: vec![super::table::Window::whole(frame.clone().lazy())],
        lf: frame.lazy(),
        lines: LineMap::from_pieces(pieces, kept),
        malformed: Vec::new(),
        blank_lines,
        subset: super::table::Subset::Filter,
    })
}

/// The sheet named, or the first.
fn sheet_range(path: &Path, sheet: Option<&str>) -> Result<calamine::Range<Data>, String> {
    let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
    match sheet {
        Some(s) => wb
            .worksheet_range(s)
            .map_err(|e| format!("sheet {s:?}: {e} (sheets: {})", list(wb.sheet_names(), 12))),
        None => wb
            .worksheet_range_at(0)
            .ok_or_else(|| "the workbook has no sheets".to_string())?
            .map_err(|e| e.to_string()),
    }
}

/// The kept rows' text as string columns, after the row number column.
fn frame_of(values: Vec<StringChunkedBuilder>) -> PolarsResult<DataFrame> {
    let mut columns: Vec<Column> = values
        .into_iter()
        .map(|b| b.finish().into_column())
        .collect();
    let height = columns.first().map_or(0, |c| c.len());
    columns.insert(
        0,
        Column::new(ROW.into(), (0..height as IdxSize).collect::<Vec<_>>()),
    );
    DataFrame::new(height, columns)
}

/// Is the cell's text ([`cell_text`]) none or only white space? Only text
/// can be: a number, a truth value, a date or an error always has some.
fn blank(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().is_empty(),
        Data::Int(_) | Data::Float(_) | Data::Bool(_) | Data::DateTime(_) | Data::Error(_) => false,
    }
}

/// `t` as `%Y-%m-%d` or `%Y-%m-%d %H:%M:%S`, written directly for the
/// years 0-9999 (chrono's `format` interprets its pattern at every call:
/// a third of reading a sheet of 300,000 tickets went there), by chrono
/// for any other.
fn date_text(t: &chrono::NaiveDateTime, with_time: bool) -> String {
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

/// A spreadsheet cell as text, in the form the parser expects for `ty`
/// (a text cell's own string, borrowed).
fn cell_text(c: &Data, ty: ColType) -> Option<Cow<'_, str>> {
    Some(Cow::Owned(match c {
        Data::Empty => return None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            return Some(Cow::Borrowed(s));
        }
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
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
        Data::Error(e) => format!("#{e:?}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    /// `blank` says what `cell_text` would: none or white space only.
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
            let text = cell_text(c, ColType::String);
            assert_eq!(
                blank(c),
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
