//! 5_contracts.toml: PPP payments, contracts and promises, arrears of project payments and wages.

use super::{F, K, R, later};
use crate::generate::{Gen, id};

pub(super) fn ppp(g: &mut Gen) -> R {
    let schema = [
        ("record_id", K::Str),
        ("unit_id", K::Str),
        ("project", K::Str),
        ("due_on", K::Date),
        ("amount_due", K::Float),
        ("amount_paid_on_time", K::Float),
        ("performance_score", K::Float),
        ("default_event", K::Bool),
    ];
    let projects = [
        "污水处理厂",
        "城市道路",
        "垃圾焚烧发电",
        "体育中心",
        "地下综合管廊",
        "棚户区改造",
        "智慧停车",
    ];
    g.table("ppp", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            if !g.chance(0.35) {
                continue;
            }
            let q = g.units[u].q;
            for p in 0..1 + g.below(2) {
                let name = format!("{}PPP项目{}", projects[g.below(projects.len())], p + 1);
                for quarter in 0..4 {
                    k += 1;
                    let due = g.start + 45 + quarter * 91;
                    let amount = ((200.0 + 800.0 * g.uniform()) * 10.0).round() / 10.0;
                    let paid = if g.chance(0.05 + 0.25 * (1.0 - q)) {
                        (amount * g.uniform() * 10.0).round() / 10.0
                    } else {
                        amount
                    };
                    let perf = if quarter == 3 {
                        F::F(
                            ((55.0 + 43.0 * q + 6.0 * g.normal()).clamp(0.0, 100.0) * 10.0).round()
                                / 10.0,
                        )
                    } else {
                        F::Null
                    };
                    let uid = g.units[u].id.clone();
                    let default = g.chance(0.01 + 0.05 * (1.0 - q));
                    emit(&[
                        F::S(id(&mut buf, 'P', k)),
                        F::S(&uid),
                        F::S(&name),
                        F::D(due),
                        F::F(amount),
                        F::F(paid),
                        perf,
                        F::B(default),
                    ])?;
                }
            }
        }
        Ok(())
    })
}

pub(super) fn contracts(g: &mut Gen) -> R {
    let schema = [
        ("contract_id", K::Str),
        ("unit_id", K::Str),
        ("kind", K::Str),
        ("amount", K::Float),
        ("due_on", K::Date),
        ("kept_on", K::Date),
        ("breach", K::Bool),
        ("breach_reason", K::Str),
    ];
    g.table("contracts", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            let q = g.units[u].q;
            for _ in 0..g.below(5) {
                k += 1;
                let kind = g.pick(&["政府采购", "招标投标", "招商引资承诺"], &[0.5, 0.3, 0.2]);
                let due = g.day();
                let breach = g.chance(0.01 + 0.1 * (1.0 - q).powi(2));
                let (kept, reason) = if breach {
                    (
                        F::Null,
                        F::S(g.pick(
                            &["政府换届", "责任人更替", "资金不足", "规划调整"],
                            &[0.25, 0.25, 0.3, 0.2],
                        )),
                    )
                } else if g.chance(0.1 * (1.0 - q)) {
                    (later(due, 1 + g.below(40) as i32), F::Null)
                } else {
                    (later(due, -(g.below(20) as i32)), F::Null)
                };
                let amount = ((50.0 * (1.2 * g.normal()).exp()) * 100.0).round() / 100.0;
                let uid = g.units[u].id.clone();
                emit(&[
                    F::S(id(&mut buf, 'K', k)),
                    F::S(&uid),
                    F::S(kind),
                    F::F(amount),
                    F::D(due),
                    kept,
                    F::B(breach),
                    reason,
                ])?;
            }
        }
        Ok(())
    })
}

pub(super) fn arrears(g: &mut Gen) -> R {
    let schema = [
        ("arrear_id", K::Str),
        ("unit_id", K::Str),
        ("kind", K::Str),
        ("amount", K::Float),
        ("incurred_on", K::Date),
        ("settled_on", K::Date),
    ];
    let n = (g.units.len() / 4).max(2);
    g.table("arrears", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            let u = g.below(g.units.len());
            let q = g.units[u].q;
            let kind = g.pick(&["工程款", "农民工工资"], &[0.75, 0.25]);
            let d = g.day();
            let settled = if g.chance(0.5 + 0.45 * q) {
                later(d, 10 + g.below(120) as i32)
            } else {
                F::Null
            };
            let amount = ((30.0 * (g.normal()).exp()) * 100.0).round() / 100.0;
            let uid = g.units[u].id.clone();
            emit(&[
                F::S(id(&mut buf, 'A', k + 1)),
                F::S(&uid),
                F::S(kind),
                F::F(amount),
                F::D(d),
                settled,
            ])?;
        }
        Ok(())
    })
}
