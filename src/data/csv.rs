//! CSV files: the text (UTF-8 or GB18030 mapped as is, UTF-16 decoded
//! into a copy), its structure scanned ([`super::csvscan`]), and the
//! well-formed records read window by window (a GB18030 window's records
//! decoded as they are read, [`super::transcode`]).

use std::path::Path;

use polars::prelude::*;

use super::DataError;
use super::csvscan::Scan;
use super::fields::Read;
use super::header::pick;
use super::table::{
    CsvRows, CsvText, CsvWindow, GBK_HINT, LineMap, Malformed, Opened, ROW, Subset, Wanted, Window,
    polars_err,
};
use crate::scheme::Encoding;

/// The text the windows read, mapped: the file itself (UTF-8, GB18030),
/// or a UTF-16 file's decoded copy in an unnamed temporary file
/// ([`super::transcode`]); each window lets its pages go.
struct Text {
    map: Arc<memmap2::Mmap>,
    /// The decoded copy's temporary file; none when the text is the file
    /// itself.
    decoded: Option<Arc<std::fs::File>>,
    /// The encoding of the text, where it is not UTF-8: GB18030 (or the
    /// UTF-8 its byte-order mark says, as `Encoding::decode` has it), its
    /// records decoded as they are read.
    enc: Option<&'static encoding_rs::Encoding>,
    delimiter: u8,
}

impl Text {
    /// The pages of `range`, to let go once read.
    fn pages(&self, range: std::ops::Range<usize>) -> super::pages::Pages {
        super::pages::Pages {
            map: self.map.clone(),
            range,
        }
    }
}

/// A byte range of a shared text, for polars without a copy.
struct Slice {
    text: Arc<memmap2::Mmap>,
    range: std::ops::Range<usize>,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &self.text[self.range.clone()]
    }
}

/// The file's text as UTF-8, by its declared encoding and its byte-order
/// mark (which wins: a UTF-16 file is what Excel's "Unicode text" export
/// writes), and the delimiter: `,`, or a tab for a UTF-16 file whose
/// header has tabs and no commas (that same export).
fn decode(shown: &Path, map: Arc<memmap2::Mmap>, encoding: Encoding) -> Result<Text, DataError> {
    let err = |message: String| DataError::Read {
        path: shown.to_path_buf(),
        message,
    };
    let copy = |encoding| {
        super::transcode::transcode(&map, encoding).map_err(|e| {
            err(format!(
                "cannot write its UTF-8 copy to a temporary file: {e}; hint: set TMPDIR to a directory with room for a copy of the file"
            ))
        })
    };
    let decoded = |d: super::transcode::Decoded, delimiter| Text {
        map: d.map,
        decoded: Some(d.file),
        enc: None,
        delimiter,
    };
    let utf16 = if map.starts_with(b"\xFF\xFE") {
        Some(encoding_rs::UTF_16LE)
    } else if map.starts_with(b"\xFE\xFF") {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    if let Some(enc) = utf16 {
        let name = enc.name();
        if encoding == Encoding::Gb18030 {
            return Err(err(format!(
                "declared encoding = \"gb18030\", but the file starts with a {name} byte-order mark; hint: remove the encoding line (a file with a UTF-16 byte-order mark is read as UTF-16)"
            )));
        }
        let text = copy(enc)?;
        if text.had_errors {
            return Err(err(format!(
                "the file starts with a {name} byte-order mark but is not valid {name} text{}; hint: save it again from the program that made it, as UTF-8 or as UTF-16 throughout",
                super::transcode::first_at(super::transcode::first_malformed(&map, enc))
            )));
        }
        let t = &text.map[..];
        let first = &t[..memchr::memchr(b'\n', t).unwrap_or(t.len())];
        let tab = first.contains(&b'\t') && !first.contains(&b',');
        return Ok(decoded(text, if tab { b'\t' } else { b',' }));
    }
    match encoding {
        Encoding::Utf8 => Ok(Text {
            map,
            decoded: None,
            enc: None,
            delimiter: b',',
        }),
        Encoding::Gb18030 => {
            if !map.is_ascii() && std::str::from_utf8(&map).is_ok() {
                return Err(err(
                    "declared encoding = \"gb18030\", but the file is UTF-8 text (all of it is valid UTF-8, Chinese included): read as GB18030 every Chinese value would be garbled; hint: remove the line encoding = \"gb18030\" from the dataset in the scheme".into(),
                ));
            }
            // BOM sniffing, as `Encoding::decode`: a UTF-8 byte-order
            // mark makes the rest UTF-8 (which the scan leaves out).
            let enc = encoding_rs::Encoding::for_bom(&map).map_or(encoding_rs::GB18030, |e| e.0);
            Ok(Text {
                map,
                decoded: None,
                enc: Some(enc),
                delimiter: b',',
            })
        }
    }
}

pub(super) fn read_csv(
    (shown, path): (&Path, &Path),
    map: Arc<memmap2::Mmap>,
    encoding: Encoding,
    dataset: &str,
    wanted: &Wanted,
    window: usize,
) -> Result<Opened, DataError> {
    let mut t = crate::Stopwatch::new(format!("{dataset} csv"));
    let err = |message: String| DataError::Read {
        path: shown.to_path_buf(),
        message,
    };
    let text = decode(shown, map, encoding)?;
    let bytes = &text.map[..];
    // Window by window: each window's pages go once it is scanned (and
    // again once its query has run, `Window::release`).
    let mut release = |r: std::ops::Range<usize>| text.pages(r).release();
    let mut scan = super::csvscan::scan_windows(bytes, text.delimiter, window, &mut release)
        .map_err(|e| {
            // Bytes that are not text may be what broke the structure (a
            // lead byte before a quote): they are the first thing to fix.
            match text
                .enc
                .and_then(|enc| super::transcode::first_malformed(bytes, enc))
            {
                Some(m) => err(super::transcode::gb18030_error(Some(m))),
                None => err(e.to_string()),
            }
        })?;
    t.lap("scan");
    if let Some(enc) = text.enc {
        // The header's names, from its decoded text (the scan has read
        // the GB18030 bytes as if they were UTF-8); a UTF-8 byte-order
        // mark is decoded as U+FEFF, which the scan leaves out again.
        let mut line = String::new();
        if super::transcode::decode_into(enc, &bytes[..scan.body], &mut line) {
            return Err(err(super::transcode::not_gb18030(bytes)));
        }
        scan.header = super::csvscan::scan(line.as_bytes(), text.delimiter)
            .map_err(|e| err(e.to_string()))?
            .header;
    }
    if scan.header.iter().any(|h| h.contains('\u{FFFD}')) {
        return Err(err(format!("the header is not UTF-8 text{GBK_HINT}")));
    }
    let cols = pick(shown, dataset, &scan.header, wanted)?;
    let pick_cols =
        |lf: LazyFrame| lf.select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
    // Declared columns of a type with one canonical form are read typed
    // (`fields`), the rest as text.
    let read = |c: &str| match wanted {
        Wanted::Declared(d) => d
            .iter()
            .find(|(n, _)| n == c)
            .map_or(Read::Text, |(n, ty)| Read::of(n, *ty)),
        Wanted::All(_) => Read::Text,
    };
    let wanted: Vec<(usize, PlSmallStr, Read)> = cols
        .iter()
        .map(|c| {
            // `pick` has found every wanted column in the header.
            let k = scan.header.iter().position(|h| h == c).expect("picked");
            (k, c.as_str().into(), read(c))
        })
        .collect();
    let lf = if let Some(enc) = text.enc {
        // Its wanted columns as text, as polars' reader would give them.
        let text_cols = wanted.iter().map(|(k, n, _)| (*k, n.clone()));
        super::csvread::decoding(
            (text.map.clone(), text.delimiter, enc),
            &scan,
            text_cols.collect(),
        )
        .map_err(|e| polars_err(shown, e))?
    } else if scan.skipped.is_empty() && text.decoded.is_none() {
        // The file as it is, scanned by polars itself.
        let p = PlRefPath::new(
            path.to_str()
                .ok_or_else(|| err("path is not valid UTF-8".into()))?,
        );
        LazyCsvReader::new(p)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()
            .map_err(|e| polars_err(shown, e))?
    } else {
        from_buffers(&text, &scan).map_err(|e| polars_err(shown, e))?
    };
    let lf = pick_cols(lf).with_row_index(ROW, None);
    let mut windows = Vec::with_capacity(scan.windows.len());
    for w in &scan.windows {
        let first_row = IdxSize::try_from(w.first_row)
            .map_err(|_| err("more rows than this build of govtrust can number".into()))?;
        let read = CsvWindow {
            text: text.map.clone(),
            segments: scan.segments_in(w.bytes.clone()),
            parts: w.parts.clone(),
            wanted: wanted.clone(),
            delimiter: text.delimiter,
            enc: text.enc,
            first_row,
        };
        windows.push(Window::csv(read, text.pages(w.bytes.clone())));
    }
    if windows.is_empty() {
        windows.push(Window::whole(lf.clone()));
    }
    Ok(Opened {
        lf,
        windows,
        lines: LineMap::from_pieces(scan.pieces.clone(), scan.rows),
        malformed: malformed(bytes, &scan, text.enc).map_err(err)?,
        blank_lines: scan.blank_lines(),
        title_rows: 0,
        subset: Subset::Csv(CsvRows {
            text: match &text.decoded {
                None => CsvText::File(path.to_path_buf()),
                Some(file) => CsvText::Decoded(file.clone()),
            },
            enc: text.enc,
            delimiter: text.delimiter,
            header: scan.header.clone(),
            cols,
            index: Default::default(),
        }),
    })
}

/// The lines that are not records, as rejects will show them (the line
/// as written, up to 120 characters; a GB18030 line decoded, an error if
/// it is not GB18030 text).
fn malformed(
    bytes: &[u8],
    scan: &Scan,
    enc: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<Malformed>, String> {
    let mut decoded = String::new();
    scan.malformed()
        .map(|k| {
            let line = &bytes[k.start..k.end];
            let raw = match enc {
                None => String::from_utf8_lossy(line),
                Some(enc) => {
                    if super::transcode::decode_into(enc, line, &mut decoded) {
                        return Err(super::transcode::not_gb18030(bytes));
                    }
                    std::borrow::Cow::Borrowed(decoded.as_str())
                }
            };
            let raw = raw.trim_end_matches(['\r', '\n']);
            let mut text: String = raw.chars().take(120).collect();
            if raw.chars().count() > 120 {
                text.push('…');
            }
            Ok(Malformed {
                line: k.line,
                text,
                reason: k.problem.reason(),
            })
        })
        .collect()
}

/// The header's names as an all-text schema (for records read without
/// their header line).
pub(super) fn header_schema(header: &[String]) -> Schema {
    let mut schema = Schema::default();
    for (k, h) in header.iter().enumerate() {
        // Columns not read may repeat a name: keep them apart.
        let name = if schema.contains(h) {
            format!("{h}\u{0}{k}").into()
        } else {
            h.as_str().into()
        };
        schema.with_column(name, DataType::String);
    }
    schema
}

/// The whole text (decoded), or its well-formed records only, as byte
/// ranges of the text (no copy) under the header's names.
fn from_buffers(text: &Text, scan: &Scan) -> PolarsResult<LazyFrame> {
    let bytes = &text.map[..];
    if scan.skipped.is_empty() {
        let whole = polars_buffer::Buffer::from_owner(Slice {
            text: text.map.clone(),
            range: 0..bytes.len(),
        });
        return LazyCsvReader::new_with_sources(ScanSources::Buffers(vec![whole].into()))
            .with_separator(text.delimiter)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish();
    }
    records(text, scan.segments(bytes.len()), &scan.header)
}

/// The records in these byte ranges of the text (no copy), read without
/// a header line, under the header's names.
fn records(
    text: &Text,
    ranges: Vec<std::ops::Range<usize>>,
    header: &[String],
) -> PolarsResult<LazyFrame> {
    let buffers: Vec<polars_buffer::Buffer<u8>> = ranges
        .into_iter()
        .map(|range| {
            polars_buffer::Buffer::from_owner(Slice {
                text: text.map.clone(),
                range,
            })
        })
        .collect();
    let schema = header_schema(header);
    if buffers.is_empty() {
        return Ok(DataFrame::empty_with_schema(&schema).lazy());
    }
    LazyCsvReader::new_with_sources(ScanSources::Buffers(buffers.into()))
        .with_separator(text.delimiter)
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .finish()
}
