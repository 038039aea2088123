//! 7_promises.toml: public commitments, NPC suggestions and CPPCC proposals, and the third-party survey.

use super::{F, K, R, later};
use crate::generate::{Gen, id};

pub(super) fn commitments(g: &mut Gen) -> R {
    let schema = [
        ("item_id", K::Str),
        ("unit_id", K::Str),
        ("kind", K::Str),
        ("due_on", K::Date),
        ("done_on", K::Date),
        ("satisfied", K::Bool),
    ];
    g.table("commitments", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            let q = g.units[u].q;
            for _ in 0..3 + g.below(6) {
                k += 1;
                let kind = g.pick(&["公开承诺", "人大建议", "政协提案"], &[0.5, 0.25, 0.25]);
                let due = g.day();
                let done = if g.chance(0.04 + 0.25 * (1.0 - q)) {
                    if g.chance(0.4) {
                        F::Null
                    } else {
                        later(due, 1 + g.below(45) as i32)
                    }
                } else {
                    later(due, -(g.below(30) as i32))
                };
                let sat = if kind == "公开承诺" {
                    F::Null
                } else {
                    F::B(g.chance(0.6 + 0.38 * q))
                };
                let uid = g.units[u].id.clone();
                emit(&[
                    F::S(id(&mut buf, 'C', k)),
                    F::S(&uid),
                    F::S(kind),
                    F::D(due),
                    done,
                    sat,
                ])?;
            }
        }
        Ok(())
    })
}

pub(super) fn survey(g: &mut Gen) -> R {
    let schema = [
        ("unit_id", K::Str),
        ("indicator_id", K::Str),
        ("value", K::Float),
    ];
    g.table("survey", &schema, |g, emit| {
        for u in 0..g.units.len() {
            if u % 17 == 11 {
                continue; // not surveyed this year: a missing value
            }
            let q = g.units[u].q;
            let v = ((70.0 + 28.0 * q + 3.0 * g.normal()).clamp(0.0, 100.0) * 10.0).round() / 10.0;
            let uid = g.units[u].id.clone();
            emit(&[F::S(&uid), F::S("public_survey"), F::F(v)])?;
        }
        Ok(())
    })
}
