//! Records in (SCHEME.md sections 1 and 3): the unit register and every
//! dataset, typed, checked and accounted for.
//!
//! Every input row ends in exactly one of: counted, out of period, excluded
//! by status, or rejected (with a [`Reject`] naming file, line, column,
//! value and reason). Datasets load in parallel (rayon); each is read and
//! parsed with polars expressions, never row by row.

pub mod parse;
pub mod read;
mod records;
mod units;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

pub use records::{KEY, PENDING, REPAIRED, UNIT};
pub use units::Units;

use crate::scheme::{MeasureKind, Scheme};

/// A fatal problem with the input data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("dataset {dataset}: file {} does not exist", path.display())]
    MissingFile { dataset: String, path: PathBuf },
    #[error("dataset {dataset}: {} has no column {column:?}\n    hint: {hint}", path.display())]
    MissingColumn {
        dataset: String,
        path: PathBuf,
        column: String,
        hint: String,
    },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("--strict: {count} input row{} rejected; the first: {first}\n    hint: see the reasons with `govtrust check`, or run without --strict to write rejects.csv", if *count == 1 { " was" } else { "s were" })]
    Strict { count: usize, first: String },
    #[error("{0}")]
    Polars(String),
}

impl From<PolarsError> for DataError {
    fn from(e: PolarsError) -> Self {
        DataError::Polars(crate::scheme::expr::clean_polars_error(&e))
    }
}

/// One rejected input row (rejects.csv).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reject {
    pub dataset: String,
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} column {:?} value {:?}: {}",
            self.file, self.line, self.column, self.value, self.reason
        )
    }
}

/// Where each input row of a file ended (manifest.json).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    pub rows_read: u64,
    pub counted: u64,
    pub out_of_period: u64,
    pub excluded_by_status: u64,
    pub rejected: u64,
}

impl Accounting {
    pub fn balanced(&self) -> bool {
        self.rows_read
            == self.counted + self.out_of_period + self.excluded_by_status + self.rejected
    }
}

/// One input file as read.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    pub dataset: String,
    pub file: String,
    pub digest: String,
    pub bytes: u64,
    #[serde(flatten)]
    pub accounting: Accounting,
    /// Pending objections among counted records (flagged in the report).
    pub pending_objections: u64,
}

/// The counted records of one dataset: declared columns (typed) plus
/// [`UNIT`] (unit index), [`KEY`] (record key, or line), [`REPAIRED`] and
/// [`PENDING`].
#[derive(Debug, Clone)]
pub struct Records {
    pub dataset: usize,
    pub frame: DataFrame,
}

/// Everything the data stage produces.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub units: Units,
    pub records: Vec<Records>,
    pub rejects: Vec<Reject>,
    pub inputs: Vec<InputFile>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Any rejected row is fatal.
    pub strict: bool,
}

/// Load the unit register and every dataset of `scheme` from `data_dir`.
pub fn load(scheme: &Scheme, data_dir: &Path, opts: LoadOptions) -> Result<Loaded, DataError> {
    let (units, mut rejects, units_input) = units::load(scheme, data_dir)?;
    let mut warnings = Vec::new();
    check_attributes(scheme, &units)?;
    for ind in &scheme.indicators {
        for g in ind.applies_to.iter().flatten() {
            if !units.group_order.contains(g) {
                warnings.push(format!(
                    "indicator {}: applies_to group {g:?} has no units in the register",
                    ind.id
                ));
            }
        }
    }
    let results: Vec<_> = crate::pool().install(|| {
        (0..scheme.datasets.len())
            .into_par_iter()
            .map(|d| records::load(scheme, d, data_dir, &units))
            .collect()
    });
    let mut records = Vec::new();
    let mut inputs = vec![units_input];
    for r in results {
        let (rec, rej, input) = r?;
        if input.accounting.counted == 0 {
            warnings.push(format!(
                "dataset {}: no record counts (all {} rows are rejected, out of period or excluded)",
                input.dataset, input.accounting.rows_read
            ));
        }
        rejects.extend(rej);
        inputs.push(input);
        records.push(rec);
    }
    rejects.sort();
    if opts.strict && !rejects.is_empty() {
        return Err(DataError::Strict {
            count: rejects.len(),
            first: rejects[0].to_string(),
        });
    }
    Ok(Loaded {
        units,
        records,
        rejects,
        inputs,
        warnings,
    })
}

/// `count` with `per = "attr"` needs that column in the unit register.
fn check_attributes(scheme: &Scheme, units: &Units) -> Result<(), DataError> {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for ind in &scheme.indicators {
        if let MeasureKind::Count { per: Some(a), .. } = &ind.measure.kind {
            if seen.insert(a, ()).is_none() && !units.attrs.contains_key(a) {
                return Err(DataError::MissingColumn {
                    dataset: "units".into(),
                    path: units.path.clone(),
                    column: a.clone(),
                    hint: format!(
                        "indicator {} counts per {a:?}: add that column to the unit register",
                        ind.id
                    ),
                });
            }
        }
    }
    Ok(())
}
