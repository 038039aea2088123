//! Spreadsheets (XLSX, with calamine): the first sheet or the one named,
//! cells as the text their column's type expects, blank rows skipped.

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
                .map(|c| cell_text(c, ColType::String).unwrap_or_default())
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
    let mut values: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(range.height()); cols.len()];
    // The sheet's own row numbers: header at first_row + 1 (1-based);
    // blank rows (every cell empty) are skipped and counted.
    let mut pieces = vec![(0u64, first_row + 2)];
    let mut blank_lines = 0;
    let mut kept = 0u64;
    for r in rows {
        let empty = r
            .iter()
            .all(|c| cell_text(c, ColType::String).is_none_or(|t| t.trim().is_empty()));
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
            values[k].push(r.get(i).and_then(|c| cell_text(c, types[k])));
        }
    }
    let frame = frame_of(&cols, values).map_err(|e| polars_err(shown, e))?;
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
fn frame_of(cols: &[String], values: Vec<Vec<Option<String>>>) -> PolarsResult<DataFrame> {
    let mut columns: Vec<Column> = cols
        .iter()
        .zip(values)
        .map(|(c, v)| Column::new(c.as_str().into(), v))
        .collect();
    let height = columns.first().map_or(0, |c| c.len());
    columns.insert(
        0,
        Column::new(ROW.into(), (0..height as IdxSize).collect::<Vec<_>>()),
    );
    DataFrame::new(height, columns)
}

/// A spreadsheet cell as text, in the form the parser expects for `ty`.
fn cell_text(c: &Data, ty: ColType) -> Option<String> {
    Some(match c {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
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
            Some(t) => match ty {
                ColType::Date => t.format("%Y-%m-%d").to_string(),
                ColType::Datetime => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                _ if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                _ => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            },
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}
