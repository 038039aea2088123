//! The assessment scheme (docs/scheme.md sections 1, 2, 4 and 6-8): TOML
//! files in, a checked [`Scheme`] out.
//!
//! One file per section of the format, as cargo-deny does it: each holds
//! its section's raw config (serde structs with spans; unknown keys are
//! errors), its validation, and its checked type.
//!
//! | file | section |
//! | --- | --- |
//! | [`load`] | 1: reading the files, assembling the sections |
//! | [`header`] | 1: `[scheme]` |
//! | [`datasets`] | 1: `[units]`, `[datasets.*]`, columns and types |
//! | [`tree`] | 2: `[[node]]`, the hierarchy and its points |
//! | [`expr`] | 2: expressions (`where`, `of`, `expr`, `num`, `den`) |
//! | [`indicators`] | 2: `[[indicator]]` |
//! | [`measures`] | 4: `measure = { kind = ... }`, points |
//! | [`scores`] | 6: `score = { kind = ... }`, direction |
//! | [`rules`] | 7: `[[bonus]]`, `[[penalty]]`, `[[veto]]` |
//! | [`grades`] | 8: `[[grade]]` |
//! | [`signals`] | `[[alert]]`, `[[screen]]` (early warnings) |
//! | [`publication`] | 10 and 3: `[bulletin]`, `[objections]` |
//! | [`ids`] | ids, unique across the scheme |
//!
//! Validation collects every problem with its file, line and column
//! before any data is read.

mod context;
pub mod datasets;
pub mod expr;
pub mod grades;
pub mod header;
pub mod ids;
pub mod indicators;
mod items;
mod kinds;
pub mod load;
pub mod measures;
pub mod publication;
pub mod rules;
pub mod scores;
pub mod signals;
pub mod tree;

use std::path::{Path, PathBuf};

pub use crate::diag::{Diagnostic, Diagnostics};
pub use datasets::{
    ColType, ColumnSpec, DatasetSpec, EXEMPT, Encoding, FileSpec, Format, OBJECTION, REPAIRED_ON,
};
pub use grades::Grade;
pub use header::{MissingPolicy, PendingPolicy, Period, VetoRank};
pub use ids::SCORE_COLUMNS;
pub use indicators::Indicator;
pub use load::load_sources;
pub use measures::{Measure, MeasureKind, Points};
pub use publication::{BulletinSpec, ObjectionsSpec};
pub use rules::{Rule, RuleKind};
pub use scores::{Direction, Score, ScoreKind};
pub use signals::{Alert, Screen};
pub use tree::{Aggregation, NodeKind, TreeNode, WeightMethod};

use crate::calendar::Calendar;

/// See [`Scheme::left_for_period`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeftForPeriod {
    /// The scheme's own period's label (2025年度).
    pub label: String,
    pub number: Option<String>,
    pub date: Option<chrono::NaiveDate>,
}

/// Why a scheme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    #[error("cannot read scheme {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("scheme {} has no .toml files", .0.display())]
    Empty(PathBuf),
    #[error("the scheme has {} problem{}:\n{}", .0.0.len(), if .0.0.len() == 1 { "" } else { "s" }, .0)]
    Invalid(Diagnostics),
}

/// A validated scheme.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub name: String,
    pub office: Option<String>,
    /// Display names of peer groups (`[scheme] groups`); a group without
    /// one is shown by its id.
    pub group_names: std::collections::BTreeMap<String, String>,
    pub period: Period,
    pub points: f64,
    pub missing: MissingPolicy,
    pub pending_objections: PendingPolicy,
    pub repair_factor: f64,
    pub bonus_cap: Option<f64>,
    pub veto_rank: VetoRank,
    pub calendar: Calendar,
    pub units: FileSpec,
    pub datasets: Vec<DatasetSpec>,
    pub tree: Vec<TreeNode>,
    pub indicators: Vec<Indicator>,
    pub rules: Vec<Rule>,
    pub grades: Vec<Grade>,
    pub alerts: Vec<Alert>,
    pub screens: Vec<Screen>,
    pub bulletin: BulletinSpec,
    pub objections: ObjectionsSpec,
    /// Set when the period was given on the command line (`--period`):
    /// the bulletin's files then carry it in their names.
    pub period_override: bool,
    /// The `[bulletin]` 文号 and 成文日期 that [`Scheme::with_period`]
    /// did not carry to another period: they belong to the scheme's own
    /// period's bulletin.
    pub left_for_period: LeftForPeriod,
    /// The scheme files read, in order, and a BLAKE3 digest over their bytes.
    pub files: Vec<PathBuf>,
    pub digest: String,
}

impl Scheme {
    /// The scheme for another period (`--period`): the period replaced,
    /// and the name following it: the old period's label in the name
    /// (2025年度) is replaced by the new one (2025年第一季度); a name
    /// without it gets the new label in front.
    ///
    /// For a period other than the scheme's own, the bulletin's `number`
    /// (文号) and `date` (成文日期) are not carried over: two documents
    /// never share a 文号, and a quarter's bulletin is not dated on the
    /// year's. The 文号 is left out and the date left for the office to
    /// fill in (objection deadlines are then judged as of the period's
    /// end), unless `assess --bulletin-number/--bulletin-date` give this
    /// period's; [`Scheme::period_note`] says so. A `title` written with
    /// the old period's label gets the new one, as the name does.
    pub fn with_period(mut self, p: Period) -> Scheme {
        let (old, new) = (self.period.label(), p.label());
        self.name = if self.name.contains(&old) {
            self.name.replacen(&old, &new, 1)
        } else {
            format!("{new}{}", self.name)
        };
        if p != self.period {
            let b = &mut self.bulletin;
            if let Some(t) = &mut b.title {
                *t = t.replacen(&old, &new, 1);
            }
            self.left_for_period = LeftForPeriod {
                label: old,
                number: b.number.take(),
                date: b.date.take(),
            };
        }
        self.period = p;
        self.period_override = true;
        self
    }

    /// What `--period` left out of the bulletin and is still not given,
    /// in Chinese, for the run's warnings; None if nothing.
    pub fn period_note(&self) -> Option<String> {
        let l = &self.left_for_period;
        // What was left out, and what that means, for each still missing.
        let (mut left, mut means) = (Vec::new(), Vec::new());
        if let (Some(n), None) = (&l.number, &self.bulletin.number) {
            left.push(format!("文号“{n}”"));
            means.push("文号空缺");
        }
        if let (Some(d), None) = (l.date, self.bulletin.date) {
            left.push(format!("成文日期{}", d.format("%Y年%-m月%-d日")));
            means.push("成文日期留待填写，异议期限按考核期末计算");
        }
        (!left.is_empty()).then(|| {
            format!(
                "方案[bulletin]的{}属于{}的通报，{}的通报不沿用：{}；可用 assess --bulletin-number、--bulletin-date 给出本期的",
                left.join("和"),
                l.label,
                self.period.label(),
                means.join("、")
            )
        })
    }

    /// The display name of a peer group.
    pub fn group_name<'a>(&'a self, group: &'a str) -> &'a str {
        self.group_names.get(group).map_or(group, |s| s.as_str())
    }
    /// A dataset's title for readers, or `id` itself if no dataset has it.
    pub fn dataset_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.dataset_index(id)
            .map_or(id, |d| self.datasets[d].title.as_str())
    }
    pub fn dataset_index(&self, id: &str) -> Option<usize> {
        self.datasets.iter().position(|d| d.id == id)
    }
    /// The [[node]] entries (not the root, not indicators), in tree order.
    pub fn aggregate_nodes(&self) -> impl Iterator<Item = (usize, &TreeNode)> {
        self.tree
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Node)
    }
    pub fn rules_of(&self, kind: RuleKind) -> impl Iterator<Item = (usize, &Rule)> {
        self.rules
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.kind == kind)
    }
    /// The name of the rule behind an evidence record: evidence orders
    /// rules indicators first, then bonus, penalty and veto rules.
    pub fn rule_name(&self, order: usize) -> &str {
        let n = self.indicators.len();
        if order < n {
            &self.indicators[order].name
        } else {
            &self.rules[order - n].name
        }
    }
}

/// Load and validate a scheme: a directory of `.toml` files (read together,
/// in name order; subdirectories such as `calendars/` are not read) or one
/// file.
pub fn load(path: &Path) -> Result<Scheme, SchemeError> {
    let sources = load::read_sources(path)?;
    let base = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    load_sources(sources, &base)
}

/// The JSON Schema of a scheme file (one TOML file of a scheme; every
/// section optional, unknown fields refused), as committed in
/// `indicators/scheme.schema.json` for TOML editors.
pub fn json_schema() -> String {
    let mut s = schemars::schema_for!(load::RawFile).to_value();
    s["title"] = "govtrust scheme (考核方案)".into();
    drop_null(&mut s);
    serde_json::to_string_pretty(&s).expect("a schema serialises") + "\n"
}

/// TOML has no null: an optional field is simply absent, so
/// `anyOf: [X, {type: null}]` becomes X (keeping its description).
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    if let Value::Object(m) = v {
        let only = m.get("anyOf").and_then(Value::as_array).and_then(|a| {
            let rest: Vec<&Value> = a
                .iter()
                .filter(|x| x.get("type") != Some(&"null".into()))
                .collect();
            (rest.len() == 1 && a.len() == 2).then(|| rest[0].clone())
        });
        if let Some(Value::Object(inner)) = only {
            m.remove("anyOf");
            for (k, x) in inner {
                m.entry(k).or_insert(x);
            }
        }
        if let Some(Value::Array(t)) = m.get("type") {
            let t: Vec<Value> = t.iter().filter(|x| *x != "null").cloned().collect();
            if t.len() == 1 {
                m.insert("type".into(), t[0].clone());
            }
        }
        m.values_mut().for_each(drop_null);
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(drop_null);
    }
}
