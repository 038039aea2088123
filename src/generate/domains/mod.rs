//! One generator per dataset of the default scheme, one file per file of
//! the scheme (`indicators/`): citizen (1_citizen.toml), business,
//! integrity, environment, contracts, openness, promises, and bonus (the
//! bonus rule of scheme.toml).

mod bonus;
mod business;
mod citizen;
mod contracts;
mod environment;
mod integrity;
mod openness;
mod promises;

use std::io;

use super::Gen;

pub(super) type R = io::Result<()>;
pub(super) use super::sink::{Field as F, Kind as K};

pub(super) fn all(g: &mut Gen) -> R {
    citizen::hotline(g)?;
    business::enterprise(g)?;
    integrity::stats_fraud(g)?;
    environment::env_tasks(g)?;
    contracts::ppp(g)?;
    openness::publicity(g)?;
    integrity::dishonesty(g)?;
    promises::commitments(g)?;
    openness::decisions(g)?;
    contracts::contracts(g)?;
    contracts::arrears(g)?;
    bonus::honours(g)?;
    promises::survey(g)?;
    integrity::reported_stats(g)?;
    integrity::register(g)
}

/// Cumulative workload of the units `filter` keeps, for weighted picks.
pub(super) fn cumulative(g: &Gen, filter: impl Fn(&super::Unit) -> bool) -> (Vec<usize>, Vec<f64>) {
    let mut idx = Vec::new();
    let mut cum = Vec::new();
    let mut acc = 0.0;
    for (i, u) in g.units.iter().enumerate() {
        if filter(u) {
            acc += u.load;
            idx.push(i);
            cum.push(acc);
        }
    }
    (idx, cum)
}

pub(super) fn pick_unit(g: &mut Gen, idx: &[usize], cum: &[f64]) -> usize {
    let x = g.uniform() * cum.last().copied().unwrap_or(1.0);
    idx[cum.partition_point(|&c| c <= x).min(idx.len() - 1)]
}

/// An optional date `d + delay` days.
pub(super) fn later(d: i32, delay: i32) -> F<'static> {
    F::D(d + delay)
}

/// Objection status and repair date for a dishonesty-type record.
pub(super) fn status(g: &mut Gen, recorded: i32) -> (bool, F<'static>, F<'static>) {
    let exempt = g.chance(0.05);
    let objection = g.pick(
        &["", "pending", "upheld", "rejected"],
        &[0.8, 0.1, 0.05, 0.05],
    );
    let repaired = if g.chance(0.25) {
        // Mostly repaired within the period; some only after it ends.
        F::D((recorded + 20 + g.below(150) as i32).min(g.end + 60))
    } else {
        F::Null
    };
    (
        exempt,
        if objection.is_empty() {
            F::Null
        } else {
            F::S(objection)
        },
        repaired,
    )
}
