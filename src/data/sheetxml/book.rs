//! The workbook parts a sheet's cells need: where the sheet is, the
//! shared strings, which cell styles show dates, and the date epoch. Each
//! rule follows calamine's reading of the same part (the reader govtrust
//! falls back to), so both give a cell the same value; anything this
//! reader does not expect is [`Unusual`] and sends the file to calamine.

use std::collections::HashMap;
use std::io::{Read, Seek};

use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::Unusual;
use super::cut::Cutter;
use super::text::{attr, raw_attr, reader, rich_text, xml_err};

/// What a number's cell style makes of it (calamine's `CellFormat`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Shown {
    Number,
    DateTime,
    TimeDelta,
}

/// The parts of the workbook the sheet's cells refer to.
pub(super) struct Book {
    /// The sheet's part in the archive.
    pub sheet: String,
    pub strings: Vec<String>,
    /// What each cell style (`<xf>` of `cellXfs`, by index) shows.
    pub styles: Vec<Shown>,
    pub is_1904: bool,
}

/// Reads the parts for the sheet named, or the first.
/// Shared strings are read in pieces of `size` bytes.
pub(super) fn open<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    sheet: Option<&str>,
    size: usize,
) -> Result<Book, Unusual> {
    let root = part(zip, "_rels/.rels")?.ok_or("no _rels/.rels")?;
    let doc = relationships(&root)?
        .into_values()
        .find(|(_, ty)| ty.ends_with("/relationships/officeDocument"))
        .ok_or("no office document relationship")?
        .0;
    let (dir, name) = doc.split_at(doc.rfind('/').map_or(0, |i| i + 1));
    let dir = dir.strip_prefix('/').unwrap_or(dir);
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    let rels = part(zip, &format!("{dir}_rels/{name}.rels"))?.ok_or("no workbook rels")?;
    let rels = relationships(&rels)?;
    let wb = part(zip, &format!("{dir}{name}"))?.ok_or("no workbook part")?;
    let (sheets, is_1904) = workbook(&wb)?;
    let (_, id) = match sheet {
        Some(s) => sheets.into_iter().find(|(n, _)| n == s),
        None => sheets.into_iter().next(),
    }
    .ok_or("sheet not found")?;
    let (target, ty) = rels.get(&id).ok_or("sheet relationship not found")?;
    if !ty.ends_with("/worksheet") {
        return Err(format!("not a worksheet: {ty}"));
    }
    let sheet = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{dir}{target}"),
    };
    let strings = match entry(zip, &format!("{dir}sharedStrings.xml")) {
        Some(name) => shared_strings(&mut zip.by_name(&name).map_err(|e| e.to_string())?, size)?,
        None => Vec::new(),
    };
    let styles = match part(zip, &format!("{dir}styles.xml"))? {
        Some(x) => styles(&x)?,
        None => Vec::new(),
    };
    Ok(Book {
        sheet,
        strings,
        styles,
        is_1904,
    })
}

/// The archive's name for `path`: as written, or matched without regard
/// to case and with `\` read as `/` (as calamine finds parts).
pub(super) fn entry<R: Read + Seek>(zip: &ZipArchive<R>, path: &str) -> Option<String> {
    if zip.index_for_name(path).is_some() {
        return Some(path.to_string());
    }
    let want = path.to_lowercase();
    zip.file_names()
        .filter_map(Result::ok)
        .find(|n| n.replace('\\', "/").to_lowercase() == want)
        .map(|n| n.into_owned())
}

fn part<R: Read + Seek>(zip: &mut ZipArchive<R>, path: &str) -> Result<Option<Vec<u8>>, Unusual> {
    let Some(name) = entry(zip, path) else {
        return Ok(None);
    };
    let mut f = zip.by_name(&name).map_err(|e| e.to_string())?;
    let mut v = Vec::new();
    f.read_to_end(&mut v).map_err(|e| e.to_string())?;
    Ok(Some(v))
}

fn attr_text(e: &BytesStart, key: &[u8]) -> Result<Option<String>, Unusual> {
    match attr(e, key) {
        Some(a) => Ok(Some(a.unescape_value().map_err(xml_err)?.into_owned())),
        None => Ok(None),
    }
}

/// Relationship id → (target, type).
fn relationships(xml: &[u8]) -> Result<HashMap<String, (String, String)>, Unusual> {
    let mut r = reader(xml);
    let mut out = HashMap::new();
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                if let Some(id) = attr_text(&e, b"Id")? {
                    let target = attr_text(&e, b"Target")?.unwrap_or_default();
                    let ty = attr_text(&e, b"Type")?.unwrap_or_default();
                    out.insert(id, (target, ty));
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The sheets (name, relationship id), in order, and the date epoch.
fn workbook(xml: &[u8]) -> Result<(Vec<(String, String)>, bool), Unusual> {
    let mut r = reader(xml);
    let (mut sheets, mut is_1904) = (Vec::new(), false);
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                let name = attr_text(&e, b"name")?.unwrap_or_default();
                let id = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"id")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
                sheets.push((name, id));
            }
            Event::Start(e) if e.local_name().as_ref() == b"workbookPr" => {
                if let Some(v) = raw_attr(&e, b"date1904") {
                    is_1904 = v.as_ref() == b"1" || v.as_ref() == b"true";
                }
            }
            Event::Eof => return Ok((sheets, is_1904)),
            _ => {}
        }
    }
}

/// The shared strings, in order: the part cut before `<si` and the
/// pieces read side by side (a workbook of unique ticket numbers holds
/// one string per ticket).
fn shared_strings(file: &mut impl Read, size: usize) -> Result<Vec<String>, Unusual> {
    let mut out = Vec::new();
    for strings in Cutter::new(b"<si").read_rest(file, size, |xml| strings_in(&xml))? {
        out.extend(strings?);
    }
    Ok(out)
}

fn strings_in(xml: &[u8]) -> Result<Vec<String>, Unusual> {
    let mut r = reader(xml);
    r.config_mut().allow_unmatched_ends = true;
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                if let Some(s) = rich_text(&mut r, e.name())? {
                    out.push(s.into_owned());
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// What each cell style shows: its number format's id looked up among the
/// workbook's own formats, else among Excel's built-in ones.
fn styles(xml: &[u8]) -> Result<Vec<Shown>, Unusual> {
    let mut r = reader(xml);
    let mut formats: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"numFmt" => {
                if let (Some(id), Some(code)) =
                    (attr_text(&e, b"numFmtId")?, attr_text(&e, b"formatCode")?)
                {
                    formats.insert(id, code);
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = true,
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            Event::Start(e) if in_xfs && e.local_name().as_ref() == b"xf" => {
                out.push(match raw_attr(&e, b"numFmtId") {
                    None => Shown::Number,
                    Some(id) => {
                        let id = String::from_utf8_lossy(&id).into_owned();
                        match formats.get(&id) {
                            Some(code) => custom_format(code),
                            None => builtin_format(&id),
                        }
                    }
                });
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Excel's built-in formats that show dates and times (ECMA-376 18.8.30,
/// and the East Asian ones 27-36 and 50-58, 年/月/日 among them).
fn builtin_format(id: &str) -> Shown {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => {
            Shown::DateTime
        }
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51"
        | "52" | "53" | "54" | "55" | "56" | "57" | "58" => Shown::DateTime,
        "46" => Shown::TimeDelta,
        _ => Shown::Number,
    }
}

/// Does a format code show a date or time (its first section: a date or
/// time letter outside quotes, escapes and brackets), or a duration
/// (`[h]`, `[mm]`, `[ss]`)? calamine's rule, written out here because
/// calamine keeps it private.
fn custom_format(code: &str) -> Shown {
    let (mut escaped, mut quoted, mut brackets) = (false, false, 0u8);
    let (mut prev, mut hms, mut ap) = (' ', false, false);
    for c in code.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => (),
            ('"', ..) => quoted = true,
            (';', ..) => return Shown::Number,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Shown::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Shown::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Shown::DateTime;
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    Shown::Number
}
