//! 6_openness.toml: double publicity (双公示) and major administrative decisions (重大行政决策).

use super::{F, K, R, cumulative, later, pick_unit};
use crate::generate::{Gen, id};

pub(super) fn publicity(g: &mut Gen) -> R {
    let schema = [
        ("decision_id", K::Str),
        ("unit_id", K::Str),
        ("kind", K::Str),
        ("decided_on", K::Date),
        ("published_on", K::Date),
    ];
    let (idx, cum) = cumulative(g, |_| true);
    let n = (g.opts.tickets / 6).max(g.units.len() * 3);
    g.table("publicity", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            let u = pick_unit(g, &idx, &cum);
            let q = g.units[u].q;
            let decided = g.day();
            let published = if g.chance(0.01) {
                F::Null
            } else if g.chance(0.03 + 0.2 * (1.0 - q).powi(2)) {
                later(decided, 10 + g.below(25) as i32)
            } else {
                later(decided, g.below(8) as i32)
            };
            let uid = g.units[u].id.clone();
            let kind = g.pick(&["行政许可", "行政处罚"], &[0.7, 0.3]);
            emit(&[
                F::S(id(&mut buf, 'G', k + 1)),
                F::S(&uid),
                F::S(kind),
                F::D(decided),
                published,
            ])?;
        }
        Ok(())
    })
}

pub(super) fn decisions(g: &mut Gen) -> R {
    let schema = [
        ("decision_id", K::Str),
        ("unit_id", K::Str),
        ("decided_on", K::Date),
        ("public_participation", K::Bool),
        ("expert_argument", K::Bool),
        ("risk_assessment", K::Bool),
        ("legality_review", K::Bool),
        ("collective_discussion", K::Bool),
        ("published", K::Bool),
    ];
    g.table("decisions", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            let q = g.units[u].q;
            let n = if g.units[u].is_town {
                g.below(3)
            } else {
                1 + g.below(4)
            };
            for _ in 0..n {
                k += 1;
                let mut step = || g.chance(0.9 + 0.1 * q);
                let steps = [step(), step(), step(), step(), step(), step()];
                let uid = g.units[u].id.clone();
                let d = g.day();
                emit(&[
                    F::S(id(&mut buf, 'M', k)),
                    F::S(&uid),
                    F::D(d),
                    F::B(steps[0]),
                    F::B(steps[1]),
                    F::B(steps[2]),
                    F::B(steps[3]),
                    F::B(steps[4]),
                    F::B(steps[5]),
                ])?;
            }
        }
        Ok(())
    })
}
