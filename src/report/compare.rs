//! `compare.csv`: per unit the change of rank, total and grade between
//! two runs (see [`crate::history`]).

use super::{ExportError, Exporter, OutFile, fmt2};
use crate::history::{Change, Snapshot, diff};
use crate::run::Run;

/// `compare.csv` of changes.
pub fn compare_csv(changes: &[Change]) -> Result<Vec<u8>, ExportError> {
    use super::csv::Cell::{Raw, Text};
    let num = |x: Option<String>| Raw(x.unwrap_or_default());
    super::csv::write_csv(
        &[
            "unit_id",
            "unit_name",
            "group",
            "old_rank",
            "new_rank",
            "rank_change",
            "old_total",
            "new_total",
            "total_change",
            "old_grade",
            "new_grade",
            "status",
        ],
        changes.iter().map(|c| {
            let any = c.new.as_ref().or(c.old.as_ref()).unwrap();
            let (o, n) = (c.old.as_ref(), c.new.as_ref());
            vec![
                Text(&any.id),
                Text(&any.name),
                Text(&any.group),
                num(o.map(|r| r.rank.to_string())),
                num(n.map(|r| r.rank.to_string())),
                num(c.rank_change().map(|d| format!("{d:+}"))),
                num(o.map(|r| fmt2(r.total))),
                num(n.map(|r| fmt2(r.total))),
                num(c
                    .total_change()
                    .map(|d| format!("{}{}", if d >= 0.0 { "+" } else { "" }, fmt2(d)))),
                Text(o.map_or("", |r| r.grade.as_str())),
                Text(n.map_or("", |r| r.grade.as_str())),
                Raw(c.status().as_str().to_string()),
            ]
        }),
    )
}

/// `compare.csv` of two runs compared (`govtrust compare`).
pub struct ComparisonCsv;

impl Exporter<super::Comparison> for ComparisonCsv {
    fn export(&self, c: &super::Comparison) -> Result<Vec<OutFile>, ExportError> {
        Ok(vec![(
            "compare.csv".into(),
            compare_csv(&diff(&c.old, &c.new))?,
        )])
    }
}

/// The slope charts of two runs compared, one per group.
pub struct ComparisonCharts;

impl Exporter<super::Comparison> for ComparisonCharts {
    fn export(&self, c: &super::Comparison) -> Result<Vec<OutFile>, ExportError> {
        let mut files = Vec::new();
        for (name, svg, png) in
            crate::render::change::slopes(&c.old, &c.new).map_err(ExportError::Other)?
        {
            files.push((format!("charts/{name}.svg"), svg.into_bytes()));
            files.push((format!("charts/{name}.png"), png));
        }
        Ok(files)
    }
}

/// `compare.csv` of an `assess --previous` run.
pub struct CompareCsv;

impl Exporter for CompareCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let Some(prev) = &run.previous else {
            return Ok(vec![]);
        };
        Ok(vec![(
            "compare.csv".into(),
            compare_csv(&diff(
                prev,
                &Snapshot::of(&run.scheme, &run.data.units, &run.scored),
            ))?,
        )])
    }
}
