//! From measured cells to attainments and points, per indicator and unit
//! (docs/scheme.md sections 5 and 6): applicability, missing values, `min_n`,
//! `shrink`, the score kind, and the missing-value policy.

use super::kinds;
use crate::data::Units;
use crate::measure::Cell;
use crate::scheme::{Direction, MeasureKind, MissingPolicy, Scheme, ScoreKind};

/// What happened to a unit's value for an indicator (values.csv `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Ok,
    /// Missing and left out (reweighted).
    Missing,
    /// The indicator does not apply to the unit's group.
    NotApplicable,
    /// Shrunk towards the peer group's pooled value.
    Shrunk,
    /// Missing, and given an attainment by the `zero` or `mean` policy.
    Imputed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::NotApplicable => "n/a",
            Status::Shrunk => "shrunk",
            Status::Imputed => "imputed",
        }
    }
    /// Has a measured, usable value.
    pub fn has_value(self) -> bool {
        matches!(self, Status::Ok | Status::Shrunk)
    }
}

/// One indicator for one unit, scored.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scored {
    /// The value scored (after shrinkage); for a missing value, whatever
    /// finite value was measured, if any.
    pub value: Option<f64>,
    pub n: Option<u64>,
    pub attainment: Option<f64>,
    pub points: Option<f64>,
    pub status: Status,
}

/// Is a measured cell missing (docs/scheme.md section 5)?
pub fn is_missing(kind: &MeasureKind, c: &Cell, min_n: u64) -> bool {
    if kind.never_missing() {
        return false;
    }
    !c.value.is_some_and(f64::is_finite)
        || (c.n == 0 && !kind.zero_records_is_a_value())
        || c.n < min_n
}

/// Score indicator `i` for every unit. `groups` lists the members of each
/// peer group; `kind` and `policy` may differ from the scheme's (for
/// uncertainty analysis).
pub fn score_indicator(
    scheme: &Scheme,
    i: usize,
    kind: &ScoreKind,
    policy: MissingPolicy,
    cells: &[Cell],
    units: &Units,
    groups: &[Vec<usize>],
) -> Vec<Scored> {
    let ind = &scheme.indicators[i];
    let dir = ind.score.direction;
    let points = scheme.tree[ind.node].points;
    let mut out = vec![Scored::default(); cells.len()];
    for members in groups {
        let Some(&first) = members.first() else {
            continue;
        };
        if !ind.applies(&units.groups[first]) {
            for &u in members {
                out[u].status = Status::NotApplicable;
            }
            continue;
        }
        for &u in members {
            let c = &cells[u];
            let missing = is_missing(&ind.measure.kind, c, ind.min_n);
            out[u] = Scored {
                value: c.value.filter(|v| v.is_finite()),
                n: Some(c.n),
                attainment: None,
                points: None,
                status: if missing { Status::Missing } else { Status::Ok },
            };
        }
        if let Some(k) = ind.shrink {
            shrink(&mut out, cells, members, k);
        }
        let scored: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&u| out[u].status.has_value())
            .collect();
        attain(&mut out, &scored, kind, dir, points);
        impute(&mut out, members, &scored, policy);
        for &u in members {
            out[u].points = out[u].attainment.map(|a| a * points);
        }
    }
    out
}

/// Shrinkage (section 5): each scored unit's value pulled towards its
/// group's pooled rate by `k` pseudo-records: (n·v + k·pooled) / (n + k).
fn shrink(out: &mut [Scored], cells: &[Cell], members: &[usize], k: f64) {
    let (num, den) = members.iter().fold((0.0, 0.0), |(a, b), &u| {
        (a + cells[u].num, b + cells[u].den)
    });
    let pooled = num / den;
    if pooled.is_finite() {
        for &u in members {
            if out[u].status != Status::Ok {
                continue;
            }
            let n = cells[u].n as f64;
            let v = out[u].value.expect("ok has a value");
            out[u].value = Some((n * v + k * pooled) / (n + k));
            out[u].status = Status::Shrunk;
        }
    }
}

/// Attainments of the units with a value: against the group for relative
/// kinds, from the value alone for absolute ones.
fn attain(out: &mut [Scored], scored: &[usize], kind: &ScoreKind, dir: Direction, points: f64) {
    if kind.is_relative() {
        let vals: Vec<f64> = scored.iter().map(|&u| out[u].value.unwrap()).collect();
        for (&u, a) in scored.iter().zip(kinds::relative(kind, dir, &vals)) {
            out[u].attainment = Some(a);
        }
    } else {
        for &u in scored {
            out[u].attainment = Some(kinds::absolute(kind, dir, out[u].value.unwrap(), points));
        }
    }
}

/// The missing policy: missing units get the group's mean attainment, or
/// 0, or stay missing (reweight).
fn impute(out: &mut [Scored], members: &[usize], scored: &[usize], policy: MissingPolicy) {
    let fill = match policy {
        MissingPolicy::Reweight => None,
        MissingPolicy::Zero => Some(0.0),
        MissingPolicy::Mean if scored.is_empty() => None,
        MissingPolicy::Mean => Some(
            scored
                .iter()
                .map(|&u| out[u].attainment.unwrap())
                .sum::<f64>()
                / scored.len() as f64,
        ),
    };
    for &u in members {
        if out[u].status != Status::Missing {
            continue;
        }
        if let Some(a) = fill {
            out[u].attainment = Some(a);
            out[u].status = Status::Imputed;
        }
    }
}
