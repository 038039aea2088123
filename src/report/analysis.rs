//! uncertainty.csv and sensitivity.csv (when the run has an analysis).

use super::csv::{Cell, write_csv};
use super::{ExportError, Exporter, OutFile, fmt_full};
use crate::run::Run;

fn num(x: f64) -> Cell<'static> {
    Cell::Raw(fmt_full(x))
}

/// Per unit: nominal, mean, median, 5th and 95th percentile rank, the
/// probability of each grade, and whether the nominal grade is stable.
pub struct UncertaintyCsv;
impl Exporter for UncertaintyCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let Some(u) = &run.uncertainty else {
            return Ok(Vec::new());
        };
        let units = &run.data.units;
        let grades: Vec<String> = run
            .scheme
            .grades
            .iter()
            .map(|g| format!("p_{}", g.name))
            .collect();
        let mut header = vec![
            "unit_id",
            "unit_name",
            "group",
            "nominal_rank",
            "mean_rank",
            "median_rank",
            "p5_rank",
            "p95_rank",
            "nominal_grade",
        ];
        header.extend(grades.iter().map(String::as_str));
        header.push("stable");
        let rows = run.scored.order.iter().map(|&k| {
            let x = &u.units[k];
            let mut r = vec![
                Cell::Text(&units.ids[k]),
                Cell::Text(&units.names[k]),
                Cell::Text(&units.groups[k]),
                Cell::Raw(x.nominal_rank.to_string()),
                num(x.mean_rank),
                num(x.median_rank),
                num(x.p5_rank),
                num(x.p95_rank),
                Cell::Text(
                    x.nominal_grade
                        .map_or("", |g| run.scheme.grades[g].name.as_str()),
                ),
            ];
            r.extend(x.grade_probability.iter().map(|p| num(*p)));
            r.push(Cell::Raw(x.stable.to_string()));
            r
        });
        Ok(vec![("uncertainty.csv".into(), write_csv(&header, rows)?)])
    }
}

/// Per varied assumption: first-order and total-effect indices with 95%
/// bootstrap intervals.
pub struct SensitivityCsv;
impl Exporter for SensitivityCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        if run.sensitivity.is_empty() {
            return Ok(Vec::new());
        }
        let header = [
            "assumption",
            "first_order",
            "first_order_low",
            "first_order_high",
            "total_effect",
            "total_effect_low",
            "total_effect_high",
        ];
        let rows = run.sensitivity.iter().map(|(name, i)| {
            vec![
                Cell::Text(name),
                num(i.first),
                num(i.first_ci.0),
                num(i.first_ci.1),
                num(i.total),
                num(i.total_ci.0),
                num(i.total_ci.1),
            ]
        });
        Ok(vec![("sensitivity.csv".into(), write_csv(&header, rows)?)])
    }
}

/// warnings.csv: early warnings (预警) and data screens, one per row.
pub struct WarningsCsv;
impl Exporter for WarningsCsv {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let units = &run.data.units;
        let header = [
            "kind",
            "subject",
            "unit_id",
            "unit_name",
            "observed",
            "expected",
            "statistic",
            "p_value",
            "p_adjusted",
            "message",
        ];
        let opt = |x: Option<f64>| Cell::Raw(x.map_or(String::new(), fmt_full));
        let rows = run.signals.iter().map(|w| {
            vec![
                Cell::Raw(w.kind.as_str().to_string()),
                Cell::Text(&w.subject),
                Cell::Text(w.unit.map_or("", |u| units.ids[u].as_str())),
                Cell::Text(w.unit.map_or("", |u| units.names[u].as_str())),
                num(w.observed),
                num(w.expected),
                num(w.statistic),
                opt(w.p_value),
                opt(w.p_adjusted),
                Cell::Text(&w.message),
            ]
        });
        Ok(vec![("warnings.csv".into(), write_csv(&header, rows)?)])
    }
}
