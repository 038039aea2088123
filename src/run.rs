//! The pipeline, end to end: scheme, records, measures, scores, evidence.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::data::{self, DataError, LoadOptions, Loaded};
use crate::measure::{self, Evidence, Measured};
use crate::scheme::{self, Scheme, SchemeError};
use crate::score;

/// Everything one assessment run produced.
#[derive(Debug, Clone)]
pub struct Run {
    pub scheme: Scheme,
    pub data: Loaded,
    pub measured: Measured,
    pub scored: score::Result,
    pub evidence: Vec<Evidence>,
    /// Monte Carlo uncertainty analysis, when asked for.
    pub uncertainty: Option<crate::analysis::uncertainty::Uncertainty>,
    /// Sensitivity indices of the assumptions, when asked for.
    pub sensitivity: Vec<(&'static str, crate::analysis::sobol::Index)>,
    /// Early warnings (预警): alerts, screens, coverage.
    pub alerts: Vec<crate::analysis::warnings::Warning>,
    /// (stage, milliseconds), in pipeline order.
    pub timings: Vec<(String, f64)>,
    /// The previous period's results (`assess --previous`), for changes.
    pub previous: Option<crate::report::compare::Snapshot>,
}

impl Run {
    /// Warnings from every stage, in order.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.data.warnings.clone();
        w.extend(self.measured.warnings.iter().cloned());
        w.extend(self.scored.warnings.iter().cloned());
        w
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scheme(#[from] SchemeError),
    #[error(transparent)]
    Data(#[from] DataError),
}

impl From<polars::prelude::PolarsError> for RunError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        RunError::Data(e.into())
    }
}

/// Stopwatch for the manifest's timings.
pub struct Timer(Instant, Vec<(String, f64)>);

impl Timer {
    pub fn start() -> Self {
        Timer(Instant::now(), Vec::new())
    }
    pub fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.1
            .push((stage.to_string(), (now - self.0).as_secs_f64() * 1000.0));
        self.0 = now;
    }
    pub fn into_laps(self) -> Vec<(String, f64)> {
        self.1
    }
}

/// Load a scheme and assess the records in `data_dir`.
pub fn assess(scheme_path: &Path, data_dir: &Path, opts: LoadOptions) -> Result<Run, RunError> {
    let mut t = Timer::start();
    let scheme = scheme::load(scheme_path)?;
    t.lap("scheme");
    assess_scheme(scheme, data_dir, opts, t)
}

/// Open and classify every record, and measure: the data and measure
/// stages, one streaming pass per dataset (in parallel).
pub fn load_and_measure(
    scheme: &Scheme,
    data_dir: &Path,
    opts: LoadOptions,
    t: &mut Timer,
) -> Result<
    (
        Loaded,
        Measured,
        Vec<Evidence>,
        crate::analysis::warnings::Counts,
    ),
    RunError,
> {
    let prepared = data::prepare(scheme, data_dir)?;
    if let Some(p) = opts.progress {
        use std::sync::atomic::Ordering::Relaxed;
        p.done.store(0, Relaxed);
        p.total.store(prepared.sources.len(), Relaxed);
    }
    t.lap("open");
    let units = prepared.units;
    let passes = crate::pool().install(|| {
        prepared
            .sources
            .par_iter()
            .enumerate()
            .map(|(ds, src)| {
                let r = measure::pass::run(scheme, ds, src, &units);
                if let Some(p) = opts.progress {
                    p.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                r
            })
            .collect::<Result<Vec<_>, DataError>>()
    })?;
    t.lap("read, classify, measure");
    let mut rejects = prepared.units_rejects;
    let mut inputs = vec![prepared.units_input];
    let mut warnings = prepared.warnings;
    let mut evidence = Vec::new();
    for (p, src) in passes.iter().zip(&prepared.sources) {
        let spec = &scheme.datasets[p.dataset];
        if p.accounting.counted == 0 {
            warnings.push(format!(
                "dataset {}: no record counts (all {} rows are rejected, out of period or excluded)",
                spec.id, p.accounting.rows_read
            ));
        }
        rejects.extend(p.rejects.iter().cloned());
        evidence.extend(p.evidence.iter().cloned());
        inputs.push(data::InputFile {
            dataset: spec.id.clone(),
            file: spec.source.file.clone(),
            digest: src.digest.clone(),
            bytes: src.bytes,
            accounting: p.accounting.clone(),
            pending_objections: p.pending_objections,
            blank_lines: src.blank_lines,
        });
    }
    rejects.sort();
    if opts.strict && !rejects.is_empty() {
        return Err(DataError::Strict {
            count: rejects.len(),
            first: rejects[0].to_string(),
        }
        .into());
    }
    let measured = measure::cells(scheme, &units, &passes)?;
    measure::evidence::sort(&units, &mut evidence);
    let counts = crate::analysis::warnings::Counts {
        frames: passes
            .iter()
            .filter_map(|p| p.alert_counts.clone())
            .collect(),
        history_from: passes.iter().map(|p| p.history_from).collect(),
    };
    let loaded = Loaded {
        units,
        rejects,
        inputs,
        warnings,
    };
    Ok((loaded, measured, evidence, counts))
}

/// Assess with an already loaded scheme.
pub fn assess_scheme(
    scheme: Scheme,
    data_dir: &Path,
    opts: LoadOptions,
    mut t: Timer,
) -> Result<Run, RunError> {
    let (data, measured, evidence, counts) = load_and_measure(&scheme, data_dir, opts, &mut t)?;
    let scored = score::score(&scheme, &data.units, &measured);
    t.lap("score");
    let alerts = crate::analysis::warnings::evaluate(&scheme, &data.units, &counts, &scored);
    t.lap("early warnings");
    Ok(Run {
        scheme,
        data,
        measured,
        scored,
        evidence,
        uncertainty: None,
        sensitivity: Vec::new(),
        alerts,
        timings: t.into_laps(),
        previous: None,
    })
}
