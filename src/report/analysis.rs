//! uncertainty.csv and sensitivity.csv (when the run has an analysis).

use super::csv::BOM;
use super::{ExportError, Exporter, fmt_full};
use crate::run::Run;

fn write(header: Vec<String>, rows: Vec<Vec<String>>) -> Result<Vec<u8>, ExportError> {
    let mut buf = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut buf);
        w.write_record(&header)?;
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
    }
    Ok(buf)
}

/// Per unit: nominal, mean, median, 5th and 95th percentile rank, the
/// probability of each grade, and whether the nominal grade is stable.
pub struct UncertaintyCsv;
impl Exporter for UncertaintyCsv {
    fn export(&self, run: &Run) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
        let Some(u) = &run.uncertainty else {
            return Ok(Vec::new());
        };
        let units = &run.data.units;
        let mut header: Vec<String> = [
            "unit_id",
            "unit_name",
            "group",
            "nominal_rank",
            "mean_rank",
            "median_rank",
            "p5_rank",
            "p95_rank",
            "nominal_grade",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(run.scheme.grades.iter().map(|g| format!("p_{}", g.name)));
        header.push("stable".into());
        let rows = run
            .scored
            .order
            .iter()
            .map(|&k| {
                let x = &u.units[k];
                let mut r = vec![
                    super::csv::safe_text(&units.ids[k]).into_owned(),
                    super::csv::safe_text(&units.names[k]).into_owned(),
                    super::csv::safe_text(&units.groups[k]).into_owned(),
                    x.nominal_rank.to_string(),
                    fmt_full(x.mean_rank),
                    fmt_full(x.median_rank),
                    fmt_full(x.p5_rank),
                    fmt_full(x.p95_rank),
                    x.nominal_grade
                        .map_or(String::new(), |g| run.scheme.grades[g].name.clone()),
                ];
                r.extend(x.grade_probability.iter().map(|p| fmt_full(*p)));
                r.push(x.stable.to_string());
                r
            })
            .collect();
        Ok(vec![("uncertainty.csv".into(), write(header, rows)?)])
    }
}

/// Per varied assumption: first-order and total-effect indices with 95%
/// bootstrap intervals.
pub struct SensitivityCsv;
impl Exporter for SensitivityCsv {
    fn export(&self, run: &Run) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
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
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows = run
            .sensitivity
            .iter()
            .map(|(name, i)| {
                vec![
                    name.to_string(),
                    fmt_full(i.first),
                    fmt_full(i.first_ci.0),
                    fmt_full(i.first_ci.1),
                    fmt_full(i.total),
                    fmt_full(i.total_ci.0),
                    fmt_full(i.total_ci.1),
                ]
            })
            .collect();
        Ok(vec![("sensitivity.csv".into(), write(header, rows)?)])
    }
}

/// warnings.csv: early warnings (预警) and data screens, one per row.
pub struct WarningsCsv;
impl Exporter for WarningsCsv {
    fn export(&self, run: &Run) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
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
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let opt = |x: Option<f64>| x.map_or(String::new(), fmt_full);
        let rows = run
            .signals
            .iter()
            .map(|w| {
                vec![
                    w.kind.as_str().to_string(),
                    super::csv::safe_text(&w.subject).into_owned(),
                    w.unit.map_or(String::new(), |u| {
                        super::csv::safe_text(&units.ids[u]).into_owned()
                    }),
                    w.unit.map_or(String::new(), |u| {
                        super::csv::safe_text(&units.names[u]).into_owned()
                    }),
                    fmt_full(w.observed),
                    fmt_full(w.expected),
                    fmt_full(w.statistic),
                    opt(w.p_value),
                    opt(w.p_adjusted),
                    super::csv::safe_text(&w.message).into_owned(),
                ]
            })
            .collect();
        Ok(vec![("warnings.csv".into(), write(header, rows)?)])
    }
}
