//! The CSV outputs (docs/scheme.md section 9): scores, values, evidence, rejects.
//!
//! UTF-8 with a BOM (so Excel opens Chinese correctly). Text cells that
//! start with `=`, `+`, `-` or `@` get a leading `'` so that a spreadsheet
//! never runs them as formulas; numbers are written as numbers.

use super::{ExportError, Exporter, OutFile, fmt_full, fmt2};
use crate::analysis::intervals::{Z95, wilson};
use crate::run::Run;
use crate::scheme::{MeasureKind, NodeKind};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Neutralise spreadsheet formula injection in a text cell.
pub fn safe_text(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

pub(crate) enum Cell<'a> {
    Text(&'a str),
    Raw(String),
}

pub(crate) fn write_csv<'a>(
    header: &[&str],
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> Result<Vec<u8>, ExportError> {
    let mut buf = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut buf);
        w.write_record(header)?;
        for row in rows {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => safe_text(s).into_owned(),
                Cell::Raw(s) => s.clone(),
            }))?;
        }
        w.flush()?;
    }
    Ok(buf)
}

fn opt<T>(x: Option<T>, f: impl Fn(T) -> String) -> Cell<'static> {
    Cell::Raw(x.map(f).unwrap_or_default())
}

pub struct ScoresCsv;
impl Exporter for ScoresCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let s = &run.scheme;
        let units = &run.data.units;
        let nodes: Vec<(usize, &str)> = s
            .aggregate_nodes()
            .map(|(i, n)| (i, n.id.as_str()))
            .collect();
        // The fixed columns are those node ids may not take.
        let mut header = crate::scheme::SCORE_COLUMNS.to_vec();
        header.extend(nodes.iter().map(|n| n.1));
        let rows = run.scored.order.iter().map(|&u| {
            let r = &run.scored.units[u];
            let mut row = vec![
                Cell::Text(&units.ids[u]),
                Cell::Text(&units.names[u]),
                Cell::Text(&units.groups[u]),
                Cell::Raw(r.rank.to_string()),
                Cell::Raw(fmt2(r.total)),
                Cell::Raw(fmt2(r.base)),
                Cell::Raw(fmt2(r.bonus)),
                Cell::Raw(fmt2(r.penalty)),
                Cell::Text(r.grade.map_or("", |g| s.grades[g].name.as_str())),
                Cell::Raw((!r.vetoes.is_empty()).to_string()),
                Cell::Raw(
                    r.vetoes
                        .iter()
                        .map(|&v| s.rules[v].id.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
            ];
            for &(n, _) in &nodes {
                row.push(opt(r.attainment[n], |a| fmt2(a * s.tree[n].points)));
            }
            row
        });
        Ok(vec![("scores.csv".into(), write_csv(&header, rows)?)])
    }
}

pub struct ValuesCsv;
impl Exporter for ValuesCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let units = &run.data.units;
        let header = [
            "unit_id",
            "indicator_id",
            "value",
            "n",
            "attainment",
            "points",
            "status",
            "ci_low",
            "ci_high",
        ];
        let mut rows = Vec::new();
        for u in 0..units.len() {
            for (i, ind) in run.scheme.indicators.iter().enumerate() {
                debug_assert!(matches!(
                    run.scheme.tree[ind.node].kind,
                    NodeKind::Indicator(_)
                ));
                let c = &run.scored.cells[i][u];
                let na = c.status == crate::score::Status::NotApplicable;
                // 95% Wilson interval of a share's raw proportion.
                let m = &run.measured.cells[i][u];
                let ci = match ind.measure.kind {
                    MeasureKind::Share { .. } if !na => wilson(m.num, m.n as f64, Z95),
                    _ => None,
                };
                rows.push(vec![
                    Cell::Text(&units.ids[u]),
                    Cell::Text(&ind.id),
                    opt(c.value.filter(|_| !na), fmt_full),
                    opt(c.n.filter(|_| !na), |n| n.to_string()),
                    opt(c.attainment, fmt_full),
                    opt(c.points, fmt_full),
                    Cell::Raw(c.status.as_str().to_string()),
                    opt(ci.map(|c| c.0), fmt_full),
                    opt(ci.map(|c| c.1), fmt_full),
                ]);
            }
        }
        Ok(vec![(
            "values.csv".into(),
            write_csv(&header, rows.into_iter())?,
        )])
    }
}

pub struct EvidenceCsv;
impl Exporter for EvidenceCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let header = [
            "unit_id",
            "rule_id",
            "dataset",
            "record_key",
            "points",
            "note",
        ];
        let rows = run.evidence.iter().map(|e| {
            vec![
                Cell::Text(&run.data.units.ids[e.unit]),
                Cell::Text(&e.rule_id),
                Cell::Text(&e.dataset),
                Cell::Text(&e.record_key),
                Cell::Raw(fmt_full(e.points)),
                Cell::Text(&e.note),
            ]
        });
        Ok(vec![("evidence.csv".into(), write_csv(&header, rows)?)])
    }
}

pub struct RejectsCsv;
impl Exporter for RejectsCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        // The contract's six columns, then the reason's code for tools
        // (data::reasons).
        let header = [
            "dataset", "file", "line", "column", "value", "reason", "code",
        ];
        let rows = run.data.rejects.iter().map(|r| {
            vec![
                Cell::Text(&r.dataset),
                Cell::Text(&r.file),
                Cell::Raw(r.line.to_string()),
                Cell::Text(&r.column),
                Cell::Text(&r.value),
                Cell::Text(&r.reason),
                Cell::Raw(r.code().to_string()),
            ]
        });
        Ok(vec![("rejects.csv".into(), write_csv(&header, rows)?)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(safe_text("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(safe_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_text("市民服务"), "市民服务");
    }
}
