//! The unit register (被考核单位名册): unit_id, unit_name, group, and any
//! other column as an attribute (e.g. population, for `per`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::read::{ROW, RawTable, Wanted, read_table};
use super::{Accounting, DataError, InputFile, Reject};
use crate::scheme::Scheme;

pub const REQUIRED: [&str; 3] = ["unit_id", "unit_name", "group"];

#[derive(Debug, Clone, Default)]
pub struct Units {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub groups: Vec<String>,
    /// Groups in order of first appearance in the register.
    pub group_order: Vec<String>,
    /// Attribute columns, as text.
    pub attrs: HashMap<String, Vec<Option<String>>>,
    pub path: PathBuf,
    /// Rows with a value above a sheet register's header (a title).
    pub title_rows: u64,
    index: HashMap<String, usize>,
}

impl Units {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
    /// The members of every group (groups and units in register order).
    pub fn groups(&self) -> Vec<Vec<usize>> {
        self.group_order.iter().map(|g| self.members(g)).collect()
    }

    /// Units of a group, in register order.
    pub fn members(&self, group: &str) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.groups[i] == group)
            .collect()
    }
    /// An attribute as numbers; empty or non-numeric values are `None`.
    pub fn attr_f64(&self, name: &str) -> Option<Vec<Option<f64>>> {
        self.attrs.get(name).map(|v| {
            v.iter()
                .map(|x| x.as_deref().and_then(|s| s.trim().parse::<f64>().ok()))
                .collect()
        })
    }

    /// Build a register directly (tests, generators).
    pub fn from_rows(rows: &[(&str, &str, &str)]) -> Self {
        let mut u = Units::default();
        for (id, name, group) in rows {
            u.push(id.to_string(), name.to_string(), group.to_string());
        }
        u
    }

    fn push(&mut self, id: String, name: String, group: String) {
        self.index.insert(id.clone(), self.ids.len());
        if !self.group_order.contains(&group) {
            self.group_order.push(group.clone());
        }
        self.ids.push(id);
        self.names.push(name);
        self.groups.push(group);
    }

    /// unit_id → index, as a two-column frame for joins.
    pub fn id_series(&self) -> Series {
        Series::new("unit_id".into(), &self.ids)
    }
}

pub fn load(
    scheme: &Scheme,
    data_dir: &Path,
) -> Result<(Units, Vec<Reject>, InputFile), DataError> {
    let raw = read_table(data_dir, &scheme.units, "units", Wanted::All(&REQUIRED))?;
    let names: Vec<String> = raw
        .frame
        .get_column_names()
        .iter()
        .filter(|n| n.as_str() != ROW)
        .map(|n| n.to_string())
        .collect();
    for r in REQUIRED {
        if !names.iter().any(|n| n == r) {
            return Err(DataError::MissingColumn {
                dataset: "units".into(),
                path: raw.path.clone(),
                column: r.into(),
                hint: "the unit register needs unit_id, unit_name and group".into(),
            });
        }
    }
    let (mut units, rejects, kept) = rows(scheme, &raw)?;
    for name in names.iter().filter(|n| !REQUIRED.contains(&n.as_str())) {
        let all = text(&raw, name)?;
        let kept = kept.iter().map(|&r| all[r].clone()).collect();
        units.attrs.insert(name.clone(), kept);
    }
    let input = InputFile {
        dataset: "units".into(),
        file: scheme.units.file.clone(),
        digest: raw.digest,
        bytes: raw.bytes,
        accounting: Accounting {
            rows_read: (raw.frame.height() + raw.malformed.len()) as u64,
            counted: units.len() as u64,
            rejected: rejects.len() as u64,
            ..Default::default()
        },
        pending_objections: 0,
        blank_lines: raw.blank_lines,
    };
    if units.is_empty() {
        return Err(DataError::Read {
            path: raw.path.clone(),
            message: match rejects.first() {
                None => "the unit register lists no unit (a header and no rows): every record would be rejected as of an unknown unit".into(),
                Some(first) => format!(
                    "the unit register has no valid row: all {} are rejected (the first: {first})",
                    rejects.len()
                ),
            },
        });
    }
    Ok((units, rejects, input))
}

/// A column of the register as text.
fn text(raw: &RawTable, name: &str) -> Result<Vec<Option<String>>, DataError> {
    let c = raw.frame.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// The register's units, its rejects (lines that are not records, empty
/// required values, repeated ids: the later row) and the rows kept.
fn rows(scheme: &Scheme, raw: &RawTable) -> Result<(Units, Vec<Reject>, Vec<usize>), DataError> {
    let cols: Vec<Vec<Option<String>>> = REQUIRED
        .iter()
        .map(|c| text(raw, c))
        .collect::<Result<_, _>>()?;
    let mut units = Units {
        path: raw.path.clone(),
        title_rows: raw.title_rows,
        ..Default::default()
    };
    let mut rejects: Vec<Reject> = raw
        .malformed
        .iter()
        .map(|m| Reject::malformed("units", &scheme.units.file, m))
        .collect();
    let mut kept = Vec::new();
    for row in 0..raw.frame.height() {
        let line = raw.lines.line(row);
        let reject = |column: &str, value: &str, reason: &str| Reject {
            dataset: "units".into(),
            file: scheme.units.file.clone(),
            line,
            column: column.into(),
            value: value.into(),
            reason: reason.into(),
        };
        let vals: Vec<&str> = cols
            .iter()
            .map(|c| c[row].as_deref().unwrap_or("").trim())
            .collect();
        if let Some(k) = vals.iter().position(|v| v.is_empty()) {
            rejects.push(reject(REQUIRED[k], "", "empty value in a required column"));
            continue;
        }
        if units.index_of(vals[0]).is_some() {
            rejects.push(reject(
                "unit_id",
                vals[0],
                "duplicate unit_id (an earlier row has it)",
            ));
            continue;
        }
        units.push(vals[0].into(), vals[1].into(), vals[2].into());
        kept.push(row);
    }
    Ok((units, rejects, kept))
}
