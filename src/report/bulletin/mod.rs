//! The bulletin (通报): one view of a run shared by `bulletin.html`
//! (minijinja, every text auto-escaped) and `bulletin.docx`.
//!
//! Content: title, period and issuing office from the scheme; a summary
//! (units per group, grade counts, vetoes); per group the ranked table and
//! its charts; and a card per unit with its points per dimension against
//! the maximum, each deduction, bonus and veto with its evidence record,
//! pending objections (异议处理中) flagged.

mod build;

use serde::Serialize;

use super::ExportError;

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

pub(super) fn hex(c: u32) -> String {
    format!("#{c:06x}")
}

/// Evidence notes in the bulletin's language.
pub(super) fn note_zh(note: &str) -> String {
    note.replace("pending objection", "异议处理中")
        .replace("repaired", "已信用修复")
}

static TEMPLATE: &str = include_str!("../templates/bulletin.html");

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
