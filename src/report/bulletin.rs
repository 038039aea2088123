//! The bulletin (通报): one view of a run shared by `bulletin.html`
//! (minijinja, every text auto-escaped) and `bulletin.docx`.
//!
//! Content: title, period and issuing office from the scheme; a summary
//! (units per group, grade counts, vetoes); per group the ranked table and
//! its charts; and a card per unit with its points per dimension against
//! the maximum, each deduction, bonus and veto with its evidence record,
//! pending objections (异议处理中) flagged.

use std::collections::HashMap;

use serde::Serialize;

use super::{ExportError, fmt2};
use crate::render::{Chart, ChartKind, grade_rgb};
use crate::run::Run;

#[derive(Serialize)]
pub struct Bulletin {
    pub title: String,
    pub office: String,
    pub period: String,
    pub grades: Vec<GradeView>,
    pub groups: Vec<GroupView>,
    pub vetoes: Vec<VetoView>,
    pub has_previous: bool,
    pub previous_label: String,
    pub has_uncertainty: bool,
    pub rejected: usize,
    pub rows_read: u64,
    pub warnings: usize,
}

#[derive(Serialize)]
pub struct GradeView {
    pub name: String,
    pub color: String,
}

#[derive(Serialize)]
pub struct GroupView {
    pub index: usize,
    /// The section number in Chinese (the summary is 一).
    pub numeral: String,
    pub name: String,
    pub size: usize,
    /// Units per grade, in scheme order.
    pub grade_counts: Vec<usize>,
    pub vetoed: usize,
    pub rows: Vec<RowView>,
    pub charts: Vec<ChartView>,
    pub cards: Vec<Card>,
}

#[derive(Serialize)]
pub struct RowView {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub total: String,
    pub base: String,
    pub bonus: String,
    pub penalty: String,
    pub grade: String,
    pub color: String,
    pub vetoed: bool,
    /// "↑2", "↓1", "—", "新增", or "" without a previous run.
    pub change: String,
    pub change_class: &'static str,
    /// "90%" when an uncertainty analysis gives the grade's probability.
    pub grade_probability: String,
}

#[derive(Serialize, Clone)]
pub struct ChartView {
    pub name: String,
    pub title: String,
    pub kind: &'static str,
    /// Inline SVG (plotters escapes every text it draws).
    pub svg: String,
}

#[derive(Serialize)]
pub struct VetoView {
    pub unit: String,
    pub group: String,
    pub rules: String,
}

#[derive(Serialize)]
pub struct Card {
    pub id: String,
    pub name: String,
    pub rank: usize,
    pub total: String,
    pub grade: String,
    pub color: String,
    pub dims: Vec<DimView>,
    pub items: Vec<ItemView>,
    pub pending: usize,
    pub vetoes: Vec<String>,
    pub profile: Option<ChartView>,
}

#[derive(Serialize)]
pub struct DimView {
    pub name: String,
    pub points: String,
    pub max: String,
    pub mean: String,
}

#[derive(Serialize)]
pub struct ItemView {
    pub rule: String,
    pub dataset: String,
    pub record: String,
    pub points: String,
    pub note: String,
    pub pending: bool,
    /// "deduction", "bonus" or "veto".
    pub kind: &'static str,
}

/// 1 → 一, …, 10 → 十, 11 → 十一, …, 99; larger as digits.
pub fn numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10..=19 => format!("十{}", D[n % 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

fn hex(c: u32) -> String {
    format!("#{c:06x}")
}

/// Evidence notes in the bulletin's language.
fn note_zh(note: &str) -> String {
    note.replace("pending objection", "异议处理中")
        .replace("repaired", "已信用修复")
}

impl Bulletin {
    pub fn new(run: &Run, charts: &[Chart]) -> Result<Bulletin, ExportError> {
        let s = &run.scheme;
        let units = &run.data.units;
        let groups_members = run.scored.ranked_groups(&run.data.units);
        let prev = run.previous.as_ref().map(|p| p.ranks());
        let mut evidence: HashMap<usize, Vec<&crate::measure::evidence::Evidence>> = HashMap::new();
        for e in &run.evidence {
            evidence.entry(e.unit).or_default().push(e);
        }
        let grade_name = |g: Option<usize>| g.map_or(String::new(), |g| s.grades[g].name.clone());
        let grade_color = |g: Option<usize>| g.map_or("#9e9e9e".into(), |g| hex(grade_rgb(s, g)));
        let view = |c: &Chart| ChartView {
            name: c.name.clone(),
            title: c.title.clone(),
            kind: c.kind.as_str(),
            svg: c.svg.clone(),
        };
        let mut groups = Vec::new();
        let mut vetoes = Vec::new();
        for (gi, ms) in groups_members.iter().enumerate() {
            let gname = s.group_name(&units.group_order[gi]).to_string();
            let mut grade_counts = vec![0; s.grades.len()];
            let mut rows = Vec::new();
            let mut cards = Vec::new();
            for &u in ms {
                let x = &run.scored.units[u];
                if let Some(g) = x.grade {
                    grade_counts[g] += 1;
                }
                let veto_names: Vec<String> =
                    x.vetoes.iter().map(|&r| s.rules[r].name.clone()).collect();
                if !x.vetoes.is_empty() {
                    vetoes.push(VetoView {
                        unit: units.names[u].clone(),
                        group: gname.clone(),
                        rules: veto_names.join("；"),
                    });
                }
                let (change, change_class) = match &prev {
                    None => (String::new(), ""),
                    Some(p) => match p.get(&units.ids[u]) {
                        None => ("新增".to_string(), "new"),
                        Some(&r) => {
                            let d = r as i64 - x.rank as i64;
                            match d.cmp(&0) {
                                std::cmp::Ordering::Greater => (format!("↑{d}"), "up"),
                                std::cmp::Ordering::Less => (format!("↓{}", -d), "down"),
                                std::cmp::Ordering::Equal => ("—".to_string(), "same"),
                            }
                        }
                    },
                };
                let grade_probability = run
                    .uncertainty
                    .as_ref()
                    .and_then(|mc| {
                        let g = x.grade?;
                        Some(format!("{:.0}%", mc.units[u].grade_probability[g] * 100.0))
                    })
                    .unwrap_or_default();
                rows.push(RowView {
                    rank: x.rank,
                    id: units.ids[u].clone(),
                    name: units.names[u].clone(),
                    total: fmt2(x.total),
                    base: fmt2(x.base),
                    bonus: fmt2(x.bonus),
                    penalty: fmt2(x.penalty),
                    grade: grade_name(x.grade),
                    color: grade_color(x.grade),
                    vetoed: !x.vetoes.is_empty(),
                    change,
                    change_class,
                    grade_probability,
                });
                let dims = s.tree[0]
                    .children
                    .iter()
                    .map(|&n| {
                        let node = &s.tree[n];
                        let pts =
                            |v: usize| run.scored.units[v].attainment[n].map(|a| a * node.points);
                        let vals: Vec<f64> = ms.iter().filter_map(|&v| pts(v)).collect();
                        DimView {
                            name: node.name.clone(),
                            points: pts(u).map_or("无数据".into(), fmt2),
                            max: fmt2(node.points),
                            mean: if vals.is_empty() {
                                "—".into()
                            } else {
                                fmt2(vals.iter().sum::<f64>() / vals.len() as f64)
                            },
                        }
                    })
                    .collect();
                let items: Vec<ItemView> = evidence
                    .get(&u)
                    .map(|es| {
                        es.iter()
                            .map(|e| ItemView {
                                rule: run.scheme.rule_name(e.rule_order).to_string(),
                                dataset: e.dataset.clone(),
                                record: e.record_key.clone(),
                                points: if e.points > 0.0 {
                                    format!("+{}", fmt2(e.points))
                                } else {
                                    fmt2(e.points)
                                },
                                note: note_zh(&e.note),
                                pending: e.note.contains("pending objection"),
                                kind: if e.points > 0.0 {
                                    "bonus"
                                } else if e.points < 0.0 {
                                    "deduction"
                                } else {
                                    "veto"
                                },
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                cards.push(Card {
                    id: units.ids[u].clone(),
                    name: units.names[u].clone(),
                    rank: x.rank,
                    total: fmt2(x.total),
                    grade: grade_name(x.grade),
                    color: grade_color(x.grade),
                    pending: items.iter().filter(|i| i.pending).count(),
                    dims,
                    items,
                    vetoes: veto_names,
                    profile: charts
                        .iter()
                        .find(|c| c.kind == ChartKind::Profile && c.unit == Some(u))
                        .map(view),
                });
            }
            groups.push(GroupView {
                index: gi + 1,
                numeral: numeral(gi + 2),
                name: gname,
                size: ms.len(),
                vetoed: ms
                    .iter()
                    .filter(|&&u| !run.scored.units[u].vetoes.is_empty())
                    .count(),
                grade_counts,
                rows,
                charts: charts
                    .iter()
                    .filter(|c| c.group == Some(gi) && c.kind != ChartKind::Profile)
                    .map(view)
                    .collect(),
                cards,
            });
        }
        Ok(Bulletin {
            title: s.name.clone(),
            office: s.office.clone().unwrap_or_default(),
            period: format!(
                "{}年{}月{}日至{}年{}月{}日",
                s.period.start.format("%Y"),
                s.period.start.format("%-m"),
                s.period.start.format("%-d"),
                s.period.end.format("%Y"),
                s.period.end.format("%-m"),
                s.period.end.format("%-d")
            ),
            grades: (0..s.grades.len())
                .map(|g| GradeView {
                    name: s.grades[g].name.clone(),
                    color: hex(grade_rgb(s, g)),
                })
                .collect(),
            groups,
            vetoes,
            has_previous: run.previous.is_some(),
            previous_label: run
                .previous
                .as_ref()
                .map_or(String::new(), |p| p.label.clone()),
            has_uncertainty: run.uncertainty.is_some(),
            rejected: run.data.rejects.len(),
            rows_read: run.data.inputs.iter().map(|i| i.accounting.rows_read).sum(),
            warnings: run.signals.len(),
        })
    }
}

static TEMPLATE: &str = include_str!("templates/bulletin.html");

/// `bulletin.html`: self-contained (inline CSS and SVG, no scripts, no
/// network), with A4 print styles.
pub fn html(b: &Bulletin) -> Result<String, ExportError> {
    let mut env = minijinja::Environment::new();
    env.add_template("bulletin.html", TEMPLATE)
        .map_err(|e| ExportError::Other(format!("bulletin template: {e}")))?;
    env.get_template("bulletin.html")
        .and_then(|t| {
            t.render(
                minijinja::context! { b => minijinja::Value::from(minijinja::value::Serde(b)) },
            )
        })
        .map_err(|e| ExportError::Other(format!("bulletin template: {e:#}")))
}
