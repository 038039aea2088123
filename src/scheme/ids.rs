//! Ids (section 1): the ids of nodes, indicators, bonus, penalty and veto
//! rules, alerts and screens are one namespace, unique across the scheme,
//! made of letters, digits, `_`, `-` and `.`; a node id is also a column
//! of `scores.csv`, so it may not be one of the fixed ones.

use std::collections::HashSet;

use super::context::Validator;
use crate::diag::S;

/// The fixed columns of `scores.csv`, in order; one column per node id
/// follows them.
pub const SCORE_COLUMNS: &[&str] = &[
    "unit_id",
    "unit_name",
    "group",
    "rank",
    "total",
    "base",
    "bonus",
    "penalty",
    "grade",
    "veto",
    "veto_rules",
];

/// Check every id of the scheme: (file, id, whether it is a node's).
pub(super) fn check(v: &mut Validator, ids: &[(usize, &S<String>, bool)]) {
    let mut seen: HashSet<&str> = HashSet::new();
    for &(f, id, is_node) in ids {
        let s = id.get_ref();
        if s.is_empty()
            || s.chars()
                .any(|c| !(c.is_alphanumeric() || "_-.".contains(c)))
        {
            v.err(
                f,
                id.span().start,
                format!("id {s:?} must be letters, digits, '_', '-' or '.'"),
            );
        } else if !seen.insert(s) {
            v.err(f, id.span().start, format!("id {s:?} is used twice"))
                .hint("ids of nodes, indicators, bonus, penalty and veto rules, alerts and screens are unique across the scheme");
        }
        if is_node && SCORE_COLUMNS.contains(&s.as_str()) {
            v.err(
                f,
                id.span().start,
                format!("node id {s:?} is a reserved column name of scores.csv"),
            );
        }
    }
}
