//! Spreadsheets (XLSX, with calamine): the first sheet or the one named,
//! cells as the text their column's type expects, blank rows skipped.

use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use polars::prelude::*;

use super::DataError;
use super::header::pick;
use super::sheetxml::{self, Sheet, value::Value};
use super::table::{LineMap, Opened, ROW, Wanted, polars_err};
use crate::diag::list;
use crate::scheme::ColType;

/// A title above a sheet's table is passed over: the header is looked
/// for among this many rows with a value.
pub(crate) const HEADER_SEARCH: u32 = 20;

/// Is a row with these cells the header? It is if it holds any of the
/// names looked for; a row above it that holds none is a title. Both
/// sheet readers ask this.
pub(crate) fn is_header<'a>(names: &[&str], mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.any(|c| names.contains(&c))
}

/// Reads the sheet: in parallel from its XML ([`sheetxml`]) when the
/// columns are declared, else (or where that reader steps aside) with
/// calamine. Both give the same cells.
pub(super) fn read_xlsx(
    shown: &Path,
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let fast = match wanted {
        Wanted::Declared(d) => match sheetxml::read(bytes, sheet, d) {
            Ok(s) => Some(s),
            Err(why) => {
                if crate::tracing() {
                    eprintln!("[trace] {dataset} sheet read by calamine: {why}");
                }
                None
            }
        },
        Wanted::All(_) => None,
    };
    let s = match fast {
        Some(s) => s,
        None => by_calamine(path, sheet, wanted).map_err(|m| DataError::Read {
            path: shown.to_path_buf(),
            message: m,
        })?,
    };
    let cols = pick(shown, dataset, &s.header, wanted)?;
    let (lines, blank_lines) = lines(&s);
    let mut columns = s.columns;
    let values: Vec<StringChunked> = cols
        .iter()
        .map(|c| {
            let k = columns
                .iter()
                .position(|x| &x.0 == c)
                .expect("a picked column is read");
            columns.swap_remove(k).1
        })
        .collect();
    let frame = frame_of(values).map_err(|e| polars_err(shown, e))?;
    Ok(Opened {
        windows: vec![super::table::Window::whole(frame.clone().lazy())],
        lf: frame.lazy(),
        lines,
        malformed: Vec::new(),
        blank_lines,
        title_rows: u64::from(s.above),
        subset: super::table::Subset::Filter,
    })
}

/// Each kept row's line (its 1-based sheet row), and the number of blank
/// rows skipped between the header and the range's last row.
fn lines(s: &Sheet) -> (LineMap, u64) {
    // pieces: (first kept row, line - row) from that row on.
    let mut pieces = vec![(0u64, u64::from(s.first_row) + 2)];
    let skip = |kept: u64, gap: u64, pieces: &mut Vec<(u64, u64)>| {
        if gap == 0 {
            return;
        }
        let o = pieces.last().map_or(0, |p| p.1) + gap;
        match pieces.last_mut() {
            Some(last) if last.0 == kept => last.1 = o,
            _ => pieces.push((kept, o)),
        }
    };
    let mut prev = s.first_row;
    for (k, &r) in s.kept.iter().enumerate() {
        skip(k as u64, u64::from(r - prev - 1), &mut pieces);
        prev = r;
    }
    let kept = s.kept.len() as u64;
    skip(kept, u64::from(s.last.saturating_sub(prev)), &mut pieces);
    let blank = u64::from(s.last.saturating_sub(s.first_row)) - kept;
    (LineMap::from_pieces(pieces, kept), blank)
}

/// The sheet read with calamine: every cell, then the columns wanted (all
/// for [`Wanted::All`]), blank rows skipped.
fn by_calamine(path: &Path, sheet: Option<&str>, wanted: &Wanted) -> Result<Sheet, String> {
    let range = sheet_range(path, sheet)?;
    let start = range.start().map_or(0, |(r, _)| r);
    let last = range.end().map_or(start, |(r, _)| r);
    let texts = |r: &[calamine::Data]| -> Vec<String> {
        r.iter()
            .map(|c| {
                Value::from(c)
                    .text(ColType::String)
                    .unwrap_or_default()
                    .into_owned()
            })
            .collect()
    };
    // The header: the first row holding any declared name, among the
    // first HEADER_SEARCH rows with a value (a title may stand above the
    // table); else the first row, whose names the missing-column error
    // lists.
    let names: Vec<&str> = match wanted {
        Wanted::Declared(d) => d.iter().map(|(n, _)| n.as_str()).collect(),
        Wanted::All(n) => n.to_vec(),
    };
    let mut passed = 0u32;
    let mut at = None;
    for (i, r) in range.rows().enumerate() {
        if r.iter().all(|c| matches!(Value::from(c), Value::Empty)) {
            continue;
        }
        if is_header(&names, texts(r).iter().map(String::as_str)) {
            at = Some((i, passed));
            break;
        }
        passed += 1;
        if passed >= HEADER_SEARCH {
            break;
        }
    }
    let (skip, above) = at.unwrap_or((0, 0));
    let first_row = start + skip as u32;
    let mut rows = range.rows().skip(skip);
    let header: Vec<String> = rows.next().map(texts).unwrap_or_default();
    let names: Vec<(String, ColType)> = match wanted {
        Wanted::Declared(d) => d.to_vec(),
        Wanted::All(_) => header
            .iter()
            .map(|h| (h.clone(), ColType::String))
            .collect(),
    };
    let read: Vec<(usize, &(String, ColType))> = names
        .iter()
        .filter_map(|n| {
            let mut at = (0..header.len()).filter(|&i| header[i] == n.0);
            match (at.next(), at.next()) {
                (Some(i), None) => Some((i, n)),
                _ => None,
            }
        })
        .collect();
    let mut values: Vec<StringChunkedBuilder> = read
        .iter()
        .map(|(_, n)| StringChunkedBuilder::new(n.0.as_str().into(), range.height()))
        .collect();
    let mut kept = Vec::new();
    for (k, r) in rows.enumerate() {
        if r.iter().all(|c| Value::from(c).blank()) {
            continue;
        }
        kept.push(first_row + 1 + k as u32);
        for (b, (i, (_, ty))) in values.iter_mut().zip(&read) {
            b.append_option(r.get(*i).and_then(|c| Value::from(c).text(*ty)).as_deref());
        }
    }
    Ok(Sheet {
        header,
        columns: read
            .iter()
            .zip(values)
            .map(|((_, n), b)| (n.0.clone(), b.finish()))
            .collect(),
        first_row,
        kept,
        last,
        above,
    })
}

/// The sheet named, or the first.
fn sheet_range(
    path: &Path,
    sheet: Option<&str>,
) -> Result<calamine::Range<calamine::Data>, String> {
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
fn frame_of(values: Vec<StringChunked>) -> PolarsResult<DataFrame> {
    let mut columns: Vec<Column> = values.into_iter().map(|c| c.into_column()).collect();
    let height = columns.first().map_or(0, |c| c.len());
    columns.insert(
        0,
        Column::new(ROW.into(), (0..height as IdxSize).collect::<Vec<_>>()),
    );
    DataFrame::new(height, columns)
}

#[cfg(test)]
mod tests;
