//! The workbook's sheets for what a run computed beside the scores, each
//! present only when there is something to show: 名次变化 (with
//! `--previous`), 等次稳定性 (with `--uncertainty`) and 预警 (the early
//! warnings).

use rust_xlsxwriter::Format;

use super::sheet::{Built, Sheet, V, d2, num, t, text};
use crate::history::{Snapshot, diff};
use crate::run::Run;

/// 名次变化: each unit's rank, total and grade against the previous run.
pub(super) fn change(run: &Run, header: &Format) -> Built {
    let Some(prev) = &run.previous else {
        return Ok(None);
    };
    let now = Snapshot::of(&run.scheme, &run.data.units, &run.scored);
    let changes = diff(prev, &now);
    let head = [
        "单位编码",
        "单位名称",
        "类别",
        "上期名次",
        "本期名次",
        "名次变化",
        "上期总分",
        "本期总分",
        "总分变化",
        "上期等次",
        "本期等次",
    ]
    .map(t);
    let mut sh = Sheet::new("名次变化", head, header)?;
    for (k, c) in changes.iter().enumerate() {
        let any = c.new.as_ref().or(c.old.as_ref()).expect("a side");
        let rank = |r: &Option<crate::history::Row>| num(r.as_ref().map(|x| x.rank as f64));
        let total = |r: &Option<crate::history::Row>| d2(r.as_ref().map(|x| x.total));
        let grade = |r: &Option<crate::history::Row>| {
            text(r.as_ref().map_or(String::new(), |x| x.grade.clone()))
        };
        let moved = match (c.rank_change(), &c.old, &c.new) {
            (Some(d), _, _) if d > 0 => format!("↑{d}"),
            (Some(d), _, _) if d < 0 => format!("↓{}", -d),
            (Some(_), _, _) => "—".into(),
            (None, None, _) => "新增".into(),
            (None, _, _) => "本期未参评".into(),
        };
        sh.row(
            k as u32 + 1,
            [
                t(&any.id),
                t(&any.name),
                t(run.scheme.group_name(&any.group)),
                rank(&c.old),
                rank(&c.new),
                text(moved),
                total(&c.old),
                total(&c.new),
                d2(c.total_change()),
                grade(&c.old),
                grade(&c.new),
            ],
            None,
        )?;
    }
    sh.finish(changes.len() as u32).map(Some)
}

/// 等次稳定性: each unit's probability of keeping its grade, and its
/// rank interval, under the Monte Carlo analysis.
pub(super) fn stability(run: &Run, header: &Format) -> Built {
    let Some(mc) = &run.uncertainty else {
        return Ok(None);
    };
    let units = &run.data.units;
    let head = [
        "单位编码",
        "单位名称",
        "类别",
        "名次",
        "等次",
        "保持该等次的比例",
        "名次区间下限（5%）",
        "名次区间上限（95%）",
        "是否稳定",
    ]
    .map(t);
    let mut sh = Sheet::new("等次稳定性", head, header)?;
    for (k, &u) in run.scored.order.iter().enumerate() {
        let x = &run.scored.units[u];
        let m = &mc.units[u];
        sh.row(
            k as u32 + 1,
            [
                t(&units.ids[u]),
                t(&units.names[u]),
                t(run.scheme.group_name(&units.groups[u])),
                V::N(x.rank as f64),
                text(
                    x.grade
                        .map_or(String::new(), |g| run.scheme.grades[g].name.clone()),
                ),
                super::pct(x.grade.map(|g| m.grade_probability[g])),
                V::N(m.p5_rank),
                V::N(m.p95_rank),
                t(if m.stable { "稳定" } else { "不稳定" }),
            ],
            None,
        )?;
    }
    sh.finish(run.scored.order.len() as u32).map(Some)
}

/// The name of the alert, screen or indicator a warning is about.
fn subject<'a>(run: &'a Run, id: &'a str) -> &'a str {
    let s = &run.scheme;
    s.alerts
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.name.as_str())
        .or_else(|| {
            s.screens
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.name.as_str())
        })
        .or_else(|| {
            s.indicators
                .iter()
                .find(|x| x.id == id)
                .map(|x| x.name.as_str())
        })
        .unwrap_or(id)
}

/// 预警: every early warning, in plain words.
pub(super) fn warnings(run: &Run, header: &Format) -> Built {
    if run.signals.is_empty() {
        return Ok(None);
    }
    let units = &run.data.units;
    let head = [
        "单位编码",
        "单位名称",
        "预警事项",
        "观测值",
        "预期值",
        "校正后p值",
        "说明",
    ]
    .map(t);
    let mut sh = Sheet::new("预警", head, header)?;
    for (k, w) in run.signals.iter().enumerate() {
        let (id, name) = w.unit.map_or((String::new(), String::new()), |u| {
            (units.ids[u].clone(), units.names[u].clone())
        });
        sh.row(
            k as u32 + 1,
            [
                text(id),
                text(name),
                t(subject(run, &w.subject)),
                d2(Some(w.observed)),
                d2(Some(w.expected)),
                num(w.p_adjusted),
                t(&w.message),
            ],
            None,
        )?;
    }
    sh.finish(run.signals.len() as u32).map(Some)
}
