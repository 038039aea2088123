//! The rows of one piece of a sheet's `<sheetData>`: each cell's value as
//! calamine would read it, the header row when the piece holds it, and
//! the wanted columns' text of every row that is not blank. Pieces are
//! read side by side; a piece ends just before a `<row>` element.

use std::borrow::Cow;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use polars::prelude::*;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::Unusual;
use super::book::{Book, Shown};
use super::text::{content, raw_attr, reader, rich_text, unescape_x, xml_err};
use super::value::Value;
use crate::scheme::ColType;

/// The columns to read: by name until the header row is found, then by
/// the header's column numbers.
#[derive(Clone)]
pub(super) enum Want {
    /// Looking for the header: the names, and the rows with a value
    /// passed over so far (titles above the table).
    Names(Vec<(String, ColType)>, u32),
    At {
        /// Slot (in the order of the names) of each sheet column, up to
        /// the last wanted one; `usize::MAX` for a column not read.
        slot: Vec<usize>,
        types: Vec<ColType>,
    },
}

/// The header row: its 0-based row and each cell's (column, text).
pub(super) type Header = (u32, Vec<(u32, String)>);

/// What one piece of `<sheetData>` holds.
pub(super) struct Piece {
    pub header: Option<Header>,
    /// The wanted columns' text in the rows kept (those not blank).
    pub columns: Vec<StringChunkedBuilder>,
    /// The 0-based sheet row of each row kept.
    pub kept: Vec<u32>,
    /// The first and last `<row>` element's row.
    pub span: Option<(u32, u32)>,
    /// The last row with a cell that has a value.
    pub last: Option<u32>,
    /// The least and greatest column with a value.
    pub cols: Option<(u32, u32)>,
    /// Whether `</sheetData>` was reached.
    pub end: bool,
    /// Rows with a value passed over above the header.
    pub above: u32,
}

/// Reads a piece. `first`: the piece starts at the top of the sheet's
/// XML (before `<sheetData>`); any other starts at a `<row>`.
pub(super) fn piece(
    xml: &[u8],
    book: &Book,
    first: bool,
    want: &mut Want,
) -> Result<Piece, Unusual> {
    let mut r = reader(xml);
    // A piece after the first closes `<sheetData>` and `<worksheet>`
    // without having opened them.
    r.config_mut().allow_unmatched_ends = true;
    let names = match want {
        Want::Names(n, _) => n.len(),
        Want::At { types, .. } => types.len(),
    };
    let mut p = Piece {
        header: None,
        columns: (0..names)
            .map(|_| StringChunkedBuilder::new(PlSmallStr::EMPTY, 1024))
            .collect(),
        kept: Vec::new(),
        span: None,
        last: None,
        cols: None,
        end: false,
        above: 0,
    };
    let mut inside = !first;
    let mut row: Option<u32> = None;
    let mut next_col = 0u32;
    let mut has_value = false;
    let mut blank = true;
    let mut cells: Vec<(u32, Value)> = Vec::new();
    let mut got: Vec<Option<Cow<str>>> = Vec::new();
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if !inside => inside = e.local_name().as_ref() == b"sheetData",
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding() {
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err("not UTF-8".into());
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"row" => {
                if row.is_some() {
                    return Err("row inside a row".into());
                }
                let n = raw_attr(&e, b"r").ok_or("row without r")?;
                let n: u32 = std::str::from_utf8(&n)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or("bad row r")?;
                let n = n.checked_sub(1).ok_or("row 0")?;
                if p.span.is_some_and(|(_, l)| n <= l) {
                    return Err("rows out of order".into());
                }
                p.span = Some((p.span.map_or(n, |s| s.0), n));
                row = Some(n);
                next_col = 0;
                (has_value, blank) = (false, true);
                cells.clear();
            }
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let at = row.ok_or("cell outside a row")?;
                let (mut rf, mut style, mut ty) = (None, None, None);
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.as_ref() {
                        b"r" => rf = Some(a.value),
                        b"s" => style = Some(a.value),
                        b"t" => ty = Some(a.value),
                        _ => {}
                    }
                }
                let col = match rf {
                    Some(rf) => {
                        let (rr, c) = cell_ref(&rf).ok_or("bad cell reference")?;
                        if rr != at {
                            return Err("cell reference in another row".into());
                        }
                        c
                    }
                    None => next_col,
                };
                if col < next_col {
                    return Err("cells out of order".into());
                }
                next_col = col + 1;
                let v = cell(&mut r, book, style.as_deref(), ty.as_deref())?;
                if !matches!(v, Value::Empty) {
                    has_value = true;
                    p.cols = Some(p.cols.map_or((col, col), |(a, b)| (a.min(col), b.max(col))));
                }
                blank &= v.blank();
                let wanted = match want {
                    Want::Names(..) => true,
                    Want::At { slot, .. } => {
                        slot.get(col as usize).is_some_and(|&s| s != usize::MAX)
                    }
                };
                if wanted && !matches!(v, Value::Empty) {
                    cells.push((col, v));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"row" => {
                let at = row.take().ok_or("row end without a start")?;
                if !has_value {
                    continue;
                }
                match want {
                    Want::Names(names, passed) => {
                        let header: Vec<(u32, String)> = cells
                            .drain(..)
                            .map(|(c, v)| {
                                (c, v.text(ColType::String).unwrap_or_default().into_owned())
                            })
                            .collect();
                        p.last = Some(at);
                        // A row with none of the declared names is a
                        // title above the table (docs/scheme.md section 1).
                        let looked_for: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
                        if !crate::data::sheets::is_header(
                            &looked_for,
                            header.iter().map(|(_, h)| h.as_str()),
                        ) {
                            *passed += 1;
                            p.above += 1;
                            if *passed >= crate::data::sheets::HEADER_SEARCH {
                                return Err("no header row among the first rows".into());
                            }
                            continue;
                        }
                        *want = found(names, &header);
                        p.header = Some((at, header));
                    }
                    Want::At { slot, types } => {
                        p.last = Some(at);
                        if !blank {
                            got.clear();
                            got.resize(types.len(), None);
                            for (c, v) in cells.drain(..) {
                                let s = slot[c as usize];
                                got[s] = v.text(types[s]);
                            }
                            for (b, t) in p.columns.iter_mut().zip(got.drain(..)) {
                                b.append_option(t.as_deref());
                            }
                            p.kept.push(at);
                        }
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"sheetData" => {
                if row.is_some() {
                    return Err("sheetData ends inside a row".into());
                }
                p.end = true;
                return Ok(p);
            }
            Event::Eof => {
                if row.is_some() || !inside {
                    return Err("piece ends inside a row".into());
                }
                return Ok(p);
            }
            _ => {}
        }
    }
}

/// The wanted names' columns in the header: a name found once is read;
/// one missing or found twice is not (the header check reports it).
fn found(names: &[(String, ColType)], header: &[(u32, String)]) -> Want {
    let mut slot = Vec::new();
    for (k, (n, _)) in names.iter().enumerate() {
        let mut at = header.iter().filter(|(_, h)| h == n);
        if let (Some((c, _)), None) = (at.next(), at.next()) {
            let c = *c as usize;
            if slot.len() <= c {
                slot.resize(c + 1, usize::MAX);
            }
            slot[c] = k;
        }
    }
    Want::At {
        slot,
        types: names.iter().map(|x| x.1).collect(),
    }
}

/// `AB12` as (0-based row, 0-based column).
fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (l, d) = r.split_at(letters);
    if l.is_empty() || l.len() > 3 || d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let col = l.iter().fold(0u32, |c, b| {
        c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = std::str::from_utf8(d).ok()?.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A `<c>` element's value, read to its end: the last of its `<v>`,
/// `<is>` and `<f>` children decides, as in calamine.
fn cell<'a>(
    r: &mut Reader<&'a [u8]>,
    book: &'a Book,
    style: Option<&[u8]>,
    ty: Option<&[u8]>,
) -> Result<Value<'a>, Unusual> {
    let mut value = Value::Empty;
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) => {
                value = match e.local_name().as_ref() {
                    b"is" => match rich_text(r, e.name())? {
                        Some(s) => Value::Text(s),
                        None => Value::Empty,
                    },
                    b"v" if matches!(ty, Some(b"inlineStr" | b"is")) => {
                        r.read_to_end(e.name()).map_err(xml_err)?;
                        Value::Empty
                    }
                    b"v" => v(r, &e, book, style, ty)?,
                    b"f" => {
                        r.read_to_end(e.name()).map_err(xml_err)?;
                        Value::Empty
                    }
                    _ => return Err("unexpected element in a cell".into()),
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"c" => return Ok(value),
            Event::Eof => return Err("unclosed cell".into()),
            _ => {}
        }
    }
}

/// A `<v>` element's value for the cell's type and style.
fn v<'a>(
    r: &mut Reader<&'a [u8]>,
    e: &BytesStart,
    book: &'a Book,
    style: Option<&[u8]>,
    ty: Option<&[u8]>,
) -> Result<Value<'a>, Unusual> {
    let plain = matches!(ty, None | Some(b"n" | b"s" | b"b" | b"e"));
    let text: Cow<'a, str> = if plain {
        // calamine reads these from the first text event as written.
        let t = match r.read_event().map_err(xml_err)? {
            Event::Text(t) => t.into_inner(),
            Event::End(end) if end.name() == e.name() => return Ok(Value::Empty),
            Event::Eof => return Err("unclosed value".into()),
            _ => Cow::Borrowed(&b""[..]),
        };
        r.read_to_end(e.name()).map_err(xml_err)?;
        match t {
            Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).map_err(xml_err)?),
            Cow::Owned(b) => Cow::Owned(String::from_utf8(b).map_err(xml_err)?),
        }
    } else {
        content(r, e.name().as_ref(), false)?
    };
    let shown = match style {
        Some(s) => {
            let id = std::str::from_utf8(s)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .unwrap_or(0);
            book.styles.get(id).copied()
        }
        None => Some(Shown::Number),
    };
    Ok(match ty {
        Some(b"s") => {
            if text.is_empty() {
                return Ok(Value::Empty);
            }
            let i = text.parse::<usize>().unwrap_or(0);
            let s = book
                .strings
                .get(i)
                .ok_or("shared string index out of range")?;
            Value::Text(Cow::Borrowed(s))
        }
        Some(b"b") => match text.trim() {
            "" => Value::Empty,
            "0" => Value::Bool(false),
            "1" => Value::Bool(true),
            t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
            t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
            _ => return Err("bad boolean".into()),
        },
        Some(b"d") => Value::Text(text),
        Some(b"e") => Value::Error(text.parse().map_err(|_| "bad error value")?),
        Some(b"str") => Value::Text(unescape_x(text)),
        Some(b"n") | None => {
            if text.is_empty() {
                return Ok(Value::Empty);
            }
            match text.parse::<f64>() {
                Ok(n) => match shown {
                    Some(Shown::DateTime) => Value::Date(ExcelDateTime::new(
                        n,
                        ExcelDateTimeType::DateTime,
                        book.is_1904,
                    )),
                    Some(Shown::TimeDelta) => Value::Date(ExcelDateTime::new(
                        n,
                        ExcelDateTimeType::TimeDelta,
                        book.is_1904,
                    )),
                    _ => Value::Float(n),
                },
                Err(_) if ty.is_none() => Value::Text(text),
                Err(_) => return Err("bad number".into()),
            }
        }
        Some(_) => return Err("unknown cell type".into()),
    })
}
