//! `explain.json`: each unit's result broken down for `govtrust explain`:
//! total, rank and grade; points per node against the maximum; each
//! indicator's value, n, attainment and points. The evidence records stay
//! in `evidence.csv` (one copy), and `explain` joins them back by unit.

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
    /// Filled in by `explain` from evidence.csv.
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceLine {
    pub rule_id: String,
    pub dataset: String,
    pub record_key: String,
    pub points: f64,
    pub note: String,
}

pub fn explained(run: &Run) -> Explained {
    let s = &run.scheme;
    let units = &run.data.units;
    let walk = s.walk();
    let group_size = |g: &str| units.groups.iter().filter(|x| x.as_str() == g).count();
    Explained {
        scheme: s.name.clone(),
        period: format!("{} – {}", s.period.start, s.period.end),
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
                            }
                        })
                        .collect(),
                    evidence: Vec::new(),
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

/// A unit's explanation as text for the terminal.
pub fn text(e: &Explained, u: &Unit) -> String {
    let opt = |x: Option<f64>, f: fn(f64) -> String| x.map_or("—".to_string(), f);
    let mut o = format!(
        "{} ({}) — {}, {}\n  group {}: rank {} of {}; total {:.2} = base {:.2} + bonus {:.2} − penalty {:.2}; grade {}\n",
        u.unit_name,
        u.unit_id,
        e.scheme,
        e.period,
        u.group,
        u.rank,
        u.group_size,
        u.total,
        u.base,
        u.bonus,
        u.penalty,
        u.grade.as_deref().unwrap_or("—")
    );
    if !u.vetoes.is_empty() {
        o.push_str(&format!("  veto (一票否决): {}\n", u.vetoes.join("; ")));
    }
    o.push_str("\n  points per node (of maximum):\n");
    for n in &u.nodes {
        o.push_str(&format!(
            "  {}{} {}: {} / {}\n",
            "  ".repeat(n.depth),
            n.id,
            n.name,
            opt(n.points, |p| format!("{p:.2}")),
            n.max
        ));
    }
    o.push_str("\n  indicators: value, n, attainment, points / maximum, status\n");
    for i in &u.indicators {
        o.push_str(&format!(
            "    {} {}: {}, n={}, {}, {} / {}, {}\n",
            i.id,
            i.name,
            opt(i.value, |v| format!("{v}")),
            i.n.map_or("—".into(), |n| n.to_string()),
            opt(i.attainment, |a| format!("{a:.4}")),
            opt(i.points, |p| format!("{p:.2}")),
            i.max,
            i.status
        ));
    }
    o.push_str(&format!("\n  evidence ({} records):\n", u.evidence.len()));
    for ev in &u.evidence {
        o.push_str(&format!(
            "    {:+} {} {}#{}{}\n",
            ev.points,
            ev.rule_id,
            ev.dataset,
            ev.record_key,
            if ev.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", ev.note)
            }
        ));
    }
    o
}
