//! The checked scheme: what validation produces and every later stage reads.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::expr::SqlExpr;
use crate::calendar::Calendar;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    Arithmetic,
    Geometric,
    /// Closeness to the ideal among the peer group (TOPSIS).
    Topsis,
}

/// Children's weights derived from the peer group's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightMethod {
    Entropy,
    Critic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    Reweight,
    Zero,
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingPolicy {
    Count,
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoRank {
    Last,
    Keep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    String,
    Int,
    Float,
    Bool,
    Date,
    Datetime,
}

impl ColType {
    pub fn name(self) -> &'static str {
        match self {
            ColType::String => "string",
            ColType::Int => "int",
            ColType::Float => "float",
            ColType::Bool => "bool",
            ColType::Date => "date",
            ColType::Datetime => "datetime",
        }
    }

    pub fn parse(s: &str) -> Option<(ColType, bool)> {
        let (base, nullable) = match s.strip_suffix('?') {
            Some(b) => (b, true),
            None => (s, false),
        };
        let t = match base {
            "string" => ColType::String,
            "int" => ColType::Int,
            "float" => ColType::Float,
            "bool" => ColType::Bool,
            "date" => ColType::Date,
            "datetime" => ColType::Datetime,
            _ => return None,
        };
        Some((t, nullable))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: String,
    pub ty: ColType,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

/// Where a table comes from: shared by datasets and the unit register.
#[derive(Debug, Clone)]
pub struct FileSpec {
    /// As written, relative to the data directory.
    pub file: String,
    pub format: Format,
    pub encoding: Encoding,
    pub sheet: Option<String>,
}

/// The status columns of docs/scheme.md section 3, when a dataset declares them.
pub const EXEMPT: &str = "exempt";
pub const OBJECTION: &str = "objection";
pub const REPAIRED_ON: &str = "repaired_on";

#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub id: String,
    pub title: String,
    pub source: FileSpec,
    pub key: Option<String>,
    pub unit: String,
    pub date: Option<String>,
    pub columns: Vec<ColumnSpec>,
}

impl DatasetSpec {
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }
}

/// Points per record: a constant, or looked up from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Points {
    Fixed(f64),
    Map {
        column: String,
        map: Vec<(String, f64)>,
    },
}

// Built once per scheme: variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum MeasureKind {
    Count { per: Option<String>, scale: f64 },
    Sum { expr: SqlExpr },
    Mean { expr: SqlExpr },
    Share { of: Option<SqlExpr> },
    Ratio { num: SqlExpr, den: SqlExpr },
    Value,
    Deduction { points: Points },
}

impl MeasureKind {
    pub fn name(&self) -> &'static str {
        match self {
            MeasureKind::Count { .. } => "count",
            MeasureKind::Sum { .. } => "sum",
            MeasureKind::Mean { .. } => "mean",
            MeasureKind::Share { .. } => "share",
            MeasureKind::Ratio { .. } => "ratio",
            MeasureKind::Value => "value",
            MeasureKind::Deduction { .. } => "deduction",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Measure {
    pub kind: MeasureKind,
    pub where_: Option<SqlExpr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScoreKind {
    Minmax { range: Option<(f64, f64)> },
    Zscore,
    Rank,
    Target { target: f64, floor: f64 },
    Shortfall { target: f64, per: f64, deduct: f64 },
    Bands { bands: Vec<(f64, f64)> },
    Deduction { cap: Option<f64> },
}

impl ScoreKind {
    pub fn name(&self) -> &'static str {
        match self {
            ScoreKind::Minmax { .. } => "minmax",
            ScoreKind::Zscore => "zscore",
            ScoreKind::Rank => "rank",
            ScoreKind::Target { .. } => "target",
            ScoreKind::Shortfall { .. } => "shortfall",
            ScoreKind::Bands { .. } => "bands",
            ScoreKind::Deduction { .. } => "deduction",
        }
    }
    /// Relative kinds compare a unit with its peers.
    pub fn is_relative(&self) -> bool {
        matches!(
            self,
            ScoreKind::Minmax { .. } | ScoreKind::Zscore | ScoreKind::Rank
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub kind: ScoreKind,
    pub direction: Direction,
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Index of the indicator's own entry in [`Scheme::tree`].
    pub node: usize,
    pub dataset: usize,
    /// Groups the indicator applies to; `None` = all.
    pub applies_to: Option<Vec<String>>,
    pub measure: Measure,
    pub min_n: u64,
    pub score: Score,
    pub missing: MissingPolicy,
    pub shrink: Option<f64>,
}

impl Indicator {
    pub fn applies(&self, group: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|g| g.iter().any(|x| x == group))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    Bonus,
    Penalty,
    Veto,
}

/// A bonus (加分), penalty (扣分) or veto (一票否决) rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: RuleKind,
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub where_: Option<SqlExpr>,
    /// Bonus and penalty only (a veto record carries 0 points).
    pub points: Points,
    pub cap: Option<f64>,
    /// Veto only: index into [`Scheme::grades`].
    pub grade: usize,
    pub applies_to: Option<Vec<String>>,
}

impl Rule {
    pub fn applies(&self, group: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|g| g.iter().any(|x| x == group))
    }
}

/// An early-warning count (预警): matching counted records per unit,
/// tested against the unit's own history and its peers' rate.
#[derive(Debug, Clone)]
pub struct Alert {
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub where_: Option<SqlExpr>,
    /// Unit attribute the peers' rate is per (e.g. population).
    pub per: Option<String>,
    /// Significance level after Benjamini-Hochberg across units.
    pub alpha: f64,
}

/// A Benford first-digit screen of a numeric column: a fraud-screening
/// signal, never a deduction.
#[derive(Debug, Clone)]
pub struct Screen {
    pub id: String,
    pub name: String,
    pub dataset: usize,
    pub column: String,
    pub where_: Option<SqlExpr>,
    pub min_n: u64,
    pub alpha: f64,
}

#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min: f64,
    pub quota: Option<f64>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Root,
    Node,
    /// Index into [`Scheme::indicators`].
    Indicator(usize),
}

/// One entry of the hierarchy; entry 0 is the root.
#[derive(Debug, Clone)]
pub struct TreeNode {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    pub parent: Option<usize>,
    pub weight: f64,
    /// Nominal points from the full tree (docs/scheme.md section 2).
    pub points: f64,
    pub aggregation: Aggregation,
    /// Derive the children's weights from the data instead of `weight`.
    pub weights: Option<WeightMethod>,
    pub children: Vec<usize>,
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
    /// The scheme files read, in order, and a BLAKE3 digest over their bytes.
    pub files: Vec<PathBuf>,
    pub digest: String,
}

impl Scheme {
    /// The display name of a peer group.
    pub fn group_name<'a>(&'a self, group: &'a str) -> &'a str {
        self.group_names.get(group).map_or(group, |s| s.as_str())
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
}
