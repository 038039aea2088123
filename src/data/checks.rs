//! The checks a declared column's values must pass, as polars
//! expressions: each a condition and the error code it gives ([`OK`]
//! fine, [`BAD`] a value that is not of the declared type, [`EMPTY`] an
//! empty value where one is required), and what a Parquet file's
//! statistics let the fast form leave out ([`super::stats`]).

use polars::prelude::*;

use super::stats::Proven;
use crate::scheme::ColType;

pub const OK: i32 = 0;
pub const BAD: i32 = 1;
pub const EMPTY: i32 = 2;

/// Is the raw value empty (null, or only spaces for text)?
pub fn is_empty(raw: Expr, from: &DataType) -> Expr {
    if *from == DataType::String {
        raw.clone()
            .is_null()
            .or(raw.str().strip_chars(lit(NULL)).eq(lit("")))
    } else {
        raw.is_null()
    }
}

/// An error code as a typed literal.
pub fn code(c: i32) -> Expr {
    lit(c).cast(DataType::Int32)
}

/// How one column is judged: the type it was read as (`from`), its
/// declared type, whether a value is required, the parser (fast or
/// lenient), whether the typed value is the text as written
/// (`verbatim`: a `string` column, not the objection column, which is
/// normalised), and what the file's statistics prove about it.
#[derive(Debug, Clone, Copy)]
pub struct Judged<'a> {
    pub from: &'a DataType,
    pub ty: ColType,
    pub required: bool,
    pub fast: bool,
    pub verbatim: bool,
    pub proven: Proven,
}

/// The checks one column's values must pass, in order, each a condition
/// and the error code it gives; empty means no value can fail.
///
/// The fast form does not strip spaces: a value is empty if null or "";
/// a `string` value that starts with whitespace (space, tab, control
/// characters, ideographic space U+3000) is sent to the lenient parser as
/// if it were bad, to be judged there with spaces stripped; a value of
/// another type is sent there when the fast parser cannot read it (so
/// with most leading spaces; where polars reads one anyway, the value is
/// the one the stripped text gives). A typed column read as is (Parquet)
/// can only be empty. The fast form leaves out what `proven` (the file's
/// statistics, [`super::stats`]) shows cannot happen: an empty value, a
/// text led by whitespace.
pub fn checks(raw: Expr, parsed: Expr, how: &Judged) -> Vec<(Expr, i32)> {
    let Judged {
        from,
        ty,
        required,
        fast,
        verbatim,
        proven,
    } = *how;
    let text = *from == DataType::String;
    let as_is = !text && *from == ty.dtype();
    // The lenient parser calls a text of Unicode whitespace empty, which
    // the statistics do not rule out: it uses no proof.
    let proven = if fast { proven } else { Proven::default() };
    let mut out = Vec::new();
    let empty = if fast && text {
        raw.clone().is_null().or(raw.clone().eq(lit("")))
    } else {
        is_empty(raw.clone(), from)
    };
    let never_empty = proven.no_nulls && (!text || proven.no_empty_text);
    if required && !never_empty {
        out.push((empty.clone(), EMPTY));
    }
    if as_is {
        return out;
    }
    if fast && text && ty == ColType::String && verbatim {
        if proven.no_leading_space {
            return out;
        }
        // Text is taken as written, so it cannot be bad, except that a
        // value led by whitespace may be whitespace only (empty): such
        // values go to the lenient parser. Byte-order comparisons against
        // short literals (polars compares a string's inline prefix) find
        // them: a first byte below `!` (space, tab, control characters)
        // but not the empty string, or a first character U+3000 (the
        // ideographic space), i.e. "\u{3000}" <= s < "\u{3001}".
        let low = raw.clone().gt(lit("")).and(raw.clone().lt(lit("!")));
        let ideographic = raw
            .clone()
            .gt_eq(lit("\u{3000}"))
            .and(raw.lt(lit("\u{3001}")));
        out.push((low.or(ideographic), BAD));
        return out;
    }
    // A value the fast parser cannot read (leading spaces included) is
    // null and goes to the lenient parser.
    out.push((parsed.is_null().and(empty.not()), BAD));
    out
}

/// The error code of one column (0 if fine), from its [`checks`] (as
/// read, with no proof: for the parsers' tests).
pub fn error_code(
    raw: Expr,
    parsed: Expr,
    from: &DataType,
    ty: ColType,
    required: bool,
    fast: bool,
) -> Expr {
    let how = Judged {
        from,
        ty,
        required,
        fast,
        verbatim: false,
        proven: Proven::default(),
    };
    let mut e = code(OK);
    for (cond, c) in checks(raw, parsed, &how).into_iter().rev() {
        e = when(cond).then(code(c)).otherwise(e);
    }
    e
}
