//! Criterion benchmarks, one per pipeline stage, on data generated at two
//! sizes (the demo size and ten times it), as CSV and as Parquet.
//!
//! Run: `cargo bench --bench stages` (add `-- load` to run one group).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use govtrust::data::{self, LoadOptions};
use govtrust::generate::{self, Options, OutFormat};
use govtrust::{measure, report, run, scheme, score};

const SIZES: [usize; 2] = [30_000, 300_000];

/// Generated data for `tickets` in `format`, cached under target/bench-data.
fn dataset(tickets: usize, format: OutFormat) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("{tickets}-{}", format.ext()));
    if !generate::looks_generated(&dir) {
        generate::generate(&Options {
            out: dir.clone(),
            units: 60,
            tickets,
            seed: 2025,
            year: 2025,
            format,
            bad_rows: 0,
        })
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

    let mut g = c.benchmark_group("load");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for format in [OutFormat::Csv, OutFormat::Parquet] {
        let s = scheme_for(format);
        for n in SIZES {
            let dir = dataset(n, format);
            g.bench_with_input(BenchmarkId::new(format.ext(), n), &dir, |b, dir| {
                b.iter(|| data::load(&s, dir, LoadOptions::default()).unwrap())
            });
        }
    }
    g.finish();

    let s = scheme_for(OutFormat::Csv);
    for n in SIZES {
        let loaded = data::load(&s, &dataset(n, OutFormat::Csv), LoadOptions::default()).unwrap();
        let measured = measure::measure(&s, &loaded).unwrap();
        let mut g = c.benchmark_group(format!("stages_{n}"));
        g.sample_size(10);
        g.bench_function("measure", |b| {
            b.iter(|| measure::measure(&s, &loaded).unwrap())
        });
        g.bench_function("evidence", |b| {
            b.iter(|| measure::evidence(&s, &loaded).unwrap())
        });
        g.bench_function("score_rank_grade", |b| {
            b.iter(|| score::score(&s, &loaded.units, &measured))
        });
        let run = run::assess(
            Path::new("indicators"),
            &dataset(n, OutFormat::Csv),
            LoadOptions::default(),
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        g.bench_function("write_outputs", |b| {
            b.iter(|| report::write(&run, &report::standard(), &out.path().join("r")).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
