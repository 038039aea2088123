//! Section 1: `[units]` and `[datasets.*]`: where each table comes from,
//! its declared columns and their types, and the status columns.

use std::path::{Component, Path};

use polars::prelude::{DataType, TimeUnit};
use schemars::JsonSchema;
use serde::Deserialize;

use super::context::Validator;
use crate::diag::{Ordered, S, list};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub file: S<String>,
    pub encoding: Option<S<String>>,
    pub sheet: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    pub title: Option<S<String>>,
    pub file: S<String>,
    pub encoding: Option<S<String>>,
    pub sheet: Option<S<String>>,
    pub key: Option<S<String>>,
    pub unit: S<String>,
    pub date: Option<S<String>>,
    /// Descriptive columns shown beside each record in the feedback
    /// (e.g. `["kind", "severity"]`).
    pub show: Option<S<Vec<S<String>>>>,
    pub columns: S<Ordered<S<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    String,
    Int,
    Float,
    Bool,
    Date,
    Datetime,
}

impl ColType {
    pub fn name(self) -> &'static str {
        match self {
            ColType::String => "string",
            ColType::Int => "int",
            ColType::Float => "float",
            ColType::Bool => "bool",
            ColType::Date => "date",
            ColType::Datetime => "datetime",
        }
    }

    /// A declared type, with `?` if the column may be empty.
    pub fn parse(s: &str) -> Option<(ColType, bool)> {
        let (base, nullable) = match s.strip_suffix('?') {
            Some(b) => (b, true),
            None => (s, false),
        };
        let t = match base {
            "string" => ColType::String,
            "int" => ColType::Int,
            "float" => ColType::Float,
            "bool" => ColType::Bool,
            "date" => ColType::Date,
            "datetime" => ColType::Datetime,
            _ => return None,
        };
        Some((t, nullable))
    }

    /// The polars type of the column's values.
    pub fn dtype(self) -> DataType {
        match self {
            ColType::String => DataType::String,
            ColType::Int => DataType::Int64,
            ColType::Float => DataType::Float64,
            ColType::Bool => DataType::Boolean,
            ColType::Date => DataType::Date,
            ColType::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: String,
    pub ty: ColType,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

pub(super) const ENCODINGS: &[(&str, Encoding)] = &[
    ("utf-8", Encoding::Utf8),
    ("utf8", Encoding::Utf8),
    ("gb18030", Encoding::Gb18030),
    ("gbk", Encoding::Gb18030),
];

/// Where a table comes from: shared by datasets and the unit register.
#[derive(Debug, Clone)]
pub struct FileSpec {
    /// As written, relative to the data directory.
    pub file: String,
    pub format: Format,
    pub encoding: Encoding,
    pub sheet: Option<String>,
}

/// The status columns of docs/scheme.md section 3, when a dataset declares
/// them.
pub const EXEMPT: &str = "exempt";
pub const OBJECTION: &str = "objection";
pub const REPAIRED_ON: &str = "repaired_on";

#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub id: String,
    pub title: String,
    pub source: FileSpec,
    pub key: Option<String>,
    pub unit: String,
    pub date: Option<String>,
    /// Declared columns shown beside each record in the feedback.
    pub show: Vec<String>,
    pub columns: Vec<ColumnSpec>,
}

impl DatasetSpec {
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }
}

/// `[units]`.
pub(super) fn units(v: &mut Validator, f: usize, u: &RawUnits) -> Option<FileSpec> {
    file_spec(v, f, &u.file, &u.encoding, &u.sheet)
}

fn file_spec(
    v: &mut Validator,
    f: usize,
    file: &S<String>,
    encoding: &Option<S<String>>,
    sheet: &Option<S<String>>,
) -> Option<FileSpec> {
    let name = file.get_ref();
    let p = Path::new(name);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        v.err(
            f,
            file.span().start,
            format!("file {name:?} leaves the data directory"),
        )
        .hint("paths are relative to the data directory, without '..'");
        return None;
    }
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match ext.as_str() {
        "csv" => Format::Csv,
        "parquet" => Format::Parquet,
        "xlsx" => Format::Xlsx,
        _ => {
            v.err(
                f,
                file.span().start,
                format!("file {name:?}: unknown format"),
            )
            .hint("use a .csv, .parquet or .xlsx file");
            return None;
        }
    };
    let enc = v.choice(f, encoding, ENCODINGS, Encoding::Utf8);
    if let Some(e) = encoding {
        if format != Format::Csv {
            v.err(f, e.span().start, "encoding applies to .csv files only");
        }
    }
    if let Some(s) = sheet {
        if format != Format::Xlsx {
            v.err(f, s.span().start, "sheet applies to .xlsx files only");
        }
    }
    Some(FileSpec {
        file: name.clone(),
        format,
        encoding: enc,
        sheet: sheet.as_ref().map(|s| s.get_ref().clone()),
    })
}

/// Every `[datasets.*]`, in the order written.
pub(super) fn check(
    v: &mut Validator,
    raw: &[(usize, S<String>, S<RawDataset>)],
) -> Option<Vec<DatasetSpec>> {
    let n0 = v.diags.len();
    let mut out: Vec<DatasetSpec> = Vec::new();
    for (f, id, d) in raw {
        let spec = dataset(v, *f, id, d.get_ref());
        if out.iter().any(|o| o.id == spec.id) {
            v.err(
                *f,
                id.span().start,
                format!("dataset {:?} is defined twice", spec.id),
            );
        }
        out.push(spec);
    }
    (v.diags.len() == n0).then_some(out)
}

fn dataset(v: &mut Validator, f: usize, id: &S<String>, d: &RawDataset) -> DatasetSpec {
    let source = file_spec(v, f, &d.file, &d.encoding, &d.sheet);
    let mut columns = Vec::new();
    for (name, ty) in &d.columns.get_ref().0 {
        if name.get_ref().starts_with("__") {
            v.err(
                f,
                name.span().start,
                "column names starting with '__' are reserved",
            );
        }
        match ColType::parse(ty.get_ref()) {
            Some((t, nullable)) => columns.push(ColumnSpec {
                name: name.get_ref().clone(),
                ty: t,
                nullable,
            }),
            None => {
                v.err(
                    f,
                    ty.span().start,
                    format!("unknown column type {:?}", ty.get_ref()),
                )
                .hint("string, int, float, bool, date or datetime, with '?' if it may be empty");
            }
        }
    }
    let spec = DatasetSpec {
        id: id.get_ref().clone(),
        title: d
            .title
            .as_ref()
            .map_or_else(|| id.get_ref().clone(), |t| t.get_ref().clone()),
        source: source.unwrap_or(FileSpec {
            file: String::new(),
            format: Format::Csv,
            encoding: Encoding::Utf8,
            sheet: None,
        }),
        key: d.key.as_ref().map(|k| k.get_ref().clone()),
        unit: d.unit.get_ref().clone(),
        date: d.date.as_ref().map(|k| k.get_ref().clone()),
        show: d
            .show
            .as_ref()
            .map(|s| s.get_ref().iter().map(|c| c.get_ref().clone()).collect())
            .unwrap_or_default(),
        columns,
    };
    for c in d.show.iter().flat_map(|s| s.get_ref()) {
        if spec.column(c.get_ref()).is_none() {
            v.err(
                f,
                c.span().start,
                format!(
                    "dataset {}: show names column {:?}, which is not declared",
                    spec.id,
                    c.get_ref()
                ),
            )
            .hint(format!(
                "declared: {}",
                list(spec.columns.iter().map(|c| &c.name), 12)
            ));
        }
    }
    need(
        v,
        f,
        &spec,
        "unit",
        &d.unit,
        &[ColType::String, ColType::Int],
    );
    if let Some(k) = &d.key {
        need(v, f, &spec, "key", k, &[ColType::String, ColType::Int]);
    }
    if let Some(k) = &d.date {
        need(v, f, &spec, "date", k, &[ColType::Date, ColType::Datetime]);
    }
    for (name, ty) in &d.columns.get_ref().0 {
        let want = match name.get_ref().as_str() {
            EXEMPT => ColType::Bool,
            OBJECTION => ColType::String,
            REPAIRED_ON => ColType::Date,
            _ => continue,
        };
        if spec.column(name.get_ref()).is_some_and(|c| c.ty != want) {
            v.err(
                f,
                ty.span().start,
                format!(
                    "status column {:?} must be of type {} (docs/scheme.md section 3)",
                    name.get_ref(),
                    want.name()
                ),
            );
        }
    }
    spec
}

/// The `field` column (`unit`, `key`, `date`) must be declared, of a type
/// in `ok`.
fn need(
    v: &mut Validator,
    f: usize,
    spec: &DatasetSpec,
    field: &str,
    col: &S<String>,
    ok: &[ColType],
) {
    match spec.column(col.get_ref()) {
        None => {
            v.err(
                f,
                col.span().start,
                format!(
                    "dataset {}: {field} column {:?} is not declared in [datasets.{}.columns]",
                    spec.id,
                    col.get_ref(),
                    spec.id
                ),
            )
            .hint(format!(
                "declared: {}",
                list(spec.columns.iter().map(|c| &c.name), 12)
            ));
        }
        Some(c) if !ok.contains(&c.ty) => {
            v.err(
                f,
                col.span().start,
                format!(
                    "dataset {}: {field} column {:?} is {}, expected {}",
                    spec.id,
                    c.name,
                    c.ty.name(),
                    list(ok.iter().map(|t| t.name()), 6)
                ),
            );
        }
        Some(_) => {}
    }
}
