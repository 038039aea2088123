//! One generator per dataset of the default scheme (DOMAIN.md).

use std::io;

use super::sink::{Field as F, Kind as K};
use super::{Gen, id};

type R = io::Result<()>;

pub(super) fn all(g: &mut Gen) -> R {
    hotline(g)?;
    enterprise(g)?;
    stats_fraud(g)?;
    env_tasks(g)?;
    ppp(g)?;
    publicity(g)?;
    dishonesty(g)?;
    commitments(g)?;
    decisions(g)?;
    contracts(g)?;
    arrears(g)?;
    honours(g)?;
    survey(g)?;
    reported_stats(g)
}

/// Cumulative workload of the units `filter` keeps, for weighted picks.
fn cumulative(g: &Gen, filter: impl Fn(&super::Unit) -> bool) -> (Vec<usize>, Vec<f64>) {
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

fn pick_unit(g: &mut Gen, idx: &[usize], cum: &[f64]) -> usize {
    let x = g.uniform() * cum.last().copied().unwrap_or(1.0);
    idx[cum.partition_point(|&c| c <= x).min(idx.len() - 1)]
}

/// An optional date `d + delay` days.
fn later(d: i32, delay: i32) -> F<'static> {
    F::D(d + delay)
}

fn hotline(g: &mut Gen) -> R {
    let schema = [
        ("ticket_id", K::Str),
        ("unit_id", K::Str),
        ("received_at", K::DateTime),
        ("due_at", K::DateTime),
        ("closed_at", K::DateTime),
        ("category", K::Str),
        ("resolved", K::Bool),
        ("satisfaction", K::Int),
        ("reopened", K::Bool),
    ];
    let (idx, cum) = cumulative(g, |_| true);
    let surge = g.units.iter().position(|u| u.is_town).unwrap_or(0);
    let (file, path) = g.file("hotline");
    let mut sink = super::sink::open(&path, g.opts.format, &schema)?;
    let cats = ["投诉", "求助", "咨询", "建议", "举报"];
    let weights = [0.35, 0.25, 0.25, 0.08, 0.07];
    let mut buf = String::new();
    let n = g.opts.tickets;
    for k in 0..n {
        let u = pick_unit(g, &idx, &cum);
        let q = g.units[u].q;
        let day = g.day();
        let received = day as i64 * 86_400 + 8 * 3600 + g.below(10 * 3600) as i64;
        // The first town's complaints surge during the period (an early
        // warning to find).
        let cat = if u == surge && day >= g.start && g.chance(0.5) {
            "投诉"
        } else {
            g.pick(&cats, &weights)
        };
        let allowed = if cat == "咨询" { 86_400 } else { 7 * 86_400 };
        let due = received + allowed;
        let closed = if g.chance(0.01) {
            None
        } else if g.chance(0.02 + 0.25 * (1.0 - q).powi(2)) {
            Some(due + 3600 + g.below(10 * 86_400) as i64)
        } else {
            Some(received + 600 + (g.uniform() * (allowed - 600) as f64) as i64)
        };
        let resolved = g.chance(0.70 + 0.28 * q);
        let satisfaction = if g.chance(0.3) {
            F::Null
        } else {
            let s = 5.0 - (g.uniform() * 4.5 * (1.0 - q) + g.uniform() * 0.8).floor();
            F::I(s.clamp(1.0, 5.0) as i64)
        };
        let reopened = g.chance(0.01 + 0.08 * (1.0 - q));
        let unit_id = g.units[u].id.clone();
        sink.row(&[
            F::S(id(&mut buf, 'H', k + 1)),
            F::S(&unit_id),
            F::T(received),
            F::T(due),
            closed.map_or(F::Null, F::T),
            F::S(cat),
            F::B(resolved),
            satisfaction,
            F::B(reopened),
        ])?;
    }
    let mut written = n;
    if g.opts.format == super::OutFormat::Csv && g.opts.bad_rows > 0 {
        // Malformed rows an office really sees; each ends in rejects.csv.
        let t = (g.start as i64 + 40) * 86_400 + 9 * 3600;
        let first = g.units[0].id.clone();
        let bad: [[&str; 9]; 5] = [
            [
                "H900000001",
                &first,
                "2025-13-45 09:00",
                "2025-02-20 09:00",
                "",
                "投诉",
                "true",
                "4",
                "false",
            ],
            [
                "H900000002",
                "X999",
                "2025-02-10 09:00",
                "2025-02-17 09:00",
                "",
                "求助",
                "true",
                "5",
                "false",
            ],
            [
                "H000000001",
                &first,
                "2025-02-10 09:00",
                "2025-02-17 09:00",
                "",
                "咨询",
                "true",
                "",
                "false",
            ],
            [
                "H900000003",
                &first,
                "2025-02-10 09:00",
                "2025-02-17 09:00",
                "",
                "投诉",
                "maybe",
                "",
                "false",
            ],
            [
                "H900000004",
                "",
                "2025-02-10 09:00",
                "2025-02-17 09:00",
                "",
                "建议",
                "false",
                "3",
                "false",
            ],
        ];
        let _ = t;
        for row in bad.iter().take(g.opts.bad_rows) {
            let fields: Vec<F> = row
                .iter()
                .map(|s| if s.is_empty() { F::Null } else { F::S(s) })
                .collect();
            sink.row(&fields)?;
            written += 1;
        }
    }
    sink.finish()?;
    g.summary.files.push((file, written));
    Ok(())
}

fn enterprise(g: &mut Gen) -> R {
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

/// Objection status and repair date for a dishonesty-type record.
fn status(g: &mut Gen, recorded: i32) -> (bool, F<'static>, F<'static>) {
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

fn stats_fraud(g: &mut Gen) -> R {
    let schema = [
        ("case_id", K::Str),
        ("unit_id", K::Str),
        ("decided_on", K::Date),
        ("severity", K::Str),
        ("description", K::Str),
        ("exempt", K::Bool),
        ("objection", K::Str),
        ("repaired_on", K::Date),
    ];
    let n = (g.units.len() / 12).max(2);
    g.table("stats_fraud", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            // Poorer units are likelier culprits: the worst of three draws.
            let u = g.worst_of(3);
            let severity = if k == 0 {
                "严重"
            } else {
                g.pick(&["一般", "较重", "严重"], &[0.6, 0.3, 0.1])
            };
            let desc = g.pick(
                &[
                    "虚报统计数据",
                    "伪造统计资料",
                    "拒报统计资料",
                    "篡改统计数据",
                ],
                &[0.4, 0.2, 0.2, 0.2],
            );
            let d = g.day_in();
            let (exempt, objection, repaired) = if k == 0 {
                (false, F::Null, F::Null)
            } else {
                status(g, d)
            };
            let uid = g.units[u].id.clone();
            emit(&[
                F::S(id(&mut buf, 'S', k + 1)),
                F::S(&uid),
                F::D(d),
                F::S(severity),
                F::S(desc),
                F::B(exempt),
                objection,
                repaired,
            ])?;
        }
        Ok(())
    })
}

fn env_tasks(g: &mut Gen) -> R {
    let schema = [
        ("task_id", K::Str),
        ("unit_id", K::Str),
        ("due_on", K::Date),
        ("completed_on", K::Date),
        ("key_task", K::Bool),
        ("inspection_finding", K::Bool),
        ("rectified", K::Bool),
        ("quality_worsened", K::Bool),
    ];
    g.table("env_tasks", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            let (town, q) = (g.units[u].is_town, g.units[u].q);
            let tasks = if town {
                2 + g.below(5)
            } else if g.chance(0.4) {
                1 + g.below(3)
            } else {
                0
            };
            for _ in 0..tasks {
                k += 1;
                let due = g.day();
                let done = if g.chance(0.05 + 0.3 * (1.0 - q)) {
                    if g.chance(0.5) {
                        F::Null
                    } else {
                        later(due, 1 + g.below(60) as i32)
                    }
                } else {
                    later(due, -(g.below(90) as i32))
                };
                let finding = g.chance(0.2);
                let uid = g.units[u].id.clone();
                emit(&[
                    F::S(id(&mut buf, 'V', k)),
                    F::S(&uid),
                    F::D(due),
                    done,
                    F::B(g.chance(0.4)),
                    F::B(finding),
                    F::B(!finding || g.chance(0.5 + 0.5 * q)),
                    F::B(g.chance(0.03 + 0.05 * (1.0 - q))),
                ])?;
            }
        }
        Ok(())
    })
}

fn ppp(g: &mut Gen) -> R {
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

fn publicity(g: &mut Gen) -> R {
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

fn dishonesty(g: &mut Gen) -> R {
    let schema = [
        ("record_id", K::Str),
        ("unit_id", K::Str),
        ("recorded_on", K::Date),
        ("kind", K::Str),
        ("severity", K::Str),
        ("on_debtor_list", K::Bool),
        ("exempt", K::Bool),
        ("objection", K::Str),
        ("repaired_on", K::Date),
    ];
    let kinds = [
        "法院生效判决未履行",
        "失信被执行人",
        "合同违约",
        "拖欠企业账款",
        "拖欠农民工工资",
        "党纪政务处分",
        "问责",
    ];
    let n = (g.units.len() / 2).max(3);
    g.table("dishonesty", &schema, |g, emit| {
        let mut buf = String::new();
        for k in 0..n {
            let u = g.worst_of(2);
            let kind = if k == 1 {
                "失信被执行人"
            } else {
                g.pick(&kinds, &[0.2, 0.08, 0.25, 0.2, 0.1, 0.1, 0.07])
            };
            let severity = g.pick(&["一般", "较重", "严重"], &[0.6, 0.3, 0.1]);
            let d = g.day();
            let (exempt, objection, repaired) = if k == 1 {
                (false, F::Null, F::Null)
            } else {
                status(g, d)
            };
            let listed = kind == "失信被执行人" && (k == 1 || g.chance(0.5));
            let uid = g.units[u].id.clone();
            emit(&[
                F::S(id(&mut buf, 'X', k + 1)),
                F::S(&uid),
                F::D(d),
                F::S(kind),
                F::S(severity),
                F::B(listed),
                F::B(exempt),
                objection,
                repaired,
            ])?;
        }
        Ok(())
    })
}

fn commitments(g: &mut Gen) -> R {
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

fn decisions(g: &mut Gen) -> R {
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

fn contracts(g: &mut Gen) -> R {
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

fn arrears(g: &mut Gen) -> R {
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

fn honours(g: &mut Gen) -> R {
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

fn survey(g: &mut Gen) -> R {
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

/// Reported statistics for the Benford screen: log-uniform figures over
/// five orders of magnitude (which follow Benford's law), except for one
/// unit that makes its figures up with uniform first digits.
fn reported_stats(g: &mut Gen) -> R {
    let schema = [
        ("report_id", K::Str),
        ("unit_id", K::Str),
        ("reported_on", K::Date),
        ("item", K::Str),
        ("value", K::Float),
    ];
    let items = [
        "规模以上工业总产值",
        "固定资产投资",
        "社会消费品零售总额",
        "一般公共预算收入",
        "进出口总额",
        "新增就业人数",
    ];
    let faker = g.units.iter().position(|u| !u.is_town).map_or(0, |i| i + 2) % g.units.len();
    g.table("reported_stats", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            for m in 0..120 {
                k += 1;
                let v = if u == faker {
                    (1000.0 + 8999.0 * g.uniform()).round()
                } else {
                    (10f64.powf(1.0 + 5.0 * g.uniform()) * 100.0).round() / 100.0
                };
                let month_end = g.start + 30 * (m % 12) as i32 + 29;
                let uid = g.units[u].id.clone();
                let item = items[m % items.len()];
                emit(&[
                    F::S(id(&mut buf, 'Q', k)),
                    F::S(&uid),
                    F::D(month_end),
                    F::S(item),
                    F::F(v),
                ])?;
            }
        }
        Ok(())
    })
}
