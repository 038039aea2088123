//! Records in (docs/scheme.md sections 1 and 3): the unit register and every
//! dataset, typed, checked and accounted for.
//!
//! Every input row ends in exactly one of: counted, out of period, excluded
//! by status, or rejected (with a [`Reject`] naming file, line, column,
//! value and reason). [`prepare`] opens the files (in parallel); the rows
//! are parsed and classified by the lazy plan of [`records::plan`], which
//! the measure stage runs as one streaming pass per dataset.

pub mod checks;
mod csv;
mod csvread;
pub mod csvscan;
mod fields;
mod header;
pub mod marks;
pub mod objections;
pub mod pages;
pub mod parse;
pub mod read;
pub mod reasons;
pub mod records;
mod sheets;
mod sheetxml;
pub mod stats;
pub mod subset;
mod table;
mod transcode;
pub mod units;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

pub use records::{KEY, PENDING, REPAIRED, UNIT};
pub use units::Units;

use crate::scheme::{ColType, MeasureKind, Scheme};

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
    /// Values the scheme cannot score (a sum out of range, a value
    /// outside a points map), with their lines.
    #[error("dataset {dataset}: {message}")]
    Invalid { dataset: String, message: String },
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

impl Reject {
    /// The reason's code (rejects.csv `code`).
    pub fn code(&self) -> &'static str {
        reasons::code(&self.reason)
    }
    /// The reason in Chinese (the workbook's 拒收记录).
    pub fn reason_zh(&self) -> String {
        reasons::zh(&self.reason)
    }

    /// The reject of a line that is not a record (csvscan).
    pub fn malformed(dataset: &str, file: &str, m: &read::Malformed) -> Reject {
        Reject {
            dataset: dataset.to_string(),
            file: file.to_string(),
            line: m.line,
            column: String::new(),
            value: m.text.clone(),
            reason: m.reason.clone(),
        }
    }
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
    /// Records with a pending objection (异议待处理) that count, or that
    /// would count but for `pending_objections = "exclude"`.
    pub pending_objections: u64,
    /// Blank lines (blank rows of a sheet): skipped, not records.
    pub blank_lines: u64,
}

/// Everything the data stage produces: the register and the accounting of
/// every input file, after the measure stage's passes have classified the
/// rows.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub units: Units,
    pub rejects: Vec<Reject>,
    pub inputs: Vec<InputFile>,
    pub warnings: Vec<String>,
    /// The objection register (`[objections] file`), settled.
    pub register: Option<objections::Register>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Any rejected row is fatal.
    pub strict: bool,
    /// Counts datasets as they are measured, for a progress display.
    pub progress: Option<&'static Progress>,
    /// The size of the windows a CSV file is read in
    /// ([`pages::window_bytes`] if not given).
    pub window_bytes: Option<usize>,
    /// The least rows of the windows a Parquet file is read in
    /// ([`pages::window_rows`] if not given).
    pub window_rows: Option<usize>,
}

/// Datasets measured so far, of how many (for a progress bar).
#[derive(Debug, Default)]
pub struct Progress {
    pub total: std::sync::atomic::AtomicUsize,
    pub done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    pub const fn new() -> Progress {
        Progress {
            total: std::sync::atomic::AtomicUsize::new(0),
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

/// The register and every dataset opened (checked, digested), not read.
pub struct Prepared {
    pub units: Units,
    pub units_rejects: Vec<Reject>,
    pub units_input: InputFile,
    /// One per dataset, in scheme order.
    pub sources: Vec<read::Source>,
    pub warnings: Vec<String>,
    /// The objection register, its rows checked but not yet settled
    /// against the records.
    pub register: Option<objections::Register>,
}

/// Load the unit register and open every dataset of `scheme`.
pub fn prepare(scheme: &Scheme, data_dir: &Path, opts: LoadOptions) -> Result<Prepared, DataError> {
    let window = pages::WindowSize {
        bytes: opts.window_bytes.unwrap_or_else(pages::window_bytes),
        rows: opts.window_rows.unwrap_or_else(pages::window_rows),
    };
    let (units, units_rejects, units_input) = units::load(scheme, data_dir)?;
    let mut warnings = Vec::new();
    check_attributes(scheme, &units)?;
    for ind in &scheme.indicators {
        for g in ind.applies_to.iter().flatten() {
            if !units.group_order.contains(g) {
                warnings.push(format!(
                    "指标“{}”（{}）：applies_to 所列类别“{g}”在单位名册中没有单位",
                    ind.name, ind.id
                ));
            }
        }
    }
    warnings.extend(scheme.period_note());
    warnings.extend(calendar_coverage(scheme));
    let register = objections::load(scheme, data_dir, &units)?;
    let sources = crate::pool().install(|| {
        scheme
            .datasets
            .par_iter()
            .map(|d| {
                let declared: Vec<(String, ColType)> =
                    d.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
                read::open(
                    data_dir,
                    &d.source,
                    &d.id,
                    read::Wanted::Declared(&declared),
                    window,
                )
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let mut sources = sources;
    warnings.extend(shared_names(&units));
    if units.title_rows > 0 {
        warnings.push(format!(
            "被考核单位名册{}的表头之上有{}行（标题等）不含 unit_id、unit_name、group，不是单位，未读",
            scheme.units.file, units.title_rows
        ));
    }
    for (d, s) in scheme.datasets.iter().zip(&sources) {
        if s.title_rows > 0 {
            warnings.push(format!(
                "数据集“{}”（{}）：{}的表头之上有{}行（标题等）不含所列各列名，不是记录，未读",
                d.title, d.id, d.source.file, s.title_rows
            ));
        }
    }
    if let Some(r) = &register {
        for (ds, s) in sources.iter_mut().enumerate() {
            s.marks = r.marks(ds, &units);
        }
    }
    Ok(Prepared {
        units,
        units_rejects,
        units_input,
        sources,
        warnings,
        register,
    })
}

/// Units that share a name: the bulletin and the charts would show two
/// rows no reader can tell apart, and `explain NAME` could not choose. Not
/// an error (each id is its own unit, and its records count), but said
/// once per name, with the ids.
fn shared_names(units: &Units) -> Vec<String> {
    let mut by_name: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (n, id) in units.names.iter().zip(&units.ids) {
        by_name.entry(n.as_str()).or_default().push(id.as_str());
    }
    by_name
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(n, ids)| {
            format!(
                "被考核单位名册中{}个单位同名“{n}”（{}）：通报和图表中无法区分，请在名册中改用全称",
                ids.len(),
                ids.join("、")
            )
        })
        .collect()
}

/// A calendar that says which years it lists (`years = [2024, 2026]`)
/// knows nothing of the holidays of other years: there `workdays`, the
/// objections' reply deadlines and the bulletin's objection window count
/// Monday to Friday. Said once when the period or the bulletin date is
/// outside those years, so that a 2027 assessment on the 2024-2026
/// calendar does not count 春节 as working days unseen.
fn calendar_coverage(scheme: &Scheme) -> Option<String> {
    use chrono::Datelike;
    let (first, last) = scheme.calendar.years?;
    let days = [scheme.period.start, scheme.period.end]
        .into_iter()
        .chain(scheme.bulletin.date);
    let outside: std::collections::BTreeSet<i32> = days
        .map(|d| d.year())
        .filter(|y| !(first..=last).contains(y))
        .collect();
    if outside.is_empty() {
        return None;
    }
    let years: Vec<String> = outside.iter().map(|y| format!("{y}年")).collect();
    Some(format!(
        "工作日历“{}”只列出{first}年至{last}年的节假日和调休；考核期或通报日期所在的{}未列出，这些年份按周一至周五为工作日计算（workdays、异议答复期限和异议期限），请在日历文件中补充",
        scheme.calendar.name,
        years.join("、")
    ))
}

/// `count` with `per = "attr"` needs that column in the unit register.
fn check_attributes(scheme: &Scheme, units: &Units) -> Result<(), DataError> {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let uses = scheme
        .indicators
        .iter()
        .filter_map(|ind| match &ind.measure.kind {
            MeasureKind::Count { per: Some(a), .. } => Some((a, format!("indicator {}", ind.id))),
            _ => None,
        })
        .chain(
            scheme
                .alerts
                .iter()
                .filter_map(|a| a.per.as_ref().map(|p| (p, format!("alert {}", a.id)))),
        );
    for (a, who) in uses {
        if seen.insert(a, ()).is_none() && !units.attrs.contains_key(a) {
            return Err(DataError::MissingColumn {
                dataset: "units".into(),
                path: units.path.clone(),
                column: a.clone(),
                hint: format!("{who} counts per {a:?}: add that column to the unit register"),
            });
        }
    }
    Ok(())
}
