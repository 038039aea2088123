//! The objection register's status words and its marks on records: what
//! a dataset's pass needs of the register (docs/scheme.md section 3).

use polars::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    None,
    Pending,
    Upheld,
    Rejected,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        let l = s.trim().to_lowercase();
        super::parse::OBJECTION_VALUES
            .iter()
            .find(|(w, _)| *w == l)
            .map(|(_, v)| match *v {
                "pending" => Status::Pending,
                "upheld" => Status::Upheld,
                "rejected" => Status::Rejected,
                _ => Status::None,
            })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Pending => "pending",
            Status::Upheld => "upheld",
            Status::Rejected => "rejected",
        }
    }
    /// The word offices use (异议状态).
    pub fn zh(self) -> &'static str {
        match self {
            Status::None => "无",
            Status::Pending => "待处理",
            Status::Upheld => "成立",
            Status::Rejected => "驳回",
        }
    }
}

/// One register row's mark on a record, for the dataset's pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub unit_id: String,
    pub record_key: String,
    pub status: Status,
    /// The register's repair date (信用修复), which replaces the record's
    /// `repaired_on`.
    pub repaired_on: Option<chrono::NaiveDate>,
}

/// A register mark's tag: the unit and the record key.
pub fn mark_tag(unit: &str, key: &str) -> String {
    format!("{unit}\u{1f}{key}")
}

type ByStatus = Box<dyn Fn(&str) -> Expr>;

/// Whether a row is marked in the register, and whether with status `v`.
pub fn register_marks(marks: &[Mark], unit: Expr, key: Expr) -> Option<(Expr, ByStatus)> {
    if marks.is_empty() {
        return None;
    }
    let tag = concat_str([unit, lit("\u{1f}"), key], "", false);
    let set = |ms: Vec<String>| lit(Series::new("m".into(), ms)).implode(false);
    let all: Vec<String> = marks
        .iter()
        .map(|m| mark_tag(&m.unit_id, &m.record_key))
        .collect();
    let any = tag.clone().is_in(set(all), false).fill_null(lit(false));
    let marks = marks.to_vec();
    let by = Box::new(move |v: &str| {
        let ms: Vec<String> = marks
            .iter()
            .filter(|m| m.status.as_str() == v)
            .map(|m| mark_tag(&m.unit_id, &m.record_key))
            .collect();
        if ms.is_empty() {
            lit(false)
        } else {
            tag.clone().is_in(set(ms), false).fill_null(lit(false))
        }
    });
    Some((any, by))
}

/// Whether a row's register mark carries a repair date, and whether that
/// date lies on or before `end`.
pub fn register_repairs(
    marks: &[Mark],
    unit: &Expr,
    key: &Expr,
    end: chrono::NaiveDate,
) -> Option<(Expr, Expr)> {
    let dated: Vec<&Mark> = marks.iter().filter(|m| m.repaired_on.is_some()).collect();
    if dated.is_empty() {
        return None;
    }
    let tag = concat_str([unit.clone(), lit("\u{1f}"), key.clone()], "", false);
    let set = |ms: Vec<String>| lit(Series::new("m".into(), ms)).implode(false);
    let tags = |keep: &dyn Fn(&Mark) -> bool| -> Vec<String> {
        dated
            .iter()
            .filter(|m| keep(m))
            .map(|m| mark_tag(&m.unit_id, &m.record_key))
            .collect()
    };
    let all = tags(&|_| true);
    let within = tags(&|m| m.repaired_on.is_some_and(|d| d <= end));
    Some((
        tag.clone().is_in(set(all), false).fill_null(lit(false)),
        tag.is_in(set(within), false).fill_null(lit(false)),
    ))
}
