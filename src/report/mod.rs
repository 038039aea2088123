//! Outputs (docs/scheme.md section 9), written through one [`Exporter`]
//! interface, as hyperfine does: each exporter turns a [`Run`] into named
//! files; [`write`] runs them all, adds the manifest listing them, and puts
//! them in place of the claimed output directory atomically (see
//! [`crate::outdir`]), so a failed or killed run leaves no half report.

pub mod analysis;
pub mod audit;
pub mod bulletin;
pub mod compare;
pub mod csv;
pub mod document;
pub mod explain;
pub mod feedback;
pub mod manifest;
pub mod publish;
pub mod words;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::run::Run;
use crate::score::rank::round2;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error(transparent)]
    Out(#[from] OutError),
    #[error("csv: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Other(e.to_string())
    }
}

pub use crate::outdir::{OutDir, OutError, Purpose};

/// Turns what a command produced (a [`Run`], or a [`Comparison`] of two
/// runs) into output files: paths relative to the output directory, and
/// bytes.
pub trait Exporter<T = Run>: Sync {
    fn export(&self, input: &T) -> Result<Vec<OutFile>, ExportError>;
}

/// What a command's output directory is made from: it writes the
/// manifest, which lists every file (the output's mark as govtrust's).
pub trait Output: Sync {
    fn manifest(&self, command: &str, files: Vec<String>) -> Result<OutFile, ExportError>;
}

impl Output for Run {
    fn manifest(&self, command: &str, files: Vec<String>) -> Result<OutFile, ExportError> {
        manifest::for_run(self, command, files)
    }
}

/// Two runs compared (`govtrust compare`).
pub struct Comparison {
    pub old: crate::history::Snapshot,
    pub new: crate::history::Snapshot,
    /// Where they were read from, as given.
    pub old_run: PathBuf,
    pub new_run: PathBuf,
}

impl Output for Comparison {
    fn manifest(&self, command: &str, files: Vec<String>) -> Result<OutFile, ExportError> {
        let made_from = serde_json::json!({
            "old_run": self.old_run.display().to_string(),
            "new_run": self.new_run.display().to_string(),
        });
        manifest::basic(command, made_from, files)
    }
}

/// The exporters every `assess` run uses: the tables and the publication
/// set (charts, bulletin.html, bulletin.docx).
pub fn standard() -> Vec<Box<dyn Exporter>> {
    let mut e = tables();
    e.push(Box::new(publish::Publication));
    e
}

/// The tables only (`assess --no-bulletin`): CSV, JSON and the workbook.
pub fn tables() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(csv::ScoresCsv),
        Box::new(csv::ValuesCsv),
        Box::new(csv::EvidenceCsv),
        Box::new(csv::RejectsCsv),
        Box::new(analysis::UncertaintyCsv),
        Box::new(analysis::SensitivityCsv),
        Box::new(analysis::WarningsCsv),
        Box::new(xlsx::ResultsXlsx),
        Box::new(compare::CompareCsv),
        Box::new(explain::ExplainJson),
    ]
}

/// Two decimals (points, totals), half away from zero.
pub fn fmt2(x: f64) -> String {
    format!("{:.2}", round2(x) + 0.0)
}

/// Two decimals as a number (for workbooks and JSON), no negative zero.
pub fn round2_value(x: f64) -> f64 {
    round2(x) + 0.0
}

/// Full precision: the shortest text that reads back as the same f64.
pub fn fmt_full(x: f64) -> String {
    format!("{}", x + 0.0)
}

/// One output file: its path relative to the output directory, and bytes.
pub type OutFile = (String, Vec<u8>);

/// Run the exporters, add the manifest (which lists every file), and put
/// the files in place of `out`'s output atomically.
pub fn write<T: Output>(
    input: &T,
    exporters: &[Box<dyn Exporter<T>>],
    out: OutDir,
) -> Result<Vec<PathBuf>, ExportError> {
    let mut files: Vec<OutFile> = crate::pool()
        .install(|| {
            exporters
                .par_iter()
                .map(|e| {
                    let t = std::time::Instant::now();
                    let files = e.export(input);
                    if crate::tracing() {
                        let first = files.as_ref().ok().and_then(|f| f.first());
                        eprintln!(
                            "[trace] export {}: {:.1} ms",
                            first.map_or("(nothing)", |f| f.0.as_str()),
                            t.elapsed().as_secs_f64() * 1e3
                        );
                    }
                    files
                })
                .collect::<Result<Vec<_>, _>>()
        })?
        .into_iter()
        .flatten()
        .collect();
    let names = manifest::listing(&files);
    files.push(input.manifest(out.command(), names)?);
    write_files(&files, out)
}

/// [`write`] to `out`, claimed as an `assess` output with no inputs to
/// keep apart (for tests and benches; the commands claim with theirs).
pub fn write_to(
    run: &Run,
    exporters: &[Box<dyn Exporter>],
    out: &Path,
) -> Result<Vec<PathBuf>, ExportError> {
    let purpose = Purpose {
        command: "assess",
        also_replaces: &[],
        inputs: &[],
    };
    write(run, exporters, OutDir::claim(out, &purpose)?)
}

/// Write `files` into the claimed output's staging directory, then put it
/// in place (see [`crate::outdir`]). The caller includes a manifest.
pub fn write_files(files: &[OutFile], out: OutDir) -> Result<Vec<PathBuf>, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| ExportError::Io {
            path,
            message: e.to_string(),
        }
    };
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let p = out.dir().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(io(d))?;
        }
        std::fs::write(&p, bytes).map_err(io(&p))?;
        written.push(out.path().join(rel));
    }
    crate::outdir::fault("written");
    out.commit()?;
    Ok(written)
}
