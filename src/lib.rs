//! govtrust: scores government-integrity (政务诚信) assessments.
//!
//! The pipeline, one module per stage, each importing only the stages
//! below it (docs/architecture.md): [`scheme`] (TOML in, checked scheme
//! out), [`data`] (records in, typed and accounted for), [`measure`]
//! (records to one value per unit and indicator), [`score`] (values to
//! attainments, points, totals, ranks and grades), [`analysis`] (how firm
//! the ranks are, early warnings, the audit), [`run`] (the pipeline end to
//! end), [`render`] and [`report`] (the output files), [`server`] (the web
//! workbench over them), with [`cli`] as the thin edge.

pub mod analysis;
pub mod calendar;
pub mod cli;
pub mod data;
pub mod diag;
pub mod generate;
pub mod history;
pub mod measure;
pub mod outdir;
pub mod paths;
pub mod render;
pub mod report;
pub mod run;
pub mod scheme;
pub mod score;
pub mod server;

/// The thread pool govtrust's own parallel work runs on (datasets loaded
/// and measured side by side). rayon's global pool gives its threads 2 MiB
/// stacks, which polars' recursive query planner can exhaust on deep
/// expressions in unoptimised builds; these threads get 64 MiB (virtual
/// memory: only the pages used are committed).
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("govtrust-{i}"))
            .build()
            .expect("cannot start worker threads")
    })
}

/// Ask the kernel for no transparent huge pages in this process (Linux).
/// Where they are on for every mapping (`always`), each allocator region
/// touched at all takes a whole 2 MiB page, zeroed: a run's resident
/// memory was a quarter larger for it (the demo's check 184 MB against
/// 112 MB, the 10M-ticket CSV run 706 MB against 530 MB), at the same
/// speed. Best effort: where the call is refused, nothing changes.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of the
    // calling process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// How polars' streaming Parquet reader is set, unless the user set it:
/// - `POLARS_ROW_GROUP_PREFETCH_SIZE=1`: it fetches and decodes up to 16
///   row groups ahead by default; a row group of a million tickets
///   decodes to about 100 MB, and the pass's sinks cannot take them that
///   fast on two cores. One ahead keeps the decoder busy all the same: on
///   the 10M-ticket Parquet file the run's peak went from 1,108 to 901 MiB
///   at the same wall time (`farm-bench -n 5`, 1.03x, within its range).
/// - `POLARS_PARQUET_DECODE_TARGET_VALUES_PER_THREAD=2000000`: it decodes
///   a row group's columns in tasks of about this many values, by default
///   16.7M, so a row group of a million rows and nine columns is decoded
///   by one task on one core. In tasks of two columns both cores decode
///   it, and a window's first row group (`data::read::parquet_windows`)
///   is ready in half the time (paired at 10M tickets, `farm-bench -n 7`:
///   0.94x the wall time, range 0.89-1.01).
///
/// # Safety
/// Sets environment variables: call it before any other thread starts
/// (the binary's `main` does, first thing).
pub unsafe fn parquet_reading() {
    for (var, value) in [
        ("POLARS_ROW_GROUP_PREFETCH_SIZE", "1"),
        ("POLARS_PARQUET_DECODE_TARGET_VALUES_PER_THREAD", "2000000"),
    ] {
        if std::env::var_os(var).is_none() {
            // SAFETY: the caller's (no other thread yet).
            unsafe { std::env::set_var(var, value) };
        }
    }
}

/// Is `GOVTRUST_TRACE` set? Then stages print their timings to stderr.
pub fn tracing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GOVTRUST_TRACE").is_some_and(|v| v != "0"))
}

/// A stopwatch: each lap records the time since the last one (the
/// manifest's timings) and, when tracing, prints `label stage: ms`.
pub struct Stopwatch {
    label: String,
    start: std::time::Instant,
    last: std::time::Instant,
    laps: Vec<(String, f64)>,
}

impl Stopwatch {
    pub fn new(label: impl Into<String>) -> Self {
        let now = std::time::Instant::now();
        Stopwatch {
            label: label.into(),
            start: now,
            last: now,
            laps: Vec::new(),
        }
    }

    pub fn lap(&mut self, stage: &str) {
        let now = std::time::Instant::now();
        let ms = (now - self.last).as_secs_f64() * 1e3;
        if tracing() {
            eprintln!(
                "[trace] {} {stage}: {ms:.1} ms (at {:.1} ms)",
                self.label,
                (now - self.start).as_secs_f64() * 1e3
            );
        }
        self.laps.push((stage.to_string(), ms));
        self.last = now;
    }

    /// (stage, milliseconds), in order.
    pub fn into_laps(self) -> Vec<(String, f64)> {
        self.laps
    }
}
