//! The kind tables behind `measure = { kind = ... }` and
//! `score = { kind = ... }`: one entry per kind names the keys it takes
//! and needs and the function that builds it, so that the keys allowed and
//! the build can never disagree (adding a kind is one entry and one
//! function; see docs/architecture.md).

use super::context::Validator;
use crate::diag::{S, list};

/// One kind of a table.
pub(super) struct Kind<B> {
    pub name: &'static str,
    /// Keys the kind takes besides `kind`.
    pub takes: &'static [&'static str],
    /// Keys it cannot do without.
    pub needs: &'static [&'static str],
    pub build: B,
}

/// The kind named by `kind` in `table` (`what` is "measure" or "score"),
/// once the keys `present` (name and offset of each key written, `None`
/// if absent) are all taken by it and the ones it needs are there; every
/// problem is reported.
pub(super) fn find<'t, B>(
    v: &mut Validator,
    f: usize,
    what: &str,
    kind: &S<String>,
    table: &'t [Kind<B>],
    present: &[(&str, Option<usize>)],
) -> Option<&'t Kind<B>> {
    let Some(k) = table.iter().find(|k| k.name == kind.get_ref()) else {
        let names: Vec<&str> = table.iter().map(|k| k.name).collect();
        let (last, rest) = names.split_last().expect("a table has kinds");
        v.err(
            f,
            kind.span().start,
            format!("unknown {what} kind {:?}", kind.get_ref()),
        )
        .hint(format!("{} or {last}", rest.join(", ")));
        return None;
    };
    let mut ok = true;
    for (name, at) in present {
        match at {
            Some(at) if !k.takes.contains(name) => {
                v.err(
                    f,
                    *at,
                    format!("{what} kind {:?} does not take `{name}`", kind.get_ref()),
                )
                .hint(format!("it takes: {}", list(k.takes.iter(), 9)));
                ok = false;
            }
            None if k.needs.contains(name) => {
                v.err(
                    f,
                    kind.span().start,
                    format!("{what} kind {:?} needs `{name}`", kind.get_ref()),
                );
                ok = false;
            }
            _ => {}
        }
    }
    ok.then_some(k)
}
