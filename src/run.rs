//! The pipeline, end to end: scheme, records, measures, scores, evidence.

use std::path::Path;
use std::time::Instant;

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
    /// (stage, milliseconds), in pipeline order.
    pub timings: Vec<(String, f64)>,
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

/// Assess with an already loaded scheme.
pub fn assess_scheme(
    scheme: Scheme,
    data_dir: &Path,
    opts: LoadOptions,
    mut t: Timer,
) -> Result<Run, RunError> {
    let data = data::load(&scheme, data_dir, opts)?;
    t.lap("load");
    let measured = measure::measure(&scheme, &data)?;
    t.lap("measure");
    let scored = score::score(&scheme, &data.units, &measured);
    t.lap("score");
    let evidence = measure::evidence(&scheme, &data)?;
    t.lap("evidence");
    Ok(Run {
        scheme,
        data,
        measured,
        scored,
        evidence,
        timings: t.into_laps(),
    })
}
