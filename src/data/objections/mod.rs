//! The objection register (异议登记, docs/scheme.md section 3): which
//! records units contested, and what the office decided.
//!
//! Columns `dataset, record_key, unit_id, filed_on, reason, status,
//! decided_on, reply`, and optionally `repaired_on`. A row's status
//! replaces the `objection` column of the record it names, and its
//! `repaired_on` (an approved repair, 信用修复) the record's, but only
//! where that record is charged to the row's unit: the check that the
//! record exists and is the unit's own happens in the dataset's pass (its
//! register sink), and a row failing it is rejected with its line. Every row ends applied or rejected.

pub mod import;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use super::read::{Wanted, read_table};
use super::{Accounting, DataError, InputFile, Reject, Units};
use crate::calendar::{Calendar, parse_date};
use crate::scheme::{FileSpec, Scheme};

/// The register's columns, in order.
pub const COLUMNS: [&str; 8] = [
    "dataset",
    "record_key",
    "unit_id",
    "filed_on",
    "reason",
    "status",
    "decided_on",
    "reply",
];
/// The register's optional column: an approved repair's date.
pub const REPAIRED_ON: &str = "repaired_on";
/// The name the register goes by in rejects.csv and the manifest's
/// inputs (bracketed, so that no dataset id can take it).
pub const DATASET: &str = "[objections]";

pub use super::marks::{Mark, Status};

/// One row of the register.
#[derive(Debug, Clone, PartialEq)]
pub struct Objection {
    /// Physical line in the register (header = 1).
    pub line: u64,
    pub dataset: usize,
    pub record_key: String,
    pub unit: usize,
    pub filed_on: NaiveDate,
    pub reason: String,
    pub status: Status,
    pub decided_on: Option<NaiveDate>,
    pub reply: String,
    /// An approved repair's date (信用修复): replaces the record's
    /// `repaired_on`.
    pub repaired_on: Option<NaiveDate>,
    /// The day the reply is due: `reply_days` working days after filing.
    pub due_on: NaiveDate,
    /// Still pending after its due day, as of the register's date.
    pub overdue: bool,
    /// The record exists and is the unit's: the status was applied.
    pub applied: bool,
}

/// The register as read.
#[derive(Debug, Clone)]
pub struct Register {
    pub file: String,
    /// Rows that passed the row checks, in file order (whether they
    /// applied is known after the passes).
    pub rows: Vec<Objection>,
    pub rejects: Vec<Reject>,
    pub input: InputFile,
    /// Deadlines are judged as of this day: the bulletin date, else the
    /// period end.
    pub as_of: NaiveDate,
}

impl Register {
    /// The marks on dataset `ds`'s records.
    pub fn marks(&self, ds: usize, units: &Units) -> Vec<Mark> {
        self.rows
            .iter()
            .filter(|o| o.dataset == ds)
            .map(|o| Mark {
                unit_id: units.ids[o.unit].clone(),
                record_key: o.record_key.clone(),
                status: o.status,
                repaired_on: o.repaired_on,
            })
            .collect()
    }

    /// Settle each row against the records the passes found under its
    /// key (`found[ds]`: record key → unit ids charged): applied rows
    /// stay, the others become rejects.
    pub fn settle(
        &mut self,
        scheme: &Scheme,
        units: &Units,
        found: &[HashMap<String, Vec<String>>],
    ) {
        let mut kept = Vec::with_capacity(self.rows.len());
        for mut o in std::mem::take(&mut self.rows) {
            let ds = &scheme.datasets[o.dataset];
            let unit = &units.ids[o.unit];
            let reason = match found[o.dataset].get(&o.record_key) {
                None => Some(format!(
                    "names no record: dataset {} has no valid record with key {:?}",
                    ds.id, o.record_key
                )),
                Some(us) if !us.contains(unit) => Some(format!(
                    "the record is charged to unit {}, not to {unit}: a unit may object only to its own records",
                    us.join(", ")
                )),
                Some(_) => None,
            };
            match reason {
                Some(reason) => self.rejects.push(Reject {
                    dataset: DATASET.into(),
                    file: self.file.clone(),
                    line: o.line,
                    column: "record_key".into(),
                    value: o.record_key.clone(),
                    reason,
                }),
                None => {
                    o.applied = true;
                    kept.push(o);
                }
            }
        }
        self.rows = kept;
        self.rejects.sort();
        self.input.accounting.counted = self.rows.len() as u64;
        self.input.accounting.rejected = self.rejects.len() as u64;
        self.input.pending_objections = self
            .rows
            .iter()
            .filter(|o| o.status == Status::Pending)
            .count() as u64;
    }

    pub fn overdue(&self) -> impl Iterator<Item = &Objection> {
        self.rows.iter().filter(|o| o.overdue)
    }
}

/// Read `[objections] file`, if the scheme names one. A named register
/// that does not exist is an error: a mistyped name would otherwise
/// silently drop every objection (`govtrust objections import` creates
/// one).
pub fn load(
    scheme: &Scheme,
    data_dir: &Path,
    units: &Units,
) -> Result<Option<Register>, DataError> {
    let Some(file) = &scheme.objections.file else {
        return Ok(None);
    };
    let mut spec = FileSpec {
        file: file.clone(),
        format: crate::scheme::Format::Csv,
        encoding: scheme.objections.encoding,
        sheet: None,
    };
    // A register given by path (`--register`, a workbench run's) is read
    // from its own directory, under its file name; as UTF-8 where it is
    // (the workbench writes UTF-8), else in the declared encoding.
    let base = match &scheme.objections.register {
        Some(p) => {
            if std::fs::read(p).is_ok_and(|b| std::str::from_utf8(&b).is_ok()) {
                spec.encoding = crate::scheme::Encoding::Utf8;
            }
            p.parent().unwrap_or(Path::new("."))
        }
        None => data_dir,
    };
    // The hint for a file that is not UTF-8 names the register's own key.
    let raw = read_table(base, &spec, DATASET, Wanted::All(&COLUMNS)).map_err(|e| match e {
        DataError::Read { path, message } if message.contains(crate::data::table::GBK_HINT) => {
            DataError::Read {
                path,
                message: message.replace(
                    crate::data::table::GBK_HINT,
                    " (hint: a register saved by Excel on a Chinese Windows is GB18030: write encoding = \"gb18030\" under [objections])",
                ),
            }
        }
        e => e,
    })?;
    for c in COLUMNS {
        if raw.frame.column(c).is_err() {
            return Err(DataError::MissingColumn {
                dataset: DATASET.into(),
                path: raw.path.clone(),
                column: c.into(),
                hint: format!(
                    "the objection register has the columns {}",
                    COLUMNS.join(", ")
                ),
            });
        }
    }
    let text = |c: &str| -> Result<Vec<String>, DataError> {
        let s = raw
            .frame
            .column(c)?
            .cast(&polars::prelude::DataType::String)?;
        Ok(s.str()?
            .iter()
            .map(|v| v.unwrap_or("").trim().to_string())
            .collect())
    };
    let mut cols: Vec<Vec<String>> = COLUMNS.iter().map(|c| text(c)).collect::<Result<_, _>>()?;
    // The optional repair column; empty where the register has none.
    cols.push(match raw.frame.column(REPAIRED_ON) {
        Ok(_) => text(REPAIRED_ON)?,
        Err(_) => vec![String::new(); raw.frame.height()],
    });
    let as_of = scheme.bulletin.date.unwrap_or(scheme.period.end);
    let mut reg = Register {
        file: file.clone(),
        rows: Vec::new(),
        rejects: raw
            .malformed
            .iter()
            .map(|m| Reject::malformed(DATASET, file, m))
            .collect(),
        input: InputFile {
            dataset: DATASET.into(),
            file: file.clone(),
            digest: raw.digest.clone(),
            bytes: raw.bytes,
            accounting: Accounting {
                rows_read: (raw.frame.height() + raw.malformed.len()) as u64,
                ..Default::default()
            },
            pending_objections: 0,
            blank_lines: raw.blank_lines,
        },
        as_of,
    };
    let mut seen: HashMap<(usize, String), u64> = HashMap::new();
    for r in 0..raw.frame.height() {
        let line = raw.lines.line(r);
        let v: Vec<&str> = cols.iter().map(|c| c[r].as_str()).collect();
        match row(scheme, units, &v, line, &scheme.calendar, as_of) {
            Ok(o) => match seen.get(&(o.dataset, o.record_key.clone())) {
                Some(first) => reg.rejects.push(reject(
                    file,
                    line,
                    "record_key",
                    &o.record_key,
                    format!("the record already has an objection at line {first}: one row per record (edit its status there)"),
                )),
                None => {
                    seen.insert((o.dataset, o.record_key.clone()), line);
                    reg.rows.push(o);
                }
            },
            Err((column, value, reason)) => {
                reg.rejects.push(reject(file, line, column, &value, reason));
            }
        }
    }
    Ok(Some(reg))
}

fn reject(file: &str, line: u64, column: &str, value: &str, reason: String) -> Reject {
    Reject {
        dataset: DATASET.into(),
        file: file.into(),
        line,
        column: column.into(),
        value: value.into(),
        reason,
    }
}

type RowError = (&'static str, String, String);

/// One register row, checked on its own.
fn row(
    scheme: &Scheme,
    units: &Units,
    v: &[&str],
    line: u64,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<Objection, RowError> {
    let bad =
        |k: usize, reason: &str| -> RowError { (COLUMNS[k], v[k].to_string(), reason.to_string()) };
    for k in [0, 1, 2, 3, 5] {
        if v[k].is_empty() {
            return Err(bad(k, "empty value in a required column"));
        }
    }
    let dataset = scheme
        .dataset_index(v[0])
        .ok_or_else(|| bad(0, "not a dataset of the scheme"))?;
    let unit = units
        .index_of(v[2])
        .ok_or_else(|| bad(2, "unit not in the unit register"))?;
    let filed_on =
        parse_date(v[3]).ok_or_else(|| bad(3, "not a date (expected 2025-03-01 or 2025/3/1)"))?;
    let status = Status::parse(v[5]).ok_or_else(|| {
        bad(
            5,
            "status must be one of: pending, upheld, rejected, none (or 待处理, 成立, 驳回, 无)",
        )
    })?;
    let decided_on = match v[6] {
        "" => None,
        d => Some(
            parse_date(d).ok_or_else(|| bad(6, "not a date (expected 2025-03-01 or 2025/3/1)"))?,
        ),
    };
    if decided_on.is_some_and(|d| d < filed_on) {
        return Err(bad(6, "decided before the objection was filed"));
    }
    let repaired_on = match v[8] {
        "" => None,
        d => {
            let bad8 =
                |reason: &str| -> RowError { (REPAIRED_ON, v[8].to_string(), reason.to_string()) };
            let day = parse_date(d)
                .ok_or_else(|| bad8("not a date (expected 2025-03-01 or 2025/3/1)"))?;
            if !scheme.datasets[dataset].has(crate::scheme::REPAIRED_ON) {
                return Err(bad8(
                    "the dataset declares no repaired_on column: its records are not repaired (信用修复)",
                ));
            }
            Some(day)
        }
    };
    let due_on = cal.add_workdays(filed_on, scheme.objections.reply_days);
    Ok(Objection {
        line,
        dataset,
        record_key: v[1].to_string(),
        unit,
        filed_on,
        reason: v[4].to_string(),
        status,
        decided_on,
        reply: v[7].to_string(),
        repaired_on,
        due_on,
        overdue: status == Status::Pending && due_on < as_of,
        applied: false,
    })
}
