//! Diagnostics with source positions, and values that keep theirs.
//!
//! Every problem found in a TOML file of govtrust's (a scheme, a calendar)
//! is reported as a [`Diagnostic`] naming the file, the 1-based line and
//! column, what was found and, where we can tell, a hint. Validation
//! collects all of them before failing, so an author fixes a file in one
//! pass. [`S`] is a value with its byte span in the text, [`Ordered`] a
//! table kept in the order it was written.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// One problem, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n    hint: {h}")?;
        }
        Ok(())
    }
}

/// A list of diagnostics, displayed one per line.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// A source file's text, to turn byte offsets into line and column.
///
/// `text` is what the parser reads: the file as written, except that bare
/// keys with Chinese characters (`map = { 一般 = 2 }`, as docs/scheme.md writes
/// them; TOML itself allows only ASCII bare keys) are put in quotes. Byte
/// offsets into `text` are mapped back to the file as written.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    original: String,
    line_starts: Vec<usize>,
    /// Offsets in `text` where a quote was inserted.
    inserted: Vec<usize>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, original: String) -> Self {
        let (text, inserted) = quote_unicode_keys(&original);
        let mut line_starts = vec![0];
        line_starts.extend(original.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            path: path.into(),
            text,
            original,
            line_starts,
            inserted,
        }
    }

    /// 1-based (line, column) of a byte offset into `text`; the column
    /// counts characters of the file as written.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let shift = self.inserted.partition_point(|&i| i < offset);
        let offset = (offset - shift).min(self.original.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.original[start..offset].chars().count() + 1;
        (line + 1, column)
    }

    pub fn diag(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.position(offset);
        Diagnostic {
            file: self.path.clone(),
            line,
            column,
            message: message.into(),
            hint: None,
        }
    }
}

impl Diagnostic {
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Set the hint in place (for diagnostics already pushed).
    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hint = Some(hint.into());
        self
    }

    /// A diagnostic about a whole file (line 1, column 1).
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message: message.into(),
            hint: None,
        }
    }
}

/// Quote bare TOML keys that contain non-ASCII characters. A key is a run
/// of letters, digits, `_` and `-` (with at least one non-ASCII character)
/// that follows a line start, `{`, `,`, `[` or `.` and precedes `=`, `.`
/// or `]`. Strings and comments are left alone. Returns the new text and
/// the offsets (in it) of the inserted quotes.
fn quote_unicode_keys(src: &str) -> (String, Vec<usize>) {
    if src.is_ascii() {
        return (src.to_string(), Vec::new());
    }
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = String::with_capacity(src.len() + 16);
    let mut inserted = Vec::new();
    let mut prev = '\n';
    let mut i = 0;
    let key_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    while i < chars.len() {
        let (_, c) = chars[i];
        match c {
            '#' => {
                while i < chars.len() && chars[i].1 != '\n' {
                    out.push(chars[i].1);
                    i += 1;
                }
                continue;
            }
            '"' | '\'' => {
                let triple = i + 2 < chars.len() && chars[i + 1].1 == c && chars[i + 2].1 == c;
                let len = if triple { 3 } else { 1 };
                for k in 0..len {
                    out.push(chars[i + k].1);
                }
                i += len;
                while i < chars.len() {
                    let d = chars[i].1;
                    if d == '\\' && c == '"' && i + 1 < chars.len() {
                        out.push(d);
                        out.push(chars[i + 1].1);
                        i += 2;
                        continue;
                    }
                    if d == c
                        && (!triple
                            || (i + 2 < chars.len() && chars[i + 1].1 == c && chars[i + 2].1 == c))
                    {
                        for k in 0..len {
                            out.push(chars[i + k].1);
                        }
                        i += len;
                        break;
                    }
                    if d == '\n' && !triple {
                        break;
                    }
                    out.push(d);
                    i += 1;
                }
                prev = c;
                continue;
            }
            _ if key_char(c) => {
                let start = i;
                while i < chars.len() && key_char(chars[i].1) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().map(|x| x.1).collect();
                let next = chars[i..]
                    .iter()
                    .map(|x| x.1)
                    .find(|c| !matches!(c, ' ' | '\t'));
                let is_key = matches!(prev, '\n' | '{' | ',' | '[' | '.')
                    && matches!(next, Some('=' | '.' | ']'));
                if is_key && !word.is_ascii() {
                    inserted.push(out.len());
                    out.push('"');
                    out.push_str(&word);
                    inserted.push(out.len());
                    out.push('"');
                } else {
                    out.push_str(&word);
                }
                prev = 'a';
                continue;
            }
            _ => {
                out.push(c);
                if !matches!(c, ' ' | '\t' | '\r') {
                    prev = c;
                }
            }
        }
        i += 1;
    }
    (out, inserted)
}

/// The closest candidate by edit distance, for "did you mean" hints.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "a, b, c" (at most `max` items, then "...").
pub fn list(items: impl IntoIterator<Item = impl AsRef<str>>, max: usize) -> String {
    let mut out = Vec::new();
    let mut more = false;
    for (i, it) in items.into_iter().enumerate() {
        if i == max {
            more = true;
            break;
        }
        out.push(it.as_ref().to_string());
    }
    let mut s = out.join(", ");
    if more {
        s.push_str(", ...");
    }
    s
}

/// A value with its byte span in the TOML text (a transparent wrapper of
/// `toml::Spanned`, so that the JSON schema of the format can describe it
/// as the bare value).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct S<T>(Spanned<T>);

impl<T> S<T> {
    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }
    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        T::json_schema(g)
    }
}

impl<V: JsonSchema> JsonSchema for Ordered<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Table_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": g.subschema_for::<V>() })
    }
}

/// A TOML table kept in the order it was written (for declared columns).
#[derive(Debug, Clone)]
pub struct Ordered<V>(pub Vec<(S<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<S<String>, V>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_chars() {
        let s = Source::new("a.toml", "ab\n中文x\n".to_string());
        assert_eq!(s.position(0), (1, 1));
        assert_eq!(s.position(3), (2, 1));
        // "中文" is 6 bytes: byte 9 is the 'x', the 3rd character of line 2.
        assert_eq!(s.position(9), (2, 3));
    }

    #[test]
    fn chinese_bare_keys_are_quoted_and_positions_kept() {
        let src = "map = { 一般 = 2, 较重 = 5 } # 一般 = 3\nname = \"一般 = x\"\n严重 = 1\n";
        let s = Source::new("a.toml", src.to_string());
        assert_eq!(
            s.text,
            "map = { \"一般\" = 2, \"较重\" = 5 } # 一般 = 3\nname = \"一般 = x\"\n\"严重\" = 1\n"
        );
        let v: toml::Table = toml::from_str(&s.text).unwrap();
        assert_eq!(v["map"]["较重"].as_integer(), Some(5));
        // The offset of `严重` in the new text maps to line 3, column 1.
        let at = s.text.find("\"严重").unwrap();
        assert_eq!(s.position(at + 1), (3, 1));
    }

    #[test]
    fn suggest_finds_close_words() {
        assert_eq!(suggest("citzen", ["citizen", "business"]), Some("citizen"));
        assert_eq!(suggest("zzz", ["citizen", "business"]), None);
    }
}
