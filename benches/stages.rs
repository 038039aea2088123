//! Criterion benchmarks, one per pipeline stage, on data generated at two
//! sizes (the demo size and ten times it), as CSV and as Parquet.
//!
//! Run: `cargo bench --bench stages` (add `-- load` to run one group).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use govtrust::data::{self, LoadOptions};
use govtrust::generate::{self, Options, OutFormat};
use govtrust::{report, run, scheme, score};

const SIZES: [usize; 2] = [30_000, 300_000];

/// Generated data for `tickets` in `format`, cached under target/bench-data.
fn dataset(tickets: usize, format: OutFormat) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("{tickets}-{}", format.ext()));
    if !generate::looks_generated(&dir) {
        std::fs::create_dir_all(&dir).unwrap();
        generate::generate(
            &Options {
                out: dir.clone(),
                units: 60,
                tickets,
                seed: 2025,
                year: 2025,
                format,
                bad_rows: 0,
            },
            &dir,
        )
        .unwrap();
    }
    dir
}

/// The default scheme, pointed at `.parquet` files when asked.
fn scheme_for(format: OutFormat) -> scheme::Scheme {
    let mut s = scheme::load(Path::new("indicators")).unwrap();
    if format == OutFormat::Parquet {
        s.units.file = s.units.file.replace(".csv", ".parquet");
        s.units.format = govtrust::scheme::Format::Parquet;
        for d in &mut s.datasets {
            d.source.file = d.source.file.replace(".csv", ".parquet");
            d.source.format = govtrust::scheme::Format::Parquet;
        }
    }
    s
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("scheme");
    g.bench_function("load_and_validate", |b| {
        b.iter(|| scheme::load(Path::new("indicators")).unwrap())
    });
    g.finish();

    // Reading, classifying and measuring are one streaming pass per dataset.
    let mut g = c.benchmark_group("pass");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for format in [OutFormat::Csv, OutFormat::Parquet] {
        let s = scheme_for(format);
        for n in SIZES {
            let dir = dataset(n, format);
            g.bench_with_input(
                BenchmarkId::new(format!("open_{}", format.ext()), n),
                &dir,
                |b, dir| b.iter(|| data::prepare(&s, dir, Default::default()).unwrap()),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("read_classify_measure_{}", format.ext()), n),
                &dir,
                |b, dir| {
                    b.iter(|| {
                        run::load_and_measure(
                            &s,
                            dir,
                            LoadOptions::default(),
                            &mut govtrust::Stopwatch::new("bench"),
                        )
                        .unwrap()
                    })
                },
            );
        }
    }
    g.finish();

    let s = scheme_for(OutFormat::Csv);
    for n in SIZES {
        let run = run::assess(
            Path::new("indicators"),
            &dataset(n, OutFormat::Csv),
            LoadOptions::default(),
        )
        .unwrap();
        let mut g = c.benchmark_group(format!("stages_{n}"));
        g.sample_size(20);
        g.bench_function("score_rank_grade", |b| {
            b.iter(|| score::score(&s, &run.data.units, &run.measured))
        });
        let totals: Vec<i64> = run
            .scored
            .units
            .iter()
            .map(|u| score::rank::cents(u.total))
            .collect();
        let vetoed = vec![false; totals.len()];
        g.bench_function("rank_only", |b| {
            b.iter(|| score::rank::ranks(&totals, &vetoed, true))
        });
        let out = tempfile::tempdir().unwrap();
        g.bench_function("write_outputs", |b| {
            b.iter(|| report::write_to(&run, &report::standard(), &out.path().join("r")).unwrap())
        });
        g.finish();
    }
}

// No plots: criterion draws them with plotters, whose fonts govtrust
// registers itself (the `ab_glyph` backend has no system fonts).
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = stages
}
criterion_main!(benches);
