//! 2_business.toml: enterprise-service cases (企业服务诉求).

use super::{F, K, R, cumulative, later, pick_unit};
use crate::generate::{Gen, id};

pub(super) fn enterprise(g: &mut Gen) -> R {
    let schema = [
        ("case_id", K::Str),
        ("unit_id", K::Str),
        ("opened_on", K::Date),
        ("due_on", K::Date),
        ("closed_on", K::Date),
        ("resolved", K::Bool),
        ("satisfaction", K::Int),
        ("complaint_about_unit", K::Bool),
    ];
    let (idx, cum) = cumulative(g, |u| !u.is_town);
    let n = (g.opts.tickets / 10).max(idx.len());
    g.table("enterprise", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            let u = pick_unit(g, &idx, &cum);
            let q = g.units[u].q;
            let opened = g.day();
            let due = opened + 10;
            let closed = if g.chance(0.02) {
                F::Null
            } else if g.chance(0.03 + 0.3 * (1.0 - q).powi(2)) {
                later(due, 1 + g.below(20) as i32)
            } else {
                later(opened, g.below(11) as i32)
            };
            let sat = if g.chance(0.2) {
                F::Null
            } else {
                F::I((1.0 + 4.0 * (q * 0.7 + g.uniform() * 0.4).min(1.0)).round() as i64)
            };
            let uid = g.units[u].id.clone();
            let complaint = g.chance(0.01 + 0.06 * (1.0 - q));
            emit(&[
                F::S(id(&mut buf, 'E', k + 1)),
                F::S(&uid),
                F::D(opened),
                F::D(due),
                closed,
                F::B(g.chance(0.75 + 0.2 * q)),
                sat,
                F::B(complaint),
            ])?;
        }
        Ok(())
    })
}
