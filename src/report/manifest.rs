//! manifest.json: what was run on what, and where every input row went.
//!
//! Deterministic except `timings_ms` (last in the file): the same scheme
//! and data give the same bytes.

use serde::Serialize;

use super::{ExportError, OutFile};
use crate::data::{Accounting, InputFile};
use crate::run::Run;

#[derive(Serialize)]
struct Manifest<'a> {
    engine: Engine,
    /// The command that wrote the directory: an output is replaced only
    /// by a later run of the same command (see [`crate::outdir`]).
    command: &'a str,
    scheme: SchemeInfo<'a>,
    period: Period,
    units: Units,
    inputs: &'a [InputFile],
    totals: Accounting,
    rejects: usize,
    evidence_records: usize,
    /// The objection register (`[objections] file`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    objections: Option<Objections<'a>>,
    warnings: Vec<String>,
    /// Every file of the output directory, this one included.
    files: Vec<String>,
    timings_ms: Vec<Timing<'a>>,
}

#[derive(Serialize)]
struct Engine {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct SchemeInfo<'a> {
    name: &'a str,
    office: Option<&'a str>,
    digest: &'a str,
    files: Vec<String>,
}

#[derive(Serialize)]
struct Period {
    start: String,
    end: String,
}

#[derive(Serialize)]
struct Units {
    assessed: usize,
    groups: Vec<Group>,
}

#[derive(Serialize)]
struct Group {
    group: String,
    units: usize,
}

#[derive(Serialize)]
struct Objections<'a> {
    file: &'a str,
    /// Deadlines are judged as of this day (the bulletin date, else the
    /// period end).
    as_of: String,
    reply_days: u32,
    applied: usize,
    rejected: usize,
    pending: usize,
    upheld: usize,
    dismissed: usize,
    /// Pending objections past their reply date.
    overdue: Vec<Overdue<'a>>,
}

#[derive(Serialize)]
struct Overdue<'a> {
    dataset: &'a str,
    record_key: &'a str,
    unit_id: &'a str,
    line: u64,
    filed_on: String,
    due_on: String,
}

fn objections(run: &Run) -> Option<Objections<'_>> {
    use crate::data::objections::Status;
    let r = run.data.register.as_ref()?;
    let n = |s: Status| r.rows.iter().filter(|o| o.status == s).count();
    Some(Objections {
        file: &r.file,
        as_of: r.as_of.to_string(),
        reply_days: run.scheme.objections.reply_days,
        applied: r.rows.len(),
        rejected: r.rejects.len(),
        pending: n(Status::Pending),
        upheld: n(Status::Upheld),
        dismissed: n(Status::Rejected),
        overdue: r
            .overdue()
            .map(|o| Overdue {
                dataset: &run.scheme.datasets[o.dataset].id,
                record_key: &o.record_key,
                unit_id: &run.data.units.ids[o.unit],
                line: o.line,
                filed_on: o.filed_on.to_string(),
                due_on: o.due_on.to_string(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct Timing<'a> {
    stage: &'a str,
    ms: f64,
}

/// The files' names and the manifest's own, sorted: the manifest's
/// `files` list.
pub fn listing(names: &[String]) -> Vec<String> {
    let mut names = names.to_vec();
    names.push(NAME.to_string());
    names.sort();
    names
}

pub const NAME: &str = "manifest.json";

/// The manifest of a run's output directory, written by `command`.
pub fn for_run(run: &Run, command: &str, files: Vec<String>) -> Result<OutFile, ExportError> {
    {
        let s = &run.scheme;
        let mut totals = Accounting::default();
        let records =
            |i: &&InputFile| i.dataset != "units" && i.dataset != crate::data::objections::DATASET;
        for i in run.data.inputs.iter().filter(records) {
            totals.rows_read += i.accounting.rows_read;
            totals.counted += i.accounting.counted;
            totals.out_of_period += i.accounting.out_of_period;
            totals.excluded_by_status += i.accounting.excluded_by_status;
            totals.rejected += i.accounting.rejected;
        }
        let m = Manifest {
            engine: ENGINE,
            command,
            scheme: SchemeInfo {
                name: &s.name,
                office: s.office.as_deref(),
                digest: &s.digest,
                files: s
                    .files
                    .iter()
                    .map(|f| {
                        f.file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                    })
                    .collect(),
            },
            period: Period {
                start: s.period.start.to_string(),
                end: s.period.end.to_string(),
            },
            units: Units {
                assessed: run.data.units.len(),
                groups: run
                    .data
                    .units
                    .group_order
                    .iter()
                    .map(|g| Group {
                        group: g.clone(),
                        units: run.data.units.members(g).len(),
                    })
                    .collect(),
            },
            inputs: &run.data.inputs,
            totals,
            rejects: run.data.rejects.len(),
            evidence_records: run.evidence.len(),
            objections: objections(run),
            warnings: run.warnings(),
            files,
            timings_ms: run
                .timings
                .iter()
                .map(|(stage, ms)| Timing {
                    stage,
                    ms: (ms * 1000.0).round() / 1000.0,
                })
                .collect(),
        };
        let mut out = serde_json::to_vec_pretty(&m)?;
        out.push(b'\n');
        Ok((NAME.into(), out))
    }
}

const ENGINE: Engine = Engine {
    name: "govtrust",
    version: env!("CARGO_PKG_VERSION"),
};

/// The manifest of an output directory that is not a run's (`compare`,
/// `generate`): engine, command, what it was made from, and its files
/// (from [`listing`]).
pub fn basic(
    command: &str,
    made_from: serde_json::Value,
    names: Vec<String>,
) -> Result<OutFile, ExportError> {
    #[derive(Serialize)]
    struct Basic<'a> {
        engine: Engine,
        command: &'a str,
        made_from: serde_json::Value,
        files: Vec<String>,
    }
    let m = Basic {
        engine: ENGINE,
        command,
        made_from,
        files: names,
    };
    let mut out = serde_json::to_vec_pretty(&m)?;
    out.push(b'\n');
    Ok((NAME.into(), out))
}
