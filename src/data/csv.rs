//! CSV files: the text (UTF-8 mapped as is, or GB18030 and UTF-16
//! decoded), its structure scanned ([`super::csvscan`]), and polars'
//! lazy reader over the well-formed records only.

use std::path::Path;

use polars::prelude::*;

use super::DataError;
use super::csvscan::Scan;
use super::table::{
    CsvRows, CsvText, GBK_HINT, LineMap, Malformed, Opened, ROW, Subset, Wanted, pick, polars_err,
};
use crate::scheme::Encoding;

/// The text polars reads: the mapped file itself (UTF-8), or a decoded
/// copy (GB18030, UTF-16); `mapped` says which.
struct Text {
    bytes: Arc<dyn AsRef<[u8]> + Send + Sync>,
    mapped: bool,
    delimiter: u8,
}

/// A byte range of a shared text, for polars without a copy.
pub(super) struct Slice {
    pub(super) text: Arc<dyn AsRef<[u8]> + Send + Sync>,
    pub(super) range: std::ops::Range<usize>,
}

impl AsRef<[u8]> for Slice {
    fn as_ref(&self) -> &[u8] {
        &(*self.text).as_ref()[self.range.clone()]
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
    let decoded = |v: Vec<u8>, delimiter| Text {
        bytes: Arc::new(v),
        mapped: false,
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
        let (text, had_errors) = enc.decode_with_bom_removal(&map);
        if had_errors {
            return Err(err(format!(
                "the file starts with a {name} byte-order mark but is not valid {name} text"
            )));
        }
        let text = text.into_owned().into_bytes();
        let first = &text[..memchr::memchr(b'\n', &text).unwrap_or(text.len())];
        let tab = first.contains(&b'\t') && !first.contains(&b',');
        return Ok(decoded(text, if tab { b'\t' } else { b',' }));
    }
    match encoding {
        Encoding::Utf8 => Ok(Text {
            bytes: map,
            mapped: true,
            delimiter: b',',
        }),
        Encoding::Gb18030 => {
            if !map.is_ascii() && std::str::from_utf8(&map).is_ok() {
                return Err(err(
                    "declared encoding = \"gb18030\", but the file is UTF-8 text (all of it is valid UTF-8, Chinese included): read as GB18030 every Chinese value would be garbled; hint: remove the line encoding = \"gb18030\" from the dataset in the scheme".into(),
                ));
            }
            let (s, _, had_errors) = encoding_rs::GB18030.decode(&map);
            if had_errors {
                return Err(err("the file is not valid GB18030 text".into()));
            }
            Ok(decoded(s.into_owned().into_bytes(), b','))
        }
    }
}

pub(super) fn read_csv(
    shown: &Path,
    path: &Path,
    map: Arc<memmap2::Mmap>,
    encoding: Encoding,
    dataset: &str,
    wanted: &Wanted,
) -> Result<Opened, DataError> {
    let mut t = crate::Stopwatch::new(format!("{dataset} csv"));
    let err = |message: String| DataError::Read {
        path: shown.to_path_buf(),
        message,
    };
    let text = decode(shown, map, encoding)?;
    let bytes = (*text.bytes).as_ref();
    let scan = super::csvscan::scan(bytes, text.delimiter).map_err(|e| err(e.to_string()))?;
    t.lap("scan");
    if scan.header.iter().any(|h| h.contains('\u{FFFD}')) {
        return Err(err(format!("the header is not UTF-8 text{GBK_HINT}")));
    }
    let cols = pick(shown, dataset, &scan.header, wanted)?;
    let lf = if scan.skipped.is_empty() && text.mapped {
        // The usual case: the file as it is, scanned by polars itself.
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
    let lf = lf
        .select(cols.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
        .with_row_index(ROW, None);
    let schema: Schema = cols
        .iter()
        .map(|c| (c.as_str().into(), DataType::String))
        .collect();
    Ok(Opened {
        lf,
        schema,
        lines: LineMap::from_pieces(scan.pieces.clone(), scan.rows),
        malformed: malformed(bytes, &scan),
        blank_lines: scan.blank_lines(),
        subset: Subset::Csv(CsvRows {
            text: if text.mapped {
                CsvText::File(path.to_path_buf())
            } else {
                CsvText::Memory(text.bytes.clone())
            },
            delimiter: text.delimiter,
            header: scan.header.clone(),
            cols,
            index: Default::default(),
        }),
    })
}

/// The lines that are not records, as rejects will show them (the line
/// as written, up to 120 characters).
fn malformed(bytes: &[u8], scan: &Scan) -> Vec<Malformed> {
    scan.malformed()
        .map(|k| {
            let raw = String::from_utf8_lossy(&bytes[k.start..k.end]);
            let raw = raw.trim_end_matches(['\r', '\n']);
            let mut text: String = raw.chars().take(120).collect();
            if raw.chars().count() > 120 {
                text.push('…');
            }
            Malformed {
                line: k.line,
                text,
                reason: k.problem.reason(),
            }
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
    let bytes = (*text.bytes).as_ref();
    let whole = scan.skipped.is_empty();
    let ranges = if whole {
        std::iter::once(0..bytes.len()).collect()
    } else {
        scan.segments(bytes.len())
    };
    let buffers: Vec<polars_buffer::Buffer<u8>> = ranges
        .into_iter()
        .map(|range| {
            polars_buffer::Buffer::from_owner(Slice {
                text: text.bytes.clone(),
                range,
            })
        })
        .collect();
    let schema = header_schema(&scan.header);
    if buffers.is_empty() {
        return Ok(DataFrame::empty_with_schema(&schema).lazy());
    }
    let r = LazyCsvReader::new_with_sources(ScanSources::Buffers(buffers.into()))
        .with_separator(text.delimiter);
    let r = if whole {
        r.with_has_header(true).with_infer_schema_length(Some(0))
    } else {
        r.with_has_header(false).with_schema(Some(Arc::new(schema)))
    };
    r.finish()
}
