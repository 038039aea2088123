//! Text in a workbook's XML as calamine reads it: string items (shared or
//! inline, plain or rich), an element's text with its entities, Excel's
//! `_xHHHH_` escapes; and the reader and attribute helpers all the parts
//! share.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, name::QName};

use super::Unusual;

/// A reader over a whole part, configured as calamine's.
pub(super) fn reader(xml: &[u8]) -> Reader<&[u8]> {
    let mut r = Reader::from_reader(xml);
    let c = r.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    r
}

pub(super) fn xml_err(e: impl std::fmt::Display) -> Unusual {
    format!("XML: {e}")
}

/// An attribute, by its full name.
pub(super) fn attr<'a>(e: &'a BytesStart, key: &[u8]) -> Option<Attribute<'a>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
}

/// An attribute's raw (still escaped) value, by its full name.
pub(super) fn raw_attr<'a>(e: &'a BytesStart, key: &[u8]) -> Option<Cow<'a, [u8]>> {
    attr(e, key).map(|a| a.value)
}

/// The text of a string item (`<si>` or `<is>`, up to `closing`): its
/// `<t>`, or its runs' `<t>` joined, leaving out phonetic runs (`<rPh>`);
/// each `<t>` trimmed of ASCII white space unless it preserves space, then
/// Excel's `_xHHHH_` escapes undone. Borrowed where the XML's text is.
pub(super) fn rich_text<'a>(
    r: &mut Reader<&'a [u8]>,
    closing: QName,
) -> Result<Option<Cow<'a, str>>, Unusual> {
    let mut out: Option<Cow<'a, str>> = None;
    let mut phonetic = false;
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"r" && out.is_none() => {
                out = Some(Cow::Borrowed(""));
            }
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Event::End(e) if e.name() == closing => {
                return Ok(Some(out.unwrap_or(Cow::Borrowed(""))));
            }
            Event::End(e) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == b"t" && !phonetic => {
                let preserve =
                    raw_attr(&e, b"xml:space").is_some_and(|v| v.as_ref() == b"preserve");
                let text = content(r, e.name().as_ref(), true)?;
                let text = if preserve { text } else { trim(text) };
                let text = unescape_x(text);
                out = Some(match out {
                    None => text,
                    Some(s) if s.is_empty() => text,
                    Some(s) => Cow::Owned(s.into_owned() + &text),
                });
            }
            Event::Eof => return Err("unclosed string item".into()),
            _ => {}
        }
    }
}

/// The text of an element up to its end (`end`): its text pieces with
/// entities resolved (and CDATA sections, where `cdata`), joined.
pub(super) fn content<'a>(
    r: &mut Reader<&'a [u8]>,
    end: &[u8],
    cdata: bool,
) -> Result<Cow<'a, str>, Unusual> {
    let mut out: Option<Cow<'a, str>> = None;
    let push = |out: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>| {
        *out = Some(match out.take() {
            None => piece,
            Some(s) => Cow::Owned(s.into_owned() + &piece),
        });
    };
    loop {
        match r.read_event().map_err(xml_err)? {
            Event::Text(t) => push(&mut out, t.xml10_content().map_err(xml_err)?),
            Event::CData(t) if cdata => push(&mut out, t.xml10_content().map_err(xml_err)?),
            Event::GeneralRef(g) => {
                let name = g.decode().map_err(xml_err)?;
                let c = match quick_xml::escape::resolve_xml_entity(&name) {
                    Some(s) => s.to_string(),
                    None => match g.resolve_char_ref().map_err(xml_err)? {
                        Some(c) => c.to_string(),
                        None => return Err(format!("unknown entity &{name};")),
                    },
                };
                push(&mut out, Cow::Owned(c));
            }
            Event::End(e) if e.name().as_ref() == end => {
                return Ok(out.unwrap_or(Cow::Borrowed("")));
            }
            Event::Eof => return Err("unclosed element".into()),
            _ => {}
        }
    }
}

fn trim(s: Cow<'_, str>) -> Cow<'_, str> {
    const WS: [char; 4] = [' ', '\t', '\r', '\n'];
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim_matches(WS)),
        Cow::Owned(o) => Cow::Owned(o.trim_matches(WS).to_string()),
    }
}

/// Undoes Excel's `_xHHHH_` escapes (a UTF-16 code unit each; a pair of
/// them for a character beyond the BMP; `_x005F_` for a literal `_`). A
/// lone surrogate becomes U+FFFD.
pub(super) fn unescape_x(s: Cow<'_, str>) -> Cow<'_, str> {
    let unit = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    let first = s
        .match_indices('_')
        .map(|(i, _)| i)
        .find(|&i| unit(&s, i).is_some());
    let Some(mut i) = first else {
        return s;
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    while i < s.len() {
        let Some(u) = unit(&s, i) else {
            i += 1;
            continue;
        };
        out.push_str(&s[copied..i]);
        i += 7;
        let c = match u {
            0xD800..=0xDBFF => match unit(&s, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    i += 7;
                    char::from_u32(
                        0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    )
                }
                _ => None,
            },
            _ => char::from_u32(u32::from(u)),
        };
        out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        copied = i;
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}
