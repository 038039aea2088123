//! The bonus rule of scheme.toml: honours (表彰荣誉, 守信激励).

use super::{F, K, R};
use crate::generate::{Gen, id};

pub(super) fn honours(g: &mut Gen) -> R {
    let schema = [
        ("honour_id", K::Str),
        ("unit_id", K::Str),
        ("level", K::Str),
        ("title", K::Str),
        ("awarded_on", K::Date),
    ];
    let n = (g.units.len() / 4).max(2);
    let titles = [
        "文明单位",
        "先进集体",
        "诚信建设示范单位",
        "优化营商环境先进单位",
        "法治政府建设示范单位",
    ];
    g.table("honours", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            let u = g.best_of(2);
            let level = g.pick(&["国家级", "省级", "市级"], &[0.1, 0.3, 0.6]);
            let title = titles[g.below(titles.len())];
            let uid = g.units[u].id.clone();
            let d = g.day();
            emit(&[
                F::S(id(&mut buf, 'R', k + 1)),
                F::S(&uid),
                F::S(level),
                F::S(title),
                F::D(d),
            ])?;
        }
        Ok(())
    })
}
