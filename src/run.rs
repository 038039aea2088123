//! The pipeline, end to end: scheme, records, measures, scores, early
//! warnings, and on request the Monte Carlo analysis, the sensitivity
//! indices and the audit. What one run produced is a [`Run`]; the report
//! stage turns it into files.

use std::path::Path;

use rayon::prelude::*;

use crate::Stopwatch;
use crate::analysis::audit::{self, Audit};
use crate::analysis::signals::{self, Signal};
use crate::analysis::sobol;
use crate::analysis::uncertainty::{self, Assumptions, Uncertainty};
use crate::data::{self, DataError, LoadOptions, Loaded};
use crate::history::Snapshot;
use crate::measure::signals::Counts;
use crate::measure::{self, Evidence, Measured};
use crate::scheme::{self, Scheme, SchemeError};
use crate::score;

/// Everything one assessment run produced.
#[derive(Debug, Clone)]
pub struct Run {
    pub scheme: Scheme,
    pub data: Loaded,
    pub measured: Measured,
    pub scored: score::Scores,
    pub evidence: Vec<Evidence>,
    /// Monte Carlo uncertainty analysis, when asked for.
    pub uncertainty: Option<Uncertainty>,
    /// Sensitivity indices of the assumptions, when asked for.
    pub sensitivity: Vec<(&'static str, sobol::Index)>,
    /// Early warnings (预警): alerts, screens, coverage.
    pub signals: Vec<Signal>,
    /// The scheme's statistical audit, when asked for.
    pub audit: Option<Audit>,
    /// (stage, milliseconds), in pipeline order.
    pub timings: Vec<(String, f64)>,
    /// The previous period's results (`assess --previous`), for changes.
    pub previous: Option<Snapshot>,
}

impl Run {
    /// Warnings (messages for the manifest and the summary) from every
    /// stage, in order.
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

/// Load a scheme and assess the records in `data_dir`.
pub fn assess(scheme_path: &Path, data_dir: &Path, opts: LoadOptions) -> Result<Run, RunError> {
    let mut t = Stopwatch::new("run");
    let scheme = scheme::load(scheme_path)?;
    t.lap("scheme");
    assess_scheme(scheme, data_dir, opts, t)
}

/// What loading and measuring produced.
pub struct Measurement {
    pub loaded: Loaded,
    pub measured: Measured,
    pub evidence: Vec<Evidence>,
    /// The early warnings' per-unit counts.
    pub counts: Counts,
}

/// Open and classify every record, and measure: the data and measure
/// stages, one streaming pass per dataset (in parallel).
pub fn load_and_measure(
    scheme: &Scheme,
    data_dir: &Path,
    opts: LoadOptions,
    t: &mut Stopwatch,
) -> Result<Measurement, RunError> {
    let prepared = data::prepare(scheme, data_dir, opts)?;
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
                "数据集“{}”（{}）：没有一条记录计分（{}行均被拒收、不在考核期间或按状态排除）",
                spec.title, spec.id, p.accounting.rows_read
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
    let mut register = prepared.register;
    if let Some(r) = &mut register {
        let found: Vec<_> = passes.iter().map(|p| p.marked.clone()).collect();
        r.settle(scheme, &units, &found);
        rejects.extend(r.rejects.iter().cloned());
        inputs.push(r.input.clone());
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
    let counts = Counts {
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
        register,
    };
    Ok(Measurement {
        loaded,
        measured,
        evidence,
        counts,
    })
}

/// Assess with an already loaded scheme.
pub fn assess_scheme(
    scheme: Scheme,
    data_dir: &Path,
    opts: LoadOptions,
    mut t: Stopwatch,
) -> Result<Run, RunError> {
    let m = load_and_measure(&scheme, data_dir, opts, &mut t)?;
    let scored = score::score(&scheme, &m.loaded.units, &m.measured);
    t.lap("score");
    let signals = signals::evaluate(&scheme, &m.loaded.units, &m.counts, &scored);
    t.lap("early warnings");
    Ok(Run {
        scheme,
        data: m.loaded,
        measured: m.measured,
        scored,
        evidence: m.evidence,
        uncertainty: None,
        sensitivity: Vec::new(),
        signals,
        audit: None,
        timings: t.into_laps(),
        previous: None,
    })
}

/// How a Monte Carlo analysis runs: what varies, how many draws, the
/// seed, and the probability a grade must reach to be stable.
#[derive(Debug, Clone)]
pub struct MonteCarlo {
    pub assumptions: Assumptions,
    pub draws: usize,
    pub seed: u64,
    pub threshold: f64,
}

/// Re-score every unit `mc.draws` times under perturbed assumptions:
/// rank intervals and grade probabilities (`run.uncertainty`).
pub fn uncertainty(run: &mut Run, mc: &MonteCarlo) {
    let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
    let u = uncertainty::run(&model, &mc.assumptions, mc.draws, mc.seed, mc.threshold);
    run.timings.push(("monte carlo".into(), u.seconds * 1000.0));
    run.uncertainty = Some(u);
}

/// The Monte Carlo analysis, and the variance-based sensitivity indices of
/// the assumptions varied (`samples` base samples, `bootstrap` resamples;
/// none if `samples` is 0 or nothing varies).
pub fn sensitivity(run: &mut Run, mc: &MonteCarlo, samples: usize, bootstrap: usize) {
    uncertainty(run, mc);
    let t = std::time::Instant::now();
    if samples > 0 && !mc.assumptions.factors().is_empty() {
        let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
        run.sensitivity = sobol::assumptions(&model, &mc.assumptions, samples, mc.seed, bootstrap);
    }
    run.timings.push((
        "sensitivity indices".into(),
        t.elapsed().as_secs_f64() * 1000.0,
    ));
}

/// The scheme's statistical audit on this run (`run.audit`), per peer
/// group with at least `min_units` units.
pub fn audit(run: &mut Run, min_units: usize) {
    run.audit = Some(audit::audit(
        &run.scheme,
        &run.data.units,
        &run.scored,
        min_units,
    ));
}
