//! One unit's detail, as its feedback (and, with `[bulletin] unit_annex`,
//! the bulletin's annex) shows it: its result, every indicator against its
//! rule, the reweighting, every record behind its points, and its
//! objections in the register.

use super::{Ctx, numeral};
use crate::measure::Evidence;
use crate::report::document::{Align, Block, Cell, Document, Table};
use crate::report::{fmt2, words};
use crate::scheme::NodeKind;

pub(crate) fn records<'a>(cx: &Ctx<'a>, u: usize) -> Vec<&'a Evidence> {
    cx.evidence.get(u).cloned().unwrap_or_default()
}

/// The record's own descriptive columns (`show`), as `kind：…；severity：…`.
pub(crate) fn details(cx: &Ctx, e: &Evidence) -> String {
    let Some(ds) = cx.run.scheme.dataset_index(&e.dataset) else {
        return String::new();
    };
    let spec = &cx.run.scheme.datasets[ds];
    spec.show
        .iter()
        .zip(&e.details)
        .filter(|(_, v)| !v.is_empty())
        .map(|(_, v)| match v.as_str() {
            "true" => "是".to_string(),
            "false" => "否".to_string(),
            v => v.to_string(),
        })
        .collect::<Vec<_>>()
        .join("，")
}

pub(crate) fn dataset_title<'a>(cx: &Ctx<'a>, id: &'a str) -> &'a str {
    cx.run.scheme.dataset_title(id)
}

fn signed(p: f64) -> String {
    if p > 0.0 {
        format!("+{}", fmt2(p))
    } else {
        fmt2(p)
    }
}

/// A unit's detail: its result, indicators, records; headings at `level`
/// (1 in the feedback, 2 in the bulletin's annex).
pub(crate) fn detail(cx: &Ctx, doc: &mut Document, u: usize, level: u8) {
    let run = cx.run;
    let s = &run.scheme;
    let units = &run.data.units;
    let x = &run.scored.units[u];
    let gi = units
        .group_order
        .iter()
        .position(|g| *g == units.groups[u])
        .unwrap_or(0);
    let h = |k: usize, t: &str| {
        if level == 1 {
            format!("{}、{t}", numeral(k))
        } else {
            format!("（{}）{}：{t}", numeral(k), units.names[u])
        }
    };
    doc.heading(level, h(1, "考核结果"));
    let mut text = format!(
        "在{}{}个单位中名列第{}名，总分{}分（指标得分{}分，加分{}分，倒扣分{}分），考核等次为{}。",
        cx.group_name(gi),
        cx.groups[gi].len(),
        x.rank,
        fmt2(x.total),
        fmt2(x.base),
        fmt2(x.bonus),
        fmt2(x.penalty),
        cx.grade_name(x.grade)
    );
    if !x.vetoes.is_empty() {
        let rules: Vec<&str> = x.vetoes.iter().map(|&r| s.rules[r].name.as_str()).collect();
        text.push_str(&format!("因{}，实行一票否决。", rules.join("、")));
    }
    if let Some((c, _)) = cx.change(u) {
        text.push_str(&format!("与上期相比名次变化：{c}。"));
    }
    doc.para(text);
    doc.heading(level, h(2, "各项指标得分"));
    let mut t = Table::new(
        "indicators",
        &["指标", "完成值", "计分规则", "得分", "满分"],
        3,
    );
    let mut reweight = Vec::new();
    for (_, n) in s.walk() {
        let NodeKind::Indicator(i) = s.tree[n].kind else {
            continue;
        };
        let ind = &s.indicators[i];
        let c = &run.scored.cells[i][u];
        let points = match c.status {
            crate::score::Status::NotApplicable => "不适用".to_string(),
            _ => c.points.map_or("不计".to_string(), fmt2),
        };
        if matches!(
            c.status,
            crate::score::Status::NotApplicable | crate::score::Status::Missing
        ) {
            reweight.push(ind.name.as_str());
        }
        t.rows.push(vec![
            Cell::new(ind.name.clone()),
            Cell::new(words::value(ind, c)),
            Cell::new(words::rule(s, ind)),
            Cell::new(points),
            Cell::new(fmt2(s.tree[n].points)),
        ]);
    }
    t.align[1] = Align::Right;
    doc.push(Block::Table(t));
    if !reweight.is_empty() {
        let (got, of) = dimension_sums(cx, u);
        doc.note(format!(
            "注：{}不适用、无数据或样本不足，不计入，其余指标按原权重比例折算；有得分的维度满分{}分，维度得分合计{}分，折算后指标得分为{}分。",
            reweight.join("、"),
            fmt2(of),
            fmt2(got),
            fmt2(x.base)
        ));
    }
    doc.heading(level, h(3, "扣分、加分和否决所依据的记录"));
    let es = records(cx, u);
    if es.is_empty() {
        doc.para("本期无扣分、加分和否决记录。");
    } else {
        let mut t = Table::new(
            "records",
            &[
                "序号",
                "事项",
                "数据集",
                "记录编号",
                "日期",
                "记录情况",
                "分值",
                "说明",
            ],
            6,
        );
        t.align[7] = Align::Left;
        for (k, e) in es.iter().enumerate() {
            t.rows.push(vec![
                Cell::new((k + 1).to_string()),
                Cell::new(s.rule_name(e.rule_order)),
                Cell::new(dataset_title(cx, &e.dataset)),
                Cell::new(e.record_key.clone()),
                Cell::new(e.date.clone()),
                Cell::new(details(cx, e)),
                Cell::new(if e.points == 0.0 {
                    "否决".to_string()
                } else {
                    signed(e.points)
                }),
                Cell::new(words::note(&e.note)),
            ]);
        }
        doc.push(Block::Table(t));
    }
    if let Some(reg) = &run.data.register {
        let mine: Vec<_> = reg.rows.iter().filter(|o| o.unit == u).collect();
        if !mine.is_empty() {
            doc.heading(level, h(4, "已提出的异议"));
            let mut t = Table::new(
                "objections",
                &[
                    "数据集",
                    "记录编号",
                    "提出日期",
                    "答复期限",
                    "处理结果",
                    "答复意见",
                ],
                6,
            );
            for o in mine {
                t.rows.push(vec![
                    Cell::new(s.datasets[o.dataset].title.clone()),
                    Cell::new(o.record_key.clone()),
                    Cell::new(o.filed_on.to_string()),
                    Cell::new(o.due_on.to_string()),
                    Cell::new(if o.overdue {
                        "逾期未答复"
                    } else {
                        o.status.zh()
                    }),
                    Cell::new(o.reply.clone()),
                ]);
            }
            doc.push(Block::Table(t));
        }
    }
}

/// The sum of a unit's dimension points and the points of the dimensions
/// that apply to it and have data.
pub(crate) fn dimension_sums(cx: &Ctx, u: usize) -> (f64, f64) {
    cx.run.scored.units[u].dimension_sums(&cx.run.scheme)
}
