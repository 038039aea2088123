//! Monte Carlo throughput: one nominal scoring against draws under varied
//! assumptions, at 60 units × 12 indicators (COINr's reference size) and
//! 3,000 units × 40 indicators. The models are synthetic (random measured
//! values); scoring never touches records, so only the size matters.
//!
//! Run: `cargo bench --bench uncertainty`. Draws per second = 256 / the
//! time of `draws_256`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use govtrust::analysis::uncertainty::{self, Assumptions, Model};
use govtrust::data::Units;
use govtrust::diag::Source;
use govtrust::measure::{Cell, Measured, cell_value};
use govtrust::scheme::{self, Scheme};
use govtrust::score;
use rand::{RngExt, SeedableRng};

/// A scheme of `nodes` dimensions with `per` indicators each, mixing score
/// kinds (target, minmax, zscore, rank, bands).
fn scheme(nodes: usize, per: usize) -> Scheme {
    let mut t = String::from(
        "[scheme]\nname = \"bench\"\nperiod = { start = 2025-01-01, end = 2025-12-31 }\n[units]\nfile = \"u.csv\"\n[datasets.d]\nfile = \"d.csv\"\nunit = \"u\"\n[datasets.d.columns]\nu = \"string\"\nx = \"float\"\nok = \"bool\"\n",
    );
    let kinds = [
        "{ kind = \"target\", target = 0.9, floor = 0.5 }",
        "{ kind = \"minmax\" }",
        "{ kind = \"zscore\" }",
        "{ kind = \"rank\" }",
        "{ kind = \"bands\", bands = [[0.9, 1.0], [0.7, 0.6]] }",
    ];
    for n in 0..nodes {
        t.push_str(&format!(
            "[[node]]\nid = \"n{n}\"\nweight = {}\n",
            1 + n % 3
        ));
        for k in 0..per {
            t.push_str(&format!(
                "[[indicator]]\nid = \"i{n}_{k}\"\nparent = \"n{n}\"\nweight = {}\ndataset = \"d\"\nmeasure = {{ kind = \"share\", where = \"ok\" }}\nmin_n = 5\nscore = {}\n",
                1 + k % 4,
                kinds[(n + k) % kinds.len()]
            ));
        }
    }
    t.push_str("[[grade]]\nname = \"A\"\nmin = 80\nquota = 0.2\n[[grade]]\nname = \"B\"\nmin = 60\n[[grade]]\nname = \"C\"\nmin = 0\n");
    scheme::load_sources(vec![Source::new("bench.toml", t)], Path::new(".")).unwrap()
}

fn model_data(s: &Scheme, units: usize) -> (Units, Measured) {
    let rows: Vec<(String, String, String)> = (0..units)
        .map(|i| {
            (
                format!("U{i}"),
                format!("U{i}"),
                if i % 3 == 0 { "town" } else { "dept" }.to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let cells = s
        .indicators
        .iter()
        .map(|ind| {
            (0..units)
                .map(|_| {
                    let n = rng.random_range(0..60u64);
                    let mut c = Cell {
                        value: None,
                        n,
                        num: (n as f64 * rng.random::<f64>()).floor(),
                        den: n as f64,
                    };
                    c.value = cell_value(&ind.measure.kind, &c, None);
                    c
                })
                .collect()
        })
        .collect();
    (
        Units::from_rows(&refs),
        Measured {
            cells,
            rules: vec![],
            warnings: vec![],
        },
    )
}

fn bench(c: &mut Criterion) {
    for (label, nodes, per, units) in [("60x12", 3, 4, 60), ("3000x40", 8, 5, 3000)] {
        let s = scheme(nodes, per);
        let (u, m) = model_data(&s, units);
        let model = Model::new(&s, &u, &m);
        let a = Assumptions::default();
        let mut g = c.benchmark_group(format!("uncertainty_{label}"));
        g.sample_size(10);
        g.bench_function("nominal_score", |b| b.iter(|| score::score(&s, &u, &m)));
        g.bench_function("one_draw", |b| {
            b.iter(|| model.draw(&a, uncertainty::uniforms(7, 1)))
        });
        g.bench_function("draws_256", |b| {
            b.iter(|| uncertainty::run(&model, &a, 256, 7, 0.9))
        });
        g.finish();
    }
}

// No plots: criterion draws them with plotters, whose fonts govtrust
// registers itself (the `ab_glyph` backend has no system fonts).
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
