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
///
/// Each exporter's files go into the staging directory as soon as it
/// returns, written by one thread of their own while the slower
/// exporters still run (a large workbook, the charts): the disk's work
/// leaves the end of the run, and no core waits on it. A large file is
/// synced there and then; the many small ones (charts) are synced at the
/// commit, side by side ([`OutDir::commit`] syncs every file, so each is
/// durable before the output is put in place either way). Returns the
/// files' paths, sorted.
pub fn write<T: Output>(
    input: &T,
    exporters: &[Box<dyn Exporter<T>>],
    out: OutDir,
) -> Result<Vec<PathBuf>, ExportError> {
    let mut clock = crate::Stopwatch::new("outputs");
    let dir = out.dir().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<OutFile>>();
    let (exported, stored) = std::thread::scope(|s| {
        let writer = s.spawn(move || -> Result<Vec<String>, ExportError> {
            let mut names = Vec::new();
            for files in rx {
                for (rel, bytes) in files {
                    put_new(&dir, &rel, &bytes)?;
                    names.push(rel);
                }
            }
            Ok(names)
        });
        let exported = crate::pool().install(|| {
            exporters.par_iter().try_for_each_with(tx, |tx, e| {
                let t = std::time::Instant::now();
                let files = e.export(input)?;
                if crate::tracing() {
                    eprintln!(
                        "[trace] export {}: {:.1} ms",
                        files.first().map_or("(nothing)", |f| f.0.as_str()),
                        t.elapsed().as_secs_f64() * 1e3
                    );
                }
                // A closed channel means the writer stopped on an error,
                // which is reported below.
                tx.send(files)
                    .map_err(|_| ExportError::Other("the output writer stopped".into()))
            })
        });
        // Every sender is gone now: the writer ends once it has put what
        // was sent.
        let stored = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (exported, stored)
    });
    // The writer's error is the cause of an exporter's failed send.
    let names = manifest::listing(&stored?);
    exported?;
    clock.lap("exported, files written");
    let shown = out.path().to_path_buf();
    let manifest = input.manifest(out.command(), names.clone())?;
    write_files(&[manifest], out)?;
    clock.lap("manifest written, committed (synced, in place, old output removed)");
    Ok(names.iter().map(|n| shown.join(n)).collect())
}

/// Files from this size up are synced as soon as they are written.
const SYNC_AT_ONCE: usize = 1 << 20;

/// Write a new file under the staging directory `dir`, and sync it if it
/// is large. Two exporters writing the same path would be a bug: the
/// second is an error, not a silent overwrite.
fn put_new(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), ExportError> {
    use std::io::Write;
    let p = dir.join(rel);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| ExportError::Io {
            path,
            message: e.to_string(),
        }
    };
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(io(d))?;
    }
    let mut f = std::fs::File::create_new(&p).map_err(io(&p))?;
    f.write_all(bytes).map_err(io(&p))?;
    if bytes.len() >= SYNC_AT_ONCE {
        f.sync_all().map_err(io(&p))?;
    }
    Ok(())
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
    let mut written = Vec::new();
    for (rel, bytes) in files {
        put_new(out.dir(), rel, bytes)?;
        written.push(out.path().join(rel));
    }
    crate::outdir::fault("written");
    out.commit()?;
    Ok(written)
}
