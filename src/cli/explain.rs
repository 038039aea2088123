//! `govtrust explain UNIT`: why a unit got its score, from a run's
//! `explain.json` and `evidence.csv`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::report::explain::{Explained, nearest, text};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The unit: its id (unit_id) or its exact name.
    pub unit: String,
    /// The run's output directory.
    #[arg(long, default_value = "reports/demo")]
    pub run: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn run(a: &Args, _quiet: bool) -> Result<ExitCode> {
    let path = a.run.join("explain.json");
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read {}; is --run a govtrust output directory (made by `govtrust assess`)?",
            path.display()
        )
    })?;
    let e: Explained = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a govtrust explain.json", path.display()))?;
    let mut named: Vec<&str> = e
        .units
        .iter()
        .filter(|u| u.unit_name == a.unit)
        .map(|u| u.unit_id.as_str())
        .collect();
    named.sort_unstable();
    if named.len() > 1 && !e.units.iter().any(|u| u.unit_id == a.unit) {
        bail!(
            "{} units are named `{}` in {}: {}\n    hint: give the unit_id",
            named.len(),
            a.unit,
            path.display(),
            named.join(", ")
        );
    }
    let Some(mut u) = e
        .units
        .iter()
        .find(|u| u.unit_id == a.unit)
        .or_else(|| e.units.iter().find(|u| u.unit_name == a.unit))
        .cloned()
    else {
        let near: Vec<String> = nearest(&e, &a.unit, 5)
            .iter()
            .map(|u| format!("{} ({})", u.unit_name, u.unit_id))
            .collect();
        let hint = if near.is_empty() {
            "give a unit_id or an exact unit_name".to_string()
        } else {
            format!("did you mean: {}?", near.join(", "))
        };
        bail!(
            "no unit `{}` in {}\n    hint: {hint}",
            a.unit,
            path.display()
        );
    };
    if u.evidence.is_empty() {
        // explain.json written before it carried the records: read them
        // from evidence.csv.
        u.evidence = evidence(&a.run.join("evidence.csv"), &u.unit_id)?;
    }
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&u)?),
        Format::Text => print!("{}", text(&e, &u)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The unit's rows of evidence.csv.
fn evidence(
    path: &std::path::Path,
    unit: &str,
) -> Result<Vec<crate::report::explain::EvidenceLine>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rd = csv::Reader::from_reader(body);
    let mut out = Vec::new();
    for (k, rec) in rd.records().enumerate() {
        let rec = rec.with_context(|| format!("{}, line {}", path.display(), k + 2))?;
        if rec.len() < 6 {
            bail!(
                "{}, line {}: expected 6 columns, found {}",
                path.display(),
                k + 2,
                rec.len()
            );
        }
        if rec[0] != *unit {
            continue;
        }
        out.push(crate::report::explain::EvidenceLine {
            rule_id: rec[1].to_string(),
            rule_name: String::new(),
            dataset_title: String::new(),
            date: String::new(),
            details: Vec::new(),
            dataset: rec[2].to_string(),
            record_key: rec[3].to_string(),
            points: rec[4].parse().with_context(|| {
                format!(
                    "{}, line {}: points `{}` is not a number",
                    path.display(),
                    k + 2,
                    &rec[4]
                )
            })?,
            note: rec[5].to_string(),
        });
    }
    Ok(out)
}
