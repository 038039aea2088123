//! Outputs (SCHEME.md section 9), written through one [`Exporter`]
//! interface, as hyperfine does: each exporter turns a [`Run`] into named
//! files; [`write`] runs them all and puts the files in place atomically
//! (a temporary directory beside the output, renamed over it at the end),
//! so a failed run leaves no half report.

pub mod analysis;
pub mod bulletin;
pub mod compare;
pub mod csv;
pub mod docx;
pub mod explain;
pub mod manifest;
pub mod publish;
pub mod xlsx;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::run::Run;
use crate::score::rank::round2;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
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

/// Turns a run into output files (name relative to the output directory,
/// and bytes).
pub trait Exporter: Sync {
    fn export(&self, run: &Run) -> Result<Vec<(String, Vec<u8>)>, ExportError>;
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
        Box::new(manifest::ManifestJson),
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

/// Run the exporters and replace `out` with their files, atomically.
pub fn write(
    run: &Run,
    exporters: &[Box<dyn Exporter>],
    out: &Path,
) -> Result<Vec<PathBuf>, ExportError> {
    let files: Vec<(String, Vec<u8>)> = crate::pool()
        .install(|| {
            exporters
                .par_iter()
                .map(|e| e.export(run))
                .collect::<Result<Vec<_>, _>>()
        })?
        .into_iter()
        .flatten()
        .collect();
    write_files(&files, out)
}

/// Write `files` into a fresh directory, then rename it over `out`.
pub fn write_files(files: &[(String, Vec<u8>)], out: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempdir_in(&parent, &format!(".{name}.tmp-"))?;
    let result = (|| {
        let mut written = Vec::new();
        for (rel, bytes) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d).map_err(io(d))?;
            }
            std::fs::write(&p, bytes).map_err(io(&p))?;
            written.push(out.join(rel));
        }
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        if out.exists() {
            std::fs::rename(out, &old).map_err(io(out))?;
        }
        if let Err(e) = std::fs::rename(&tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(io(out)(e));
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(written)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn tempdir_in(parent: &Path, prefix: &str) -> Result<PathBuf, ExportError> {
    for k in 0..1000u32 {
        let p = parent.join(format!("{prefix}{}-{k}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(ExportError::Io { path: p, source: e }),
        }
    }
    Err(ExportError::Other(format!(
        "cannot create a temporary directory in {}",
        parent.display()
    )))
}

/// The name of the rule behind an evidence record (indicators first).
pub fn rule_name(run: &Run, order: usize) -> String {
    let n = run.scheme.indicators.len();
    if order < n {
        run.scheme.indicators[order].name.clone()
    } else {
        run.scheme.rules[order - n].name.clone()
    }
}

/// The tree depth-first: (depth, node), root excluded.
pub fn walk(s: &crate::scheme::Scheme) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, usize)> = s.tree[0].children.iter().rev().map(|&c| (1, c)).collect();
    while let Some((d, n)) = stack.pop() {
        out.push((d, n));
        stack.extend(s.tree[n].children.iter().rev().map(|&c| (d + 1, c)));
    }
    out
}
