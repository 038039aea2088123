//! Fixtures for integration tests: a scheme and data files in a temporary
//! directory, run through the library, with lookups into the result.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use govtrust::data::LoadOptions;
use govtrust::run::{self, Run, RunError};
use govtrust::score::{Scored, UnitScore};

/// A scheme header for a 2025 period with a unit register `units.csv`.
pub const HEADER: &str = r#"
[scheme]
name = "测试方案"
period = { start = 2025-01-01, end = 2025-12-31 }

[units]
file = "units.csv"
"#;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("scheme")).unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        Fixture { dir }
    }

    pub fn scheme_dir(&self) -> PathBuf {
        self.dir.path().join("scheme")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Write `scheme/<name>`.
    pub fn scheme(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.scheme_dir().join(name), text).unwrap();
        self
    }

    /// Write `data/<name>`.
    pub fn data(&self, name: &str, text: &str) -> &Self {
        self.bytes(name, text.as_bytes())
    }

    pub fn bytes(&self, name: &str, bytes: &[u8]) -> &Self {
        let p = self.data_dir().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    pub fn try_run(&self) -> Result<Run, RunError> {
        run::assess(&self.scheme_dir(), &self.data_dir(), LoadOptions::default())
    }

    /// The run with CSV files read in windows of about `bytes` bytes
    /// (docs/architecture.md, "How a dataset is read").
    pub fn run_in_windows(&self, bytes: usize) -> Run {
        let opts = LoadOptions {
            window_bytes: Some(bytes),
            ..Default::default()
        };
        run::assess(&self.scheme_dir(), &self.data_dir(), opts).unwrap()
    }

    /// The run with its Parquet files read in windows of at least `rows`
    /// rows (whole row groups).
    pub fn run_in_row_windows(&self, rows: usize) -> Run {
        let opts = LoadOptions {
            window_rows: Some(rows),
            ..Default::default()
        };
        run::assess(&self.scheme_dir(), &self.data_dir(), opts).unwrap()
    }

    pub fn run(&self) -> Run {
        match self.try_run() {
            Ok(r) => r,
            Err(e) => panic!("run failed: {e}"),
        }
    }

    pub fn err(&self) -> String {
        match self.try_run() {
            Ok(_) => panic!("expected the run to fail"),
            Err(e) => e.to_string(),
        }
    }
}

pub fn unit_index(run: &Run, id: &str) -> usize {
    run.data
        .units
        .index_of(id)
        .unwrap_or_else(|| panic!("no unit {id}"))
}

pub fn ind_index(run: &Run, id: &str) -> usize {
    run.scheme
        .indicators
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

/// The scored cell of indicator `ind` for unit `unit`.
pub fn cell(run: &Run, ind: &str, unit: &str) -> Scored {
    run.scored.cells[ind_index(run, ind)][unit_index(run, unit)]
}

pub fn unit<'a>(run: &'a Run, id: &str) -> &'a UnitScore {
    &run.scored.units[unit_index(run, id)]
}

/// Points of tree node `id` for a unit (attainment × nominal points).
pub fn node_points(run: &Run, node: &str, unit_id: &str) -> Option<f64> {
    let n = run.scheme.tree.iter().position(|t| t.id == node).unwrap();
    unit(run, unit_id).attainment[n].map(|a| a * run.scheme.tree[n].points)
}

pub fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "expected {expected}, got {actual}"
    );
}

pub fn some_close(actual: Option<f64>, expected: f64) {
    match actual {
        Some(a) => close(a, expected),
        None => panic!("expected {expected}, got nothing"),
    }
}

/// Read a CSV output (BOM stripped) into rows of fields.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{} has no BOM",
        path.display()
    );
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A value-measure indicator on dataset `survey`, scored v/100 (target 100,
/// floor 0), so that its attainment is exactly the value given / 100.
pub fn survey_indicator(id: &str, parent: Option<&str>, weight: f64) -> String {
    let parent = parent
        .map(|p| format!("parent = \"{p}\"\n"))
        .unwrap_or_default();
    format!(
        "[[indicator]]\nid = \"{id}\"\n{parent}weight = {weight}\ndataset = \"survey\"\nmeasure = {{ kind = \"value\" }}\nscore = {{ kind = \"target\", target = 100, floor = 0 }}\n"
    )
}

pub const SURVEY_DATASET: &str = r#"
[datasets.survey]
file = "survey.csv"
unit = "unit_id"
[datasets.survey.columns]
unit_id = "string"
indicator_id = "string"
value = "float"
"#;

/// The golden fixture (tests/fixtures/golden, every number worked out by
/// hand in its scheme) assessed and written with every exporter into a
/// temporary directory: (run, the directory's guard, the report path).
pub fn golden() -> (Run, tempfile::TempDir, PathBuf) {
    let base = Path::new("tests/fixtures/golden");
    let run = run::assess(
        &base.join("scheme"),
        &base.join("data"),
        LoadOptions::default(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    govtrust::report::write_to(&run, &govtrust::report::standard(), &out).unwrap();
    (run, tmp, out)
}
