//! Ids (section 1): the ids of nodes, indicators, bonus, penalty and veto
//! rules, alerts and screens are one namespace, unique across the scheme,
//! made of letters, digits, `_`, `-` and `.`; a node id is also a column
//! of `scores.csv`, so it may not be one of the fixed ones.

use std::collections::HashSet;

use super::load::{Items, Validator};
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

/// Every id of the scheme: (file, id, is a node id).
fn all(it: &Items) -> Vec<(usize, &S<String>, bool)> {
    let mut ids: Vec<(usize, &S<String>, bool)> = Vec::new();
    ids.extend(it.nodes.iter().map(|(f, n)| (*f, &n.get_ref().id, true)));
    ids.extend(
        it.indicators
            .iter()
            .map(|(f, n)| (*f, &n.get_ref().id, false)),
    );
    ids.extend(
        it.bonus
            .iter()
            .chain(&it.penalty)
            .map(|(f, n)| (*f, &n.get_ref().id, false)),
    );
    ids.extend(it.veto.iter().map(|(f, n)| (*f, &n.get_ref().id, false)));
    ids.extend(it.alerts.iter().map(|(f, n)| (*f, &n.get_ref().id, false)));
    ids.extend(it.screens.iter().map(|(f, n)| (*f, &n.get_ref().id, false)));
    ids
}

pub(super) fn check(v: &mut Validator, it: &Items) {
    let mut seen: HashSet<&str> = HashSet::new();
    for (f, id, is_node) in all(it) {
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
