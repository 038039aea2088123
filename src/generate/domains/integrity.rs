//! 3_integrity.toml and the Benford screen of scheme.toml: statistical fraud cases (统计造假), dishonesty records (政务失信记录) with objections and repairs, and reported statistics.

use super::status;
use super::{F, K, R};
use crate::generate::{Gen, id};

pub(super) fn stats_fraud(g: &mut Gen) -> R {
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

pub(super) fn dishonesty(g: &mut Gen) -> R {
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
            if matches!(objection, F::Null) && !exempt && d >= g.start {
                g.objectable.push((format!("X{:09}", k + 1), u, d));
            }
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

/// The objection register (异议登记, `[objections] file` of scheme.toml):
/// always `objections.csv`, whatever the data format. Five objections to
/// dishonesty records, filed in December: one upheld, one rejected, two
/// pending (the earlier past its 15 working days as of the bulletin date,
/// 2026-01-15), and one filed by a unit against another unit's record,
/// which `assess` rejects with its line.
pub(super) fn register(g: &mut Gen) -> R {
    use std::io::Write;
    let n = g.objectable.len();
    let mut out = String::from(
        "\u{feff}dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply\n",
    );
    if n >= 5 {
        let day = |d: i32| crate::calendar::from_days(d).to_string();
        // Spread over the records, in a fixed order.
        let picks: Vec<usize> = (0..5).map(|k| k * n / 5).collect();
        let rows = [
            (
                "记录所涉事项在登记前已依法办结，不应列为失信",
                "upheld",
                8,
                15,
                "经核实，异议成立，撤销该记录。",
            ),
            (
                "失信情形系他方原因造成",
                "rejected",
                3,
                17,
                "经核查，失信责任在本单位，异议不成立，维持原记录。",
            ),
            ("相关处理决定已被依法撤销", "pending", 1, 0, ""),
            ("已于年内整改到位", "pending", 28, 0, ""),
            ("记录事实有误", "pending", 12, 0, ""),
        ];
        let dec = g.end - 30;
        for (k, (reason, status, filed, decided, reply)) in rows.iter().enumerate() {
            let (key, u, _) = g.objectable[picks[k]].clone();
            // The last one names its record under a unit that does not own it.
            let unit = if k == 4 {
                g.units[(u + 1) % g.units.len()].id.clone()
            } else {
                g.units[u].id.clone()
            };
            let filed_on = day(dec + filed);
            let decided_on = if *decided > 0 {
                day(dec + filed + decided)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "dishonesty,{key},{unit},{filed_on},{reason},{status},{decided_on},{reply}\n"
            ));
        }
    }
    let path = g.dir.join("objections.csv");
    let mut f = std::fs::File::create(&path)?;
    f.write_all(out.as_bytes())?;
    g.summary.files.push(("objections.csv".into(), n.min(5)));
    Ok(())
}

/// Reported statistics for the Benford screen: log-uniform figures over
/// five orders of magnitude (which follow Benford's law), except for one
/// unit that makes its figures up with uniform first digits.
pub(super) fn reported_stats(g: &mut Gen) -> R {
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
