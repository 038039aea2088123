//! The bulletin (通报, docs/scheme.md section 10): the run as an official document
//! the office can sign and issue, built as one [`Document`] for
//! `bulletin.html` and `bulletin.docx`.
//!
//! 文号, title and 主送; the basis sentence; 一、总体情况 (units and
//! grades per group); one section per peer group with its ranked table
//! (名次, 单位, 总分, 等次, 名次变化 when a previous run is given) and its
//! charts (图1 …); the vetoed units with their reasons; 工作要求, ending
//! with how and by when to object; 落款 and 成文日期; then the annexes
//! (附件): results per group, every indicator's values in its own units,
//! and the grade stability when an uncertainty analysis ran. Each unit's
//! detail goes to its feedback, not to the public bulletin (unless
//! `[bulletin] unit_annex = true`). Nothing in it speaks of the program or
//! its files.

mod annex;
mod sections;
pub mod unit;

pub(crate) use sections::objection_sentence;

use std::collections::HashMap;

use super::document::{Block, Document};
use super::words;
use crate::render::{Chart, ChartKind};
use crate::run::Run;

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

/// What the sections of the bulletin share.
pub struct Ctx<'a> {
    pub run: &'a Run,
    pub charts: &'a [Chart],
    /// Members of each group in rank order.
    pub groups: Vec<Vec<usize>>,
    /// The previous run's rank by unit id.
    pub prev: Option<HashMap<String, usize>>,
    /// Figures numbered so far.
    pub figures: usize,
    /// Each unit's evidence records.
    pub evidence: Vec<Vec<&'a crate::measure::Evidence>>,
}

impl<'a> Ctx<'a> {
    pub fn new(run: &'a Run, charts: &'a [Chart]) -> Ctx<'a> {
        Ctx {
            run,
            charts,
            groups: run.scored.ranked_groups(&run.data.units),
            prev: run.previous.as_ref().map(|p| p.ranks()),
            figures: 0,
            evidence: crate::measure::evidence::by_unit(&run.evidence, run.data.units.len()),
        }
    }
    pub fn group_name(&self, gi: usize) -> &str {
        self.run
            .scheme
            .group_name(&self.run.data.units.group_order[gi])
    }
    pub fn grade_name(&self, g: Option<usize>) -> &str {
        g.map_or("", |g| self.run.scheme.grades[g].name.as_str())
    }
    /// The office that signs: `[bulletin] signer`, else `[scheme] office`.
    pub fn signer(&self) -> String {
        let s = &self.run.scheme;
        s.bulletin
            .signer
            .clone()
            .or_else(|| s.office.clone())
            .unwrap_or_default()
    }
    /// The date line: 成文日期, or blanks for the office to fill in.
    pub fn date(&self) -> String {
        self.run
            .scheme
            .bulletin
            .date
            .map_or("　　年　　月　　日".to_string(), words::date)
    }
    /// Rank change against the previous run: ↑2, ↓1, —, 新增.
    pub fn change(&self, u: usize) -> Option<(String, &'static str)> {
        let p = self.prev.as_ref()?;
        Some(match p.get(&self.run.data.units.ids[u]) {
            None => ("新增".to_string(), "#616161"),
            Some(&r) => {
                let d = r as i64 - self.run.scored.units[u].rank as i64;
                match d.cmp(&0) {
                    std::cmp::Ordering::Greater => (format!("↑{d}"), "#2e7d32"),
                    std::cmp::Ordering::Less => (format!("↓{}", -d), "#c62828"),
                    std::cmp::Ordering::Equal => ("—".to_string(), "#616161"),
                }
            }
        })
    }
    /// A figure with its number (图1 …).
    pub fn figure(&mut self, doc: &mut Document, c: &Chart) {
        self.figures += 1;
        let k = self
            .charts
            .iter()
            .position(|x| x.name == c.name)
            .unwrap_or(0);
        doc.push(Block::Figure {
            chart: k,
            svg: c.svg.clone(),
            caption: format!("图{} {}", self.figures, c.title),
        });
    }
    /// The charts of group `gi` of `kind`.
    pub fn charts_of(&self, gi: usize, kind: ChartKind) -> Vec<&'a Chart> {
        self.charts
            .iter()
            .filter(|c| c.group == Some(gi) && c.kind == kind)
            .collect()
    }
}

/// The bulletin's title: `[bulletin] title`, else 关于{scheme name}结果的通报.
pub fn title(run: &Run) -> String {
    run.scheme
        .bulletin
        .title
        .clone()
        .unwrap_or_else(|| format!("关于{}结果的通报", run.scheme.name))
}

/// The bulletin of a run.
pub fn document(run: &Run, charts: &[Chart]) -> Document {
    let mut cx = Ctx::new(run, charts);
    let mut doc = Document::new(&title(run));
    sections::header(&cx, &mut doc);
    let annexes = annex::titles(&cx);
    sections::body(&mut cx, &mut doc);
    doc.push(Block::Attachments {
        items: annexes.clone(),
    });
    doc.push(Block::Signature {
        signer: cx.signer(),
        date: cx.date(),
    });
    annex::all(&mut cx, &mut doc, &annexes);
    doc
}
