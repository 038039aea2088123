//! `explain.json`: each unit's result broken down for `govtrust explain`:
//! total, rank and grade; points per node against the maximum; each
//! indicator's value (as a number and as the reader sees it), n,
//! attainment, points and rule in words; the reweighting; and each record
//! behind its points with its rule's name, date and descriptive columns.

use serde::{Deserialize, Serialize};

use super::{ExportError, Exporter, OutFile, round2_value};
use crate::run::Run;
use crate::scheme::NodeKind;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Explained {
    pub scheme: String,
    pub period: String,
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Unit {
    pub unit_id: String,
    pub unit_name: String,
    pub group: String,
    /// The group's display name.
    #[serde(default)]
    pub group_name: String,
    pub rank: usize,
    pub group_size: usize,
    pub total: f64,
    pub base: f64,
    pub bonus: f64,
    pub penalty: f64,
    pub grade: Option<String>,
    pub vetoes: Vec<String>,
    pub nodes: Vec<Node>,
    pub indicators: Vec<Indicator>,
    /// Why the points of the dimensions do not add up to 指标得分, when
    /// indicators were left out (n/a, no data).
    #[serde(default)]
    pub reweighting: Option<String>,
    #[serde(default)]
    pub evidence: Vec<EvidenceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub depth: usize,
    /// None: n/a or missing throughout.
    pub points: Option<f64>,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub value: Option<f64>,
    pub n: Option<u64>,
    pub attainment: Option<f64>,
    pub points: Option<f64>,
    pub max: f64,
    pub status: String,
    /// The value as the reader sees it: 92.05%, 2.57个工作日, 不适用.
    #[serde(default)]
    pub value_text: String,
    /// The rule in words.
    #[serde(default)]
    pub rule: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceLine {
    pub rule_id: String,
    #[serde(default)]
    pub rule_name: String,
    pub dataset: String,
    #[serde(default)]
    pub dataset_title: String,
    pub record_key: String,
    /// The record's day.
    #[serde(default)]
    pub date: String,
    /// The dataset's `show` columns.
    #[serde(default)]
    pub details: Vec<String>,
    pub points: f64,
    pub note: String,
}

pub fn explained(run: &Run) -> Explained {
    let s = &run.scheme;
    let units = &run.data.units;
    let walk = s.walk();
    let mut sizes: std::collections::HashMap<&str, usize> = Default::default();
    for g in &units.groups {
        *sizes.entry(g.as_str()).or_default() += 1;
    }
    let group_size = |g: &str| sizes.get(g).copied().unwrap_or(0);
    let by_unit = crate::measure::evidence::by_unit(&run.evidence, units.len());
    // The rule of each indicator in words, once.
    let rules: Vec<String> = s
        .indicators
        .iter()
        .map(|ind| super::words::rule(s, ind))
        .collect();
    Explained {
        scheme: s.name.clone(),
        period: super::words::period(s),
        units: run
            .scored
            .order
            .iter()
            .map(|&u| {
                let x = &run.scored.units[u];
                Unit {
                    unit_id: units.ids[u].clone(),
                    unit_name: units.names[u].clone(),
                    group: units.groups[u].clone(),
                    group_name: s.group_name(&units.groups[u]).to_string(),
                    rank: x.rank,
                    group_size: group_size(&units.groups[u]),
                    total: x.total,
                    base: round2_value(x.base),
                    bonus: round2_value(x.bonus),
                    penalty: round2_value(x.penalty),
                    grade: x.grade.map(|g| s.grades[g].name.clone()),
                    vetoes: x.vetoes.iter().map(|&r| s.rules[r].name.clone()).collect(),
                    nodes: walk
                        .iter()
                        .filter(|(_, n)| s.tree[*n].kind == NodeKind::Node)
                        .map(|&(depth, n)| Node {
                            id: s.tree[n].id.clone(),
                            name: s.tree[n].name.clone(),
                            depth,
                            points: x.attainment[n].map(|a| round2_value(a * s.tree[n].points)),
                            max: s.tree[n].points,
                        })
                        .collect(),
                    indicators: s
                        .indicators
                        .iter()
                        .enumerate()
                        .map(|(i, ind)| {
                            let c = &run.scored.cells[i][u];
                            Indicator {
                                id: ind.id.clone(),
                                name: ind.name.clone(),
                                value: c.value,
                                n: c.n,
                                attainment: c.attainment,
                                points: c.points.map(round2_value),
                                max: s.tree[ind.node].points,
                                status: c.status.as_str().to_string(),
                                value_text: super::words::value(ind, c),
                                rule: rules[i].clone(),
                            }
                        })
                        .collect(),
                    reweighting: reweighting(run, u),
                    evidence: evidence(run, &by_unit[u]),
                }
            })
            .collect(),
    }
}

pub struct ExplainJson;

impl Exporter for ExplainJson {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        Ok(vec![(
            "explain.json".into(),
            serde_json::to_vec(&explained(run))?,
        )])
    }
}

/// The reweighting sentence of unit `u`, if any indicator was left out.
fn reweighting(run: &Run, u: usize) -> Option<String> {
    use crate::score::Status;
    let s = &run.scheme;
    let out: Vec<&str> = s
        .indicators
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            matches!(
                run.scored.cells[*i][u].status,
                Status::Missing | Status::NotApplicable
            )
        })
        .map(|(_, ind)| ind.name.as_str())
        .collect();
    if out.is_empty() {
        return None;
    }
    let x = &run.scored.units[u];
    let (got, of) = x.dimension_sums(s);
    Some(format!(
        "{}不适用、无数据或样本不足，不计入，其余指标按原权重比例折算：有得分的维度满分{}分，维度得分合计{}分，折算后指标得分为{}分。",
        out.join("、"),
        super::fmt2(of),
        super::fmt2(got),
        super::fmt2(x.base)
    ))
}

/// The records behind a unit's points.
fn evidence(run: &Run, records: &[&crate::measure::evidence::Evidence]) -> Vec<EvidenceLine> {
    let s = &run.scheme;
    records
        .iter()
        .map(|e| EvidenceLine {
            rule_id: e.rule_id.clone(),
            rule_name: s.rule_name(e.rule_order).to_string(),
            dataset: e.dataset.clone(),
            dataset_title: s.dataset_title(&e.dataset).to_string(),
            record_key: e.record_key.clone(),
            date: e.date.clone(),
            details: e.details.clone(),
            points: e.points,
            note: e.note.clone(),
        })
        .collect()
}

/// A unit's explanation as text for the terminal, in Chinese.
pub fn text(e: &Explained, u: &Unit) -> String {
    let opt = |x: Option<f64>| x.map_or("—".to_string(), |p| format!("{p:.2}"));
    let pts = super::words::points;
    let group = if u.group_name.is_empty() {
        &u.group
    } else {
        &u.group_name
    };
    let mut o = format!(
        "{}（{}）— {}，{}\n  {}{}个单位中第{}名；总分{:.2} = 指标得分{:.2} + 加分{:.2} − 倒扣分{:.2}；等次：{}\n",
        u.unit_name,
        u.unit_id,
        e.scheme,
        e.period,
        group,
        u.group_size,
        u.rank,
        u.total,
        u.base,
        u.bonus,
        u.penalty,
        u.grade.as_deref().unwrap_or("—")
    );
    if !u.vetoes.is_empty() {
        o.push_str(&format!("  一票否决：{}\n", u.vetoes.join("；")));
    }
    if let Some(r) = &u.reweighting {
        o.push_str(&format!("  注：{r}\n"));
    }
    o.push_str("\n  各维度得分（得分 / 满分）：\n");
    for n in &u.nodes {
        o.push_str(&format!(
            "  {}{}：{} / {}\n",
            "  ".repeat(n.depth),
            n.name,
            n.points.map_or("无数据".to_string(), |p| format!("{p:.2}")),
            pts(n.max)
        ));
    }
    o.push_str("\n  各项指标（完成值；样本量；得分 / 满分；计分规则）：\n");
    for i in &u.indicators {
        let value = if i.value_text.is_empty() {
            opt(i.value)
        } else {
            i.value_text.clone()
        };
        o.push_str(&format!(
            "    {}：{}；{}；{} / {}；{}\n",
            i.name,
            value,
            i.n.map_or("—".into(), |n| format!("{n}条")),
            if i.status == "n/a" {
                "不适用".to_string()
            } else {
                opt(i.points)
            },
            pts(i.max),
            i.rule
        ));
    }
    o.push_str(&format!(
        "\n  扣分、加分和否决所依据的记录（{}条）：\n",
        u.evidence.len()
    ));
    for ev in &u.evidence {
        let mut parts = vec![
            if ev.points == 0.0 {
                "否决".to_string()
            } else {
                format!("{:+.2}", ev.points)
            },
            if ev.rule_name.is_empty() {
                ev.rule_id.clone()
            } else {
                ev.rule_name.clone()
            },
            format!(
                "{} {}",
                if ev.dataset_title.is_empty() {
                    &ev.dataset
                } else {
                    &ev.dataset_title
                },
                crate::render::printable(&ev.record_key)
            ),
        ];
        if !ev.date.is_empty() {
            parts.push(ev.date.clone());
        }
        let d: Vec<&str> = ev
            .details
            .iter()
            .map(String::as_str)
            .filter(|d| !d.is_empty())
            .collect();
        if !d.is_empty() {
            parts.push(crate::render::printable(&d.join("，")).into_owned());
        }
        if !ev.note.is_empty() {
            parts.push(super::words::note(&ev.note));
        }
        o.push_str(&format!("    {}\n", parts.join("  ")));
    }
    o
}

/// The units whose name or id is nearest to `query`, best first (at most
/// `k`): names containing it (or contained in it) first, then by edit
/// distance over characters.
pub fn nearest<'a>(e: &'a Explained, query: &str, k: usize) -> Vec<&'a Unit> {
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let score = |u: &Unit| {
        let contains = u.unit_name.contains(query) || query.contains(u.unit_name.as_str());
        (
            !contains,
            distance(query, &u.unit_name).min(distance(query, &u.unit_id)),
        )
    };
    let mut all: Vec<&Unit> = e.units.iter().collect();
    all.sort_by_key(|u| score(u));
    let limit = query.chars().count().max(2);
    all.into_iter()
        .filter(|u| {
            let (far, d) = score(u);
            !far || d <= limit / 2
        })
        .take(k)
        .collect()
}
