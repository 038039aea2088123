//! The bulletin's annexes (附件): results per group with each dimension's
//! points; every indicator's values in its own units with its rule; grade
//! stability (when an uncertainty analysis ran); each unit's detail (only
//! with `[bulletin] unit_annex = true`).

use super::{Ctx, numeral};
use crate::render::ChartKind;
use crate::report::document::{Align, Block, Cell, Document, Table};
use crate::report::{fmt2, words};
use crate::score::Status;

#[derive(Clone, Copy, PartialEq)]
enum Annex {
    Results,
    Values,
    Stability,
    Units,
}

fn annexes(cx: &Ctx) -> Vec<(Annex, String)> {
    let s = &cx.run.scheme;
    let mut out = vec![
        (Annex::Results, format!("{}结果汇总表", s.name)),
        (Annex::Values, "各单位指标完成情况".to_string()),
    ];
    if cx.run.uncertainty.is_some() {
        out.push((Annex::Stability, "考核等次稳定性分析".to_string()));
    }
    if s.bulletin.unit_annex {
        out.push((Annex::Units, "各单位得分明细".to_string()));
    }
    out
}

pub(super) fn titles(cx: &Ctx) -> Vec<String> {
    annexes(cx).into_iter().map(|a| a.1).collect()
}

pub(super) fn all(cx: &mut Ctx, doc: &mut Document, _titles: &[String]) {
    for (k, (a, title)) in annexes(cx).into_iter().enumerate() {
        doc.push(Block::Annex {
            index: k + 1,
            label: format!("附件{}", k + 1),
            title,
            // The results table has a column per dimension.
            landscape: a == Annex::Results,
        });
        match a {
            Annex::Results => results(cx, doc),
            Annex::Values => values(cx, doc),
            Annex::Stability => stability(cx, doc),
            Annex::Units => {
                for gi in 0..cx.groups.len() {
                    for u in cx.groups[gi].clone() {
                        super::unit::detail(cx, doc, u, 2);
                    }
                }
            }
        }
    }
}

/// Does the unit have an indicator without data (or with too few
/// records), left out and its weight shared by the others?
pub(crate) fn reweighted(cx: &Ctx, u: usize) -> bool {
    cx.run
        .scored
        .cells
        .iter()
        .any(|c| c[u].status == Status::Missing)
}

/// The indicators that do not apply to group `gi`.
fn not_applicable<'a>(cx: &Ctx<'a>, gi: usize) -> Vec<&'a str> {
    let g = &cx.run.data.units.group_order[gi];
    cx.run
        .scheme
        .indicators
        .iter()
        .filter(|i| !i.applies(g))
        .map(|i| i.name.as_str())
        .collect()
}

/// A dimension's points for a unit, or 不适用 / 无数据.
pub(crate) fn dimension_text(cx: &Ctx, u: usize, n: usize) -> String {
    let s = &cx.run.scheme;
    let node = &s.tree[n];
    match cx.run.scored.units[u].attainment[n] {
        Some(a) => fmt2(a * node.points),
        None => {
            let leaves = s.leaves_under(n);
            let all_na = leaves
                .iter()
                .all(|&i| cx.run.scored.cells[i][u].status == Status::NotApplicable);
            if all_na { "不适用" } else { "无数据" }.into()
        }
    }
}

fn results(cx: &mut Ctx, doc: &mut Document) {
    let s = &cx.run.scheme;
    let dims = s.tree[0].children.clone();
    for gi in 0..cx.groups.len() {
        doc.heading(2, format!("（{}）{}", numeral(gi + 1), cx.group_name(gi)));
        let head_dims: Vec<String> = dims
            .iter()
            .map(|&n| {
                format!(
                    "{}（{}分）",
                    s.tree[n].name,
                    words::points(s.tree[n].points)
                )
            })
            .collect();
        let mut head: Vec<&str> = vec!["名次", "单位"];
        head.extend(head_dims.iter().map(String::as_str));
        head.extend(["指标得分", "加分", "倒扣分", "总分", "等次"]);
        let mut t = Table::new("results", &head, 2);
        t.align[0] = Align::Center;
        let last = head.len() - 1;
        t.align[last] = Align::Center;
        let mut notes = Vec::new();
        for &u in &cx.groups[gi] {
            let x = &cx.run.scored.units[u];
            let name = &cx.run.data.units.names[u];
            let star = reweighted(cx, u);
            let mut row = vec![
                Cell::new(x.rank.to_string()),
                Cell::new(if star {
                    format!("{name}*")
                } else {
                    name.clone()
                }),
            ];
            row.extend(dims.iter().map(|&n| Cell::new(dimension_text(cx, u, n))));
            row.extend([
                Cell::new(fmt2(x.base)),
                Cell::new(fmt2(x.bonus)),
                Cell::new(fmt2(x.penalty)),
                Cell::new(fmt2(x.total)),
                Cell::new(cx.grade_name(x.grade)),
            ]);
            t.rows.push(row);
            if star {
                let (got, of) = super::unit::dimension_sums(cx, u);
                if (of - s.points).abs() > 1e-9 {
                    notes.push(format!(
                        "{name}有得分的维度满分{}分，维度得分合计{}分，折算后指标得分为{}分",
                        fmt2(of),
                        fmt2(got),
                        fmt2(x.base)
                    ));
                }
            }
        }
        doc.push(Block::Table(t));
        let mut note =
            "注：指标得分为各维度得分按权重汇总的结果；总分＝指标得分＋加分－倒扣分。".to_string();
        let na = not_applicable(cx, gi);
        if !na.is_empty() {
            note.push_str(&format!(
                "{}不适用于{}，不计入，其余指标按原权重比例折算。",
                na.join("、"),
                cx.group_name(gi)
            ));
        }
        if !notes.is_empty() {
            note.push_str(&format!(
                "标*的单位有无数据或样本不足的指标，这些指标不计入，其余指标按原权重比例折算：{}。",
                notes.join("；")
            ));
        }
        doc.note(note);
    }
}

fn values(cx: &mut Ctx, doc: &mut Document) {
    let s = &cx.run.scheme;
    doc.para("下表列出各单位各项指标的完成值。“样本不足”指记录数少于计分所需的最少条数，“无数据”指没有可计算的记录，二者均不计入该单位得分，其余指标按原权重比例折算；“不适用”指该指标不考核此类单位。");
    let mut k = 0;
    for gi in 0..cx.groups.len() {
        for &dim in &s.tree[0].children {
            let inds: Vec<usize> = s
                .leaves_under(dim)
                .into_iter()
                .filter(|&i| {
                    let g = &cx.run.data.units.group_order[gi];
                    s.indicators[i].applies(g)
                })
                .collect();
            if inds.is_empty() {
                continue;
            }
            k += 1;
            doc.heading(
                2,
                format!(
                    "（{}）{}：{}",
                    numeral(k),
                    cx.group_name(gi),
                    s.tree[dim].name
                ),
            );
            let names: Vec<&str> = inds
                .iter()
                .map(|&i| s.indicators[i].name.as_str())
                .collect();
            let mut head = vec!["单位"];
            head.extend(names);
            let mut t = Table::new("values", &head, 1);
            for &u in &cx.groups[gi] {
                let mut row = vec![Cell::new(cx.run.data.units.names[u].clone())];
                row.extend(inds.iter().map(|&i| {
                    Cell::new(words::value_short(
                        &s.indicators[i],
                        &cx.run.scored.cells[i][u],
                    ))
                }));
                t.rows.push(row);
            }
            doc.push(Block::Table(t));
            let rules: Vec<String> = inds
                .iter()
                .map(|&i| {
                    format!(
                        "{}：{}",
                        s.indicators[i].name,
                        words::rule(s, &s.indicators[i])
                    )
                })
                .collect();
            doc.note(format!("注：{}。", rules.join("；")));
        }
        // The group's attainments at a glance, on an upright page.
        for c in cx.charts_of(gi, ChartKind::Heatmap) {
            cx.figure(doc, c);
        }
    }
}

fn stability(cx: &mut Ctx, doc: &mut Document) {
    let Some(mc) = &cx.run.uncertainty else {
        return;
    };
    doc.para(format!(
        "等次稳定性是在考核方案允许的合理范围内变动指标权重和计分方法、模拟计算{}次后，各单位保持本次考核等次的比例。比例越高，结果越稳健；它用于说明考核结果的可靠程度，不改变考核结果。",
        mc.draws
    ));
    for gi in 0..cx.groups.len() {
        doc.heading(2, format!("（{}）{}", numeral(gi + 1), cx.group_name(gi)));
        let mut t = Table::new(
            "stability",
            &[
                "名次",
                "单位",
                "总分",
                "等次",
                "保持该等次的比例",
                "名次区间（90%）",
            ],
            2,
        );
        t.align[0] = Align::Center;
        t.align[3] = Align::Center;
        for &u in &cx.groups[gi] {
            let x = &cx.run.scored.units[u];
            let m = &mc.units[u];
            let p = x.grade.map_or(String::new(), |g| {
                format!("{:.1}%", m.grade_probability[g] * 100.0)
            });
            t.rows.push(vec![
                Cell::new(x.rank.to_string()),
                Cell::new(cx.run.data.units.names[u].clone()),
                Cell::new(fmt2(x.total)),
                Cell::new(cx.grade_name(x.grade)),
                Cell::new(p),
                Cell::new(format!("{:.0}～{:.0}", m.p5_rank, m.p95_rank)),
            ]);
        }
        doc.push(Block::Table(t));
        for c in cx.charts_of(gi, ChartKind::Intervals) {
            cx.figure(doc, c);
        }
    }
}
