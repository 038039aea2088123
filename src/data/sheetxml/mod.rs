//! XLSX sheets read in parallel. A worksheet is one XML part, which
//! calamine reads on one thread; here one thread inflates it and cuts it
//! into pieces just before a `<row>`, and the pool reads the pieces side
//! by side with quick-xml. The header row is looked for first, in order,
//! so that each piece knows which columns to keep.
//!
//! Every cell gets the value calamine would give it (the rules are in
//! `book`, `text` and `rows`, and `data/sheets/tests.rs` checks both readers against
//! each other on generated workbooks). What this reader does not expect
//! (rows without numbers or out of order, a cut inside a comment, an
//! unknown cell type, a part it cannot find) is [`Unusual`]: the caller
//! reads the file with calamine instead, which also gives any error.

mod book;
mod cut;
mod rows;
mod text;
pub(crate) mod value;

use std::io::Cursor;

use ::zip::ZipArchive;
use polars::prelude::*;

use crate::scheme::ColType;
use cut::Cutter;
use rows::{Piece, Want};

/// Why the fast reader stepped aside (shown when tracing).
pub(crate) type Unusual = String;

/// A sheet's rows as the data reader needs them.
#[derive(Debug)]
pub(crate) struct Sheet {
    /// The header row, one name per column from the first column with a
    /// value anywhere in the sheet to the last ("" where the header row
    /// has none): calamine's range.
    pub header: Vec<String>,
    /// The text of each wanted column found once in the header, over the
    /// rows kept.
    pub columns: Vec<(String, StringChunked)>,
    /// The header's 0-based row (0 for a sheet without values).
    pub first_row: u32,
    /// The 0-based row of each row kept (after the header, not blank).
    pub kept: Vec<u32>,
    /// The last row with a value (the end of calamine's range).
    pub last: u32,
    /// Rows with a value above the header (a title), not read.
    pub above: u32,
}

/// Inflated XML per piece read side by side (the first piece, read
/// alone while looking for the header, is smaller).
const PIECE: usize = 4 << 20;
const FIRST: usize = 256 << 10;

/// Reads the sheet named (or the first) of the workbook `xlsx`, keeping
/// the columns `want`.
pub(crate) fn read(
    xlsx: &[u8],
    sheet: Option<&str>,
    want: &[(String, ColType)],
) -> Result<Sheet, Unusual> {
    read_in(xlsx, sheet, want, (FIRST, PIECE))
}

/// [`read`] with pieces of the sizes given (tests cut small ones).
pub(crate) fn read_in(
    xlsx: &[u8],
    sheet: Option<&str>,
    want: &[(String, ColType)],
    (first, size): (usize, usize),
) -> Result<Sheet, Unusual> {
    let mut t = crate::Stopwatch::new("sheet");
    let mut zip = ZipArchive::new(Cursor::new(xlsx)).map_err(|e| e.to_string())?;
    let book = book::open(&mut zip, sheet, size)?;
    t.lap("workbook parts");
    let part = book::entry(&zip, &book.sheet).ok_or("no sheet part")?;
    let mut file = zip.by_name(&part).map_err(|e| e.to_string())?;
    let mut cut = Cutter::new(b"<row");
    let mut want = Want::Names(want.to_vec(), 0);
    let mut pieces = Vec::new();
    while matches!(want, Want::Names(..)) && !cut.done {
        let xml = cut.next(&mut file, if pieces.is_empty() { first } else { size })?;
        pieces.push(rows::piece(&xml, &book, pieces.is_empty(), &mut want)?);
    }
    let (book, want) = (&book, &want);
    let rest = cut.read_rest(&mut file, size, |xml| {
        rows::piece(&xml, book, false, &mut want.clone())
    })?;
    t.lap("rows");
    for p in rest {
        pieces.push(p?);
    }
    join(pieces, want)
}

/// The pieces, in order, as one sheet.
fn join(pieces: Vec<Piece>, want: &Want) -> Result<Sheet, Unusual> {
    let (mut header, mut kept, mut last, mut cols) = (None, Vec::new(), None, None);
    let mut above = 0;
    let mut columns: Vec<Option<StringChunked>> = Vec::new();
    let mut prev: Option<u32> = None;
    let mut ended = false;
    for p in pieces {
        if ended && p.span.is_some() {
            return Err("rows after the end of sheetData".into());
        }
        if let (Some(a), Some((b, _))) = (prev, p.span) {
            if b <= a {
                return Err("rows out of order".into());
            }
        }
        prev = p.span.map(|s| s.1).or(prev);
        ended |= p.end;
        header = header.or(p.header);
        above += p.above;
        kept.extend(p.kept);
        last = p.last.or(last);
        if let Some((a, b)) = p.cols {
            cols = Some(cols.map_or((a, b), |(x, y): (u32, u32)| (x.min(a), y.max(b))));
        }
        columns.resize(p.columns.len(), None);
        for (acc, b) in columns.iter_mut().zip(p.columns) {
            let ca = b.finish();
            match acc {
                Some(acc) => acc.append(&ca).map_err(|e| e.to_string())?,
                None => *acc = Some(ca),
            }
        }
    }
    if !ended {
        return Err("no end of sheetData".into());
    }
    if header.is_none() && above > 0 {
        // Only rows without the names: calamine reads the first as the
        // header, for the error that names what it holds.
        return Err("no header row".into());
    }
    let (first_row, cells) = header.unwrap_or_default();
    let header = match cols {
        Some((a, b)) => (a..=b)
            .map(|c| {
                cells
                    .iter()
                    .find(|x| x.0 == c)
                    .map_or(String::new(), |x| x.1.clone())
            })
            .collect(),
        None => Vec::new(),
    };
    let mut named = Vec::new();
    if let Want::At { slot, .. } = want {
        for (c, &k) in slot.iter().enumerate() {
            if k == usize::MAX {
                continue;
            }
            let name = cells
                .iter()
                .find(|x| x.0 as usize == c)
                .map(|x| x.1.clone());
            if let (Some(name), Some(Some(ca))) = (name, columns.get_mut(k).map(Option::take)) {
                named.push((name.clone(), ca.with_name(name.into())));
            }
        }
    }
    Ok(Sheet {
        header,
        columns: named,
        first_row,
        kept,
        last: last.unwrap_or(first_row),
        above,
    })
}
