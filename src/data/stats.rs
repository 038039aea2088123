//! What a Parquet file's own statistics prove about its columns, so that
//! the checks they show cannot fail are left out of the pass.
//!
//! A Parquet writer records, per row group and column, the number of
//! nulls and the least and greatest value (for text, in the byte order of
//! its UTF-8, the "type-defined order" of the format since 2.4). Over the
//! whole file: no row group has a null, so no value is empty; the least
//! text is not "", so none is ""; the least text is at least `!` and the
//! range misses U+3000, so no text is led by whitespace (the fast
//! parser's test, see [`super::checks::checks`]). A fact is proven only if
//! every row group states it; a column without statistics, with the
//! legacy (signed) order, or read from a file whose footer cannot be read
//! here proves nothing, and every check stays. A writer may shorten a long
//! least or greatest value; the shortened ones still bound the values
//! (a prefix of the least, a successor of the greatest), which is all a
//! proof here needs.

use std::collections::HashMap;

use polars_parquet::parquet::metadata::{FileMetadata, SortOrder};
use polars_parquet::parquet::statistics::Statistics;

/// What the statistics prove about one column, over every row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Proven {
    /// No value is null.
    pub no_nulls: bool,
    /// No text is "" (text columns only).
    pub no_empty_text: bool,
    /// No text starts with a byte below `!` or with U+3000 (text only).
    pub no_leading_space: bool,
}

/// The columns' proofs, by name; columns that prove nothing are left out.
pub type Proofs = HashMap<String, Proven>;

/// The proofs for the top-level columns of a Parquet file (its bytes);
/// none if its footer cannot be read (the scan then reports the file's
/// error).
pub fn parquet_proofs(file: &[u8]) -> Proofs {
    let mut cursor = std::io::Cursor::new(file);
    let Ok(md) = polars_parquet::parquet::read::read_metadata(&mut cursor) else {
        return Proofs::new();
    };
    md.schema()
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.path_in_schema.len() == 1)
        .filter_map(|(leaf, c)| {
            let name = c.path_in_schema[0].as_str();
            Some((name.to_string(), column_proof(&md, leaf, name)?))
        })
        .filter(|(_, p)| *p != Proven::default())
        .collect()
}

/// The rows of each row group of a Parquet file (its bytes), in order;
/// none if its footer cannot be read (the scan then reports the file's
/// error).
pub fn row_group_rows(file: &[u8]) -> Vec<u64> {
    let mut cursor = std::io::Cursor::new(file);
    match polars_parquet::parquet::read::read_metadata(&mut cursor) {
        Ok(md) => md.row_groups.iter().map(|g| g.num_rows() as u64).collect(),
        Err(_) => Vec::new(),
    }
}

/// The least and greatest text of a column so far, and its nulls.
struct Bounds {
    nulls: bool,
    /// `None` once a row group lacks a bound or the order is not bytes'.
    text: Option<(Vec<u8>, Vec<u8>)>,
}

/// What the row groups' statistics prove about top-level column `name`,
/// the file's `leaf`-th column.
fn column_proof(md: &FileMetadata, leaf: usize, name: &str) -> Option<Proven> {
    let bytewise = md.column_order(leaf).sort_order() == SortOrder::Unsigned;
    let mut b = Bounds {
        nulls: false,
        text: None,
    };
    for (g, rg) in md.row_groups.iter().enumerate() {
        let mut chunks = rg.columns_under_root_iter(name)?;
        let (Some(chunk), None) = (chunks.next(), chunks.next()) else {
            return None;
        };
        let stats = match chunk.statistics(&md.footer_buf) {
            Some(Ok(s)) => s,
            _ => return None,
        };
        let (nulls, text) = match &stats {
            Statistics::Binary(s) => (s.null_count, Some((&s.min_value, &s.max_value))),
            Statistics::Boolean(s) => (s.null_count, None),
            Statistics::FixedLen(s) => (s.null_count, None),
            Statistics::Int32(s) => (s.null_count, None),
            Statistics::Int64(s) => (s.null_count, None),
            Statistics::Int96(s) => (s.null_count, None),
            Statistics::Float(s) => (s.null_count, None),
            Statistics::Double(s) => (s.null_count, None),
        };
        // An unknown null count may hide nulls.
        b.nulls |= nulls.is_none_or(|n| n > 0);
        let bounds = match text {
            Some((Some(lo), Some(hi))) if bytewise => Some((lo.clone(), hi.clone())),
            _ => None,
        };
        b.text = match (g, b.text, bounds) {
            (0, _, now) => now,
            (_, Some((lo, hi)), Some((l, h))) => Some((lo.min(l), hi.max(h))),
            _ => None,
        };
    }
    Some(prove(&b))
}

/// The facts the bounds give (see the module's doc).
fn prove(b: &Bounds) -> Proven {
    let (no_empty_text, no_leading_space) = match &b.text {
        Some((lo, hi)) => {
            let ideographic: &[u8] = "\u{3000}".as_bytes();
            let after: &[u8] = "\u{3001}".as_bytes();
            let misses_ideographic = hi.as_slice() < ideographic || lo.as_slice() >= after;
            (
                !lo.is_empty(),
                lo.as_slice() >= b"!".as_slice() && misses_ideographic,
            )
        }
        None => (false, false),
    };
    Proven {
        no_nulls: !b.nulls,
        no_empty_text,
        no_leading_space,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lo: &str, hi: &str, nulls: bool) -> Proven {
        prove(&Bounds {
            nulls,
            text: Some((lo.as_bytes().to_vec(), hi.as_bytes().to_vec())),
        })
    }

    /// Worked bounds: ticket numbers "T0000001".."T9999999" lie between
    /// `!` and U+3000; Chinese categories "咨询".."投诉" (U+54A8..U+6295)
    /// lie above U+3001; a least value " x" (a space) or "" and a range
    /// over U+3000 prove nothing about leading whitespace.
    #[test]
    fn bounds_prove_what_they_exclude() {
        let all = Proven {
            no_nulls: true,
            no_empty_text: true,
            no_leading_space: true,
        };
        assert_eq!(text("T0000001", "T9999999", false), all);
        assert_eq!(text("咨询", "投诉", false), all);
        // One null somewhere: only the text facts hold.
        assert!(!text("T1", "T2", true).no_nulls);
        assert!(text("T1", "T2", true).no_leading_space);
        // " x" < "!": a value may start with a space.
        let spaced = text(" x", "T2", false);
        assert!(spaced.no_empty_text && !spaced.no_leading_space);
        // "" is the least value: empty text is possible, and so (being
        // below "!") is a leading space.
        let empty = text("", "T2", false);
        assert!(!empty.no_empty_text && !empty.no_leading_space);
        // "A" .. "中": U+3000 ("\u{3000}x") lies in between.
        assert!(!text("A", "中", false).no_leading_space);
        // Just below the ideographic space ("〿" is U+303F, above it).
        assert!(text("A", "\u{2fff}", false).no_leading_space);
        assert!(!text("A", "\u{3000}", false).no_leading_space);
        assert!(text("\u{3001}", "\u{303f}", false).no_leading_space);
        // No bounds (a typed column, or a legacy order): nulls only.
        let typed = prove(&Bounds {
            nulls: false,
            text: None,
        });
        assert_eq!(
            typed,
            Proven {
                no_nulls: true,
                ..Proven::default()
            }
        );
    }
}
