//! Earlier runs: a run's results as a ranking ([`Snapshot`]), from its
//! scores in memory or read back from its `scores.csv`, and per unit the
//! change of rank, total and grade between two rankings.
//!
//! Units are matched by `unit_id`. A rank change is the old rank minus the
//! new one, so a positive change is a move up. A unit in only one run is
//! `added` or `removed`; a unit that changed peer group is compared all
//! the same and flagged by its two groups.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::data::Units;
use crate::scheme::Scheme;
use crate::score::Scores;

/// One unit's line of a run's `scores.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub group: String,
    pub rank: usize,
    pub total: f64,
    pub grade: String,
}

/// A run's results as read back from its output directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Shown on charts, e.g. the scheme name of the previous run.
    pub label: String,
    /// The period assessed (start, end), when known (from the manifest).
    pub period: Option<(String, String)>,
    pub rows: Vec<Row>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{}: cannot read: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}, line {line}: {what}", path.display())]
    Bad {
        path: PathBuf,
        line: u64,
        what: String,
    },
}

impl Snapshot {
    /// What a chart calls this snapshot: its period as offices name it
    /// (2024年度, 2025年第一季度) when known, else its label.
    pub fn period_label(&self) -> String {
        self.period
            .as_ref()
            .and_then(|(a, b)| {
                let p = crate::scheme::Period {
                    start: crate::calendar::parse_date(a)?,
                    end: crate::calendar::parse_date(b)?,
                };
                Some(p.label())
            })
            .unwrap_or_else(|| self.label.clone())
    }

    /// Read `dir/scores.csv` (and the scheme name from `dir/manifest.json`,
    /// when present).
    pub fn read(dir: &Path) -> Result<Snapshot, CompareError> {
        let path = dir.join("scores.csv");
        let bytes = std::fs::read(&path).map_err(|e| CompareError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        let bad = |line: u64, what: String| CompareError::Bad {
            path: path.clone(),
            line,
            what,
        };
        let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let head = rd.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let col = |name: &str| {
            head.iter().position(|h| h == name).ok_or_else(|| {
                bad(
                    1,
                    format!("no column `{name}`; is this a govtrust output directory?"),
                )
            })
        };
        let (id, name, group, rank, total, grade) = (
            col("unit_id")?,
            col("unit_name")?,
            col("group")?,
            col("rank")?,
            col("total")?,
            col("grade")?,
        );
        let mut rows = Vec::new();
        for (k, rec) in rd.records().enumerate() {
            let line = k as u64 + 2;
            let rec = rec.map_err(|e| bad(line, e.to_string()))?;
            let num = |c: usize, what: &str| {
                rec[c]
                    .parse::<f64>()
                    .map_err(|_| bad(line, format!("{what} `{}` is not a number", &rec[c])))
            };
            rows.push(Row {
                id: rec[id].to_string(),
                // scores.csv guards formula-like names with a quote.
                name: unguard(&rec[name]),
                group: rec[group].to_string(),
                rank: num(rank, "rank")? as usize,
                total: num(total, "total")?,
                grade: rec[grade].to_string(),
            });
        }
        let manifest = std::fs::read(dir.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        let label = manifest
            .as_ref()
            .and_then(|m| m["scheme"]["name"].as_str().map(str::to_string))
            .unwrap_or_else(|| dir.display().to_string());
        let period = manifest.as_ref().and_then(|m| {
            let p = &m["period"];
            Some((
                p["start"].as_str()?.to_string(),
                p["end"].as_str()?.to_string(),
            ))
        });
        Ok(Snapshot {
            label,
            period,
            rows,
        })
    }

    /// The snapshot of scores in memory.
    pub fn of(scheme: &Scheme, u: &Units, scored: &Scores) -> Snapshot {
        Snapshot {
            label: scheme.name.clone(),
            period: Some((
                scheme.period.start.to_string(),
                scheme.period.end.to_string(),
            )),
            rows: scored
                .order
                .iter()
                .map(|&i| {
                    let x = &scored.units[i];
                    Row {
                        id: u.ids[i].clone(),
                        name: u.names[i].clone(),
                        group: u.groups[i].clone(),
                        rank: x.rank,
                        total: x.total,
                        grade: x
                            .grade
                            .map_or(String::new(), |g| scheme.grades[g].name.clone()),
                    }
                })
                .collect(),
        }
    }

    /// Rank by unit id.
    pub fn ranks(&self) -> HashMap<String, usize> {
        self.rows.iter().map(|r| (r.id.clone(), r.rank)).collect()
    }
}

fn unguard(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// What changed for a unit between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Added,
    Removed,
    GroupChanged,
    GradeChanged,
    SameGrade,
}

impl ChangeStatus {
    /// As compare.csv writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Added => "added",
            ChangeStatus::Removed => "removed",
            ChangeStatus::GroupChanged => "group changed",
            ChangeStatus::GradeChanged => "grade changed",
            ChangeStatus::SameGrade => "same grade",
        }
    }
}

/// One unit's change between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub old: Option<Row>,
    pub new: Option<Row>,
}

impl Change {
    /// Old rank minus new rank: positive is a move up.
    pub fn rank_change(&self) -> Option<i64> {
        Some(self.old.as_ref()?.rank as i64 - self.new.as_ref()?.rank as i64)
    }
    pub fn total_change(&self) -> Option<f64> {
        Some(self.new.as_ref()?.total - self.old.as_ref()?.total)
    }
    pub fn status(&self) -> ChangeStatus {
        match (&self.old, &self.new) {
            (None, _) => ChangeStatus::Added,
            (_, None) => ChangeStatus::Removed,
            (Some(o), Some(n)) if o.group != n.group => ChangeStatus::GroupChanged,
            (Some(o), Some(n)) if o.grade != n.grade => ChangeStatus::GradeChanged,
            _ => ChangeStatus::SameGrade,
        }
    }
}

/// Changes in the new run's order, then removed units in the old run's.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let by_id: HashMap<&str, &Row> = old.rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let now: std::collections::HashSet<&str> = new.rows.iter().map(|r| r.id.as_str()).collect();
    let mut out: Vec<Change> = new
        .rows
        .iter()
        .map(|r| Change {
            old: by_id.get(r.id.as_str()).map(|&o| o.clone()),
            new: Some(r.clone()),
        })
        .collect();
    out.extend(
        old.rows
            .iter()
            .filter(|r| !now.contains(r.id.as_str()))
            .map(|r| Change {
                old: Some(r.clone()),
                new: None,
            }),
    );
    out
}
