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

/// A row's tag (unit and record key, as [`mark_tag`] writes it).
fn row_tag(unit: Expr, key: Expr) -> Expr {
    concat_str([unit, lit("\u{1f}"), key], "", false)
}

/// Is the row's `tag` among those of `marks`? (false for none)
fn among<'a>(tag: &Expr, marks: impl Iterator<Item = &'a Mark>) -> Expr {
    let tags: Vec<String> = marks.map(|m| mark_tag(&m.unit_id, &m.record_key)).collect();
    if tags.is_empty() {
        return lit(false);
    }
    let set = lit(Series::new("m".into(), tags)).implode(false);
    tag.clone().is_in(set, false).fill_null(lit(false))
}

/// Whether a row is marked in the register, and whether with status `v`.
pub fn register_marks(marks: &[Mark], unit: Expr, key: Expr) -> Option<(Expr, ByStatus)> {
    if marks.is_empty() {
        return None;
    }
    let tag = row_tag(unit, key);
    let any = among(&tag, marks.iter());
    let marks = marks.to_vec();
    let by = Box::new(move |v: &str| among(&tag, marks.iter().filter(|m| m.status.as_str() == v)));
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
    if marks.iter().all(|m| m.repaired_on.is_none()) {
        return None;
    }
    let tag = row_tag(unit.clone(), key.clone());
    Some((
        among(&tag, marks.iter().filter(|m| m.repaired_on.is_some())),
        among(
            &tag,
            marks
                .iter()
                .filter(|m| m.repaired_on.is_some_and(|d| d <= end)),
        ),
    ))
}
