//! Building the bulletin's views from a run: per group the ranked table,
//! the charts and a card per unit.

use std::collections::HashMap;

use super::{
    Bulletin, Card, ChartView, DimView, GradeView, GroupView, ItemView, RowView, VetoView, hex,
    note_zh, numeral,
};
use crate::render::{Chart, ChartKind, grade_rgb};
use crate::report::{ExportError, fmt2};
use crate::run::Run;

/// What building the bulletin's views needs at hand.
struct Builder<'a> {
    run: &'a Run,
    charts: &'a [Chart],
    /// The previous run's rank by unit id.
    prev: Option<HashMap<String, usize>>,
    evidence: HashMap<usize, Vec<&'a crate::measure::evidence::Evidence>>,
}

impl Builder<'_> {
    fn grade_name(&self, g: Option<usize>) -> String {
        g.map_or(String::new(), |g| self.run.scheme.grades[g].name.clone())
    }

    fn grade_color(&self, g: Option<usize>) -> String {
        g.map_or("#9e9e9e".into(), |g| hex(grade_rgb(&self.run.scheme, g)))
    }

    fn view(c: &Chart) -> ChartView {
        ChartView {
            name: c.name.clone(),
            title: c.title.clone(),
            kind: c.kind.as_str(),
            svg: c.svg.clone(),
        }
    }

    /// Rank change against the previous run, and its CSS class.
    fn change(&self, u: usize) -> (String, &'static str) {
        let Some(p) = &self.prev else {
            return (String::new(), "");
        };
        match p.get(&self.run.data.units.ids[u]) {
            None => ("新增".to_string(), "new"),
            Some(&r) => {
                let d = r as i64 - self.run.scored.units[u].rank as i64;
                match d.cmp(&0) {
                    std::cmp::Ordering::Greater => (format!("↑{d}"), "up"),
                    std::cmp::Ordering::Less => (format!("↓{}", -d), "down"),
                    std::cmp::Ordering::Equal => ("—".to_string(), "same"),
                }
            }
        }
    }

    /// A unit's line of its group's ranked table.
    fn row(&self, u: usize) -> RowView {
        let (run, units) = (self.run, &self.run.data.units);
        let x = &run.scored.units[u];
        let (change, change_class) = self.change(u);
        let grade_probability = run
            .uncertainty
            .as_ref()
            .and_then(|mc| {
                let g = x.grade?;
                Some(format!("{:.0}%", mc.units[u].grade_probability[g] * 100.0))
            })
            .unwrap_or_default();
        RowView {
            rank: x.rank,
            id: units.ids[u].clone(),
            name: units.names[u].clone(),
            total: fmt2(x.total),
            base: fmt2(x.base),
            bonus: fmt2(x.bonus),
            penalty: fmt2(x.penalty),
            grade: self.grade_name(x.grade),
            color: self.grade_color(x.grade),
            vetoed: !x.vetoes.is_empty(),
            change,
            change_class,
            grade_probability,
        }
    }

    /// A unit's points per top-level dimension against its group's mean.
    fn dims(&self, u: usize, ms: &[usize]) -> Vec<DimView> {
        let (run, s) = (self.run, &self.run.scheme);
        s.tree[0]
            .children
            .iter()
            .map(|&n| {
                let node = &s.tree[n];
                let pts = |v: usize| run.scored.units[v].attainment[n].map(|a| a * node.points);
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
            .collect()
    }

    /// A unit's evidence records.
    fn items(&self, u: usize) -> Vec<ItemView> {
        let Some(es) = self.evidence.get(&u) else {
            return Vec::new();
        };
        es.iter()
            .map(|e| ItemView {
                rule: self.run.scheme.rule_name(e.rule_order).to_string(),
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
    }

    /// A unit's card: its result, dimensions and records.
    fn card(&self, u: usize, ms: &[usize]) -> Card {
        let (run, units) = (self.run, &self.run.data.units);
        let x = &run.scored.units[u];
        let items = self.items(u);
        Card {
            id: units.ids[u].clone(),
            name: units.names[u].clone(),
            rank: x.rank,
            total: fmt2(x.total),
            grade: self.grade_name(x.grade),
            color: self.grade_color(x.grade),
            pending: items.iter().filter(|i| i.pending).count(),
            dims: self.dims(u, ms),
            items,
            vetoes: x
                .vetoes
                .iter()
                .map(|&r| run.scheme.rules[r].name.clone())
                .collect(),
            profile: self
                .charts
                .iter()
                .find(|c| c.kind == ChartKind::Profile && c.unit == Some(u))
                .map(Self::view),
        }
    }

    /// Group `gi` (members `ms` in rank order); its vetoed units are added
    /// to `vetoes`.
    fn group(&self, gi: usize, ms: &[usize], vetoes: &mut Vec<VetoView>) -> GroupView {
        let (run, s) = (self.run, &self.run.scheme);
        let gname = s.group_name(&run.data.units.group_order[gi]).to_string();
        let mut grade_counts = vec![0; s.grades.len()];
        for &u in ms {
            let x = &run.scored.units[u];
            if let Some(g) = x.grade {
                grade_counts[g] += 1;
            }
            if !x.vetoes.is_empty() {
                let names: Vec<&str> = x.vetoes.iter().map(|&r| s.rules[r].name.as_str()).collect();
                vetoes.push(VetoView {
                    unit: run.data.units.names[u].clone(),
                    group: gname.clone(),
                    rules: names.join("；"),
                });
            }
        }
        GroupView {
            index: gi + 1,
            numeral: numeral(gi + 2),
            name: gname,
            size: ms.len(),
            vetoed: ms
                .iter()
                .filter(|&&u| !run.scored.units[u].vetoes.is_empty())
                .count(),
            grade_counts,
            rows: ms.iter().map(|&u| self.row(u)).collect(),
            charts: self
                .charts
                .iter()
                .filter(|c| c.group == Some(gi) && c.kind != ChartKind::Profile)
                .map(Self::view)
                .collect(),
            cards: ms.iter().map(|&u| self.card(u, ms)).collect(),
        }
    }
}

impl Bulletin {
    pub fn new(run: &Run, charts: &[Chart]) -> Result<Bulletin, ExportError> {
        let s = &run.scheme;
        let mut evidence: HashMap<usize, Vec<&crate::measure::evidence::Evidence>> = HashMap::new();
        for e in &run.evidence {
            evidence.entry(e.unit).or_default().push(e);
        }
        let b = Builder {
            run,
            charts,
            prev: run.previous.as_ref().map(|p| p.ranks()),
            evidence,
        };
        let mut groups = Vec::new();
        let mut vetoes = Vec::new();
        for (gi, ms) in run.scored.ranked_groups(&run.data.units).iter().enumerate() {
            groups.push(b.group(gi, ms, &mut vetoes));
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
