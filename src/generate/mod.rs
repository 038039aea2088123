//! `govtrust generate`: believable synthetic data for the default scheme.
//!
//! Every unit gets a latent quality q in [0, 1] (a bell around 0.6) that
//! drives its lateness, satisfaction, breaches and fraud, and a lognormal
//! workload that skews ticket volumes; a few units get almost no tickets
//! (below `min_n`). Dated records also fall in the 30 days before the
//! period, at the same daily rate (out of period; the alerts' history). Dishonesty and fraud records carry exemptions,
//! objections and repairs. The output is deterministic per seed (ChaCha8).

mod domains;
mod names;
pub mod sink;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use sink::OutFormat;
use sink::{Field, Kind};

#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    pub units: usize,
    pub tickets: usize,
    pub seed: u64,
    pub year: i32,
    pub format: OutFormat,
    /// Deliberately malformed hotline rows (CSV only), to show rejects.
    pub bad_rows: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            out: PathBuf::from("datasets/demo"),
            units: 60,
            tickets: 30_000,
            seed: 2025,
            year: 2025,
            format: OutFormat::Csv,
            bad_rows: 5,
        }
    }
}

/// Rows written per file (file names relative to the output directory).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: Vec<(String, usize)>,
}

pub(crate) struct Unit {
    pub id: String,
    pub is_town: bool,
    /// Latent quality in [0, 1].
    pub q: f64,
    /// Relative workload.
    pub load: f64,
}

pub(crate) struct Gen {
    pub rng: ChaCha8Rng,
    pub units: Vec<Unit>,
    pub start: i32,
    pub end: i32,
    pub opts: Options,
    /// Where the files are written.
    pub dir: PathBuf,
    pub summary: Summary,
    /// Dishonesty records a unit may object to: (record id, unit index,
    /// day), those without an `objection` of their own.
    pub objectable: Vec<(String, usize, i32)>,
}

pub(crate) fn days(d: NaiveDate) -> i32 {
    crate::calendar::days(d)
}

impl Gen {
    pub fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }
    pub fn normal(&mut self) -> f64 {
        let u1: f64 = self.uniform().max(1e-12);
        let u2: f64 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    /// The unit of lowest quality among `k` drawn at random.
    pub fn worst_of(&mut self, k: usize) -> usize {
        let draws: Vec<usize> = (0..k).map(|_| self.below(self.units.len())).collect();
        draws
            .into_iter()
            .min_by(|&a, &b| self.units[a].q.total_cmp(&self.units[b].q))
            .unwrap()
    }
    /// The unit of highest quality among `k` drawn at random.
    pub fn best_of(&mut self, k: usize) -> usize {
        let draws: Vec<usize> = (0..k).map(|_| self.below(self.units.len())).collect();
        draws
            .into_iter()
            .max_by(|&a, &b| self.units[a].q.total_cmp(&self.units[b].q))
            .unwrap()
    }
    /// A day of the period, or of the 30 days before it, at the same daily
    /// rate (the earlier month is out of period, and serves as history).
    pub fn day(&mut self) -> i32 {
        let days = (self.end - self.start + 1) as f64;
        if self.chance(30.0 / (days + 30.0)) {
            self.start - 1 - self.below(30) as i32
        } else {
            self.start + self.below((self.end - self.start + 1) as usize) as i32
        }
    }
    /// A day strictly inside the period.
    pub fn day_in(&mut self) -> i32 {
        self.start + self.below((self.end - self.start + 1) as usize) as i32
    }
    pub fn pick<'a>(&mut self, items: &[&'a str], weights: &[f64]) -> &'a str {
        let total: f64 = weights.iter().sum();
        let mut x = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return items[i];
            }
            x -= w;
        }
        items[items.len() - 1]
    }

    /// The file `name` with the format's extension: (name, path).
    pub fn file(&self, name: &str) -> (String, PathBuf) {
        let file = format!("{name}.{}", self.opts.format.ext());
        let path = self.dir.join(&file);
        (file, path)
    }

    /// Write a small table row by row.
    pub fn table(
        &mut self,
        name: &str,
        schema: &[(&str, Kind)],
        mut rows: impl FnMut(
            &mut Gen,
            &mut dyn FnMut(&[Field]) -> std::io::Result<()>,
        ) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let (file, path) = self.file(name);
        let mut sink = sink::open(&path, self.opts.format, schema)?;
        let mut n = 0usize;
        rows(self, &mut |f: &[Field]| {
            n += 1;
            sink.row(f)
        })?;
        sink.finish()?;
        self.summary.files.push((file, n));
        Ok(())
    }
}

/// Generate every dataset of the default scheme into `dir` (the claimed
/// output's staging directory; `opts.out` is where it will be).
pub fn generate(opts: &Options, dir: &Path) -> std::io::Result<Summary> {
    let start = days(NaiveDate::from_ymd_opt(opts.year, 1, 1).expect("valid year"));
    let end = days(NaiveDate::from_ymd_opt(opts.year, 12, 31).expect("valid year"));
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        units: Vec::new(),
        start,
        end,
        opts: opts.clone(),
        dir: dir.to_path_buf(),
        summary: Summary::default(),
        objectable: Vec::new(),
    };
    units(&mut g)?;
    domains::all(&mut g)?;
    Ok(g.summary)
}

fn units(g: &mut Gen) -> std::io::Result<()> {
    let n = g.opts.units.max(2);
    let towns = (n as f64 / 3.0).round().max(1.0) as usize;
    let depts = n - towns;
    let mut rows = Vec::new();
    for k in 0..n {
        let is_town = k >= depts;
        let (id, name) = if is_town {
            (format!("T{:03}", k - depts + 1), names::town(k - depts))
        } else {
            (format!("D{:03}", k + 1), names::department(k))
        };
        let q = ((g.uniform() + g.uniform() + g.uniform()) / 3.0 * 1.1 - 0.05).clamp(0.02, 0.98);
        let population = if is_town {
            Some((30_000.0 * (0.6 * g.normal()).exp()).round() as i64)
        } else {
            None
        };
        // Lognormal workload (a town's follows its population); every 13th
        // unit almost idle (below min_n).
        let mut load = match population {
            Some(p) => p as f64 / 30_000.0 * (0.15 * g.normal()).exp(),
            None => (0.9 * g.normal()).exp(),
        };
        if k % 13 == 7 {
            load *= 0.004;
        }
        rows.push((id.clone(), name, is_town, population));
        g.units.push(Unit {
            id,
            is_town,
            q,
            load,
        });
    }
    let schema = [
        ("unit_id", Kind::Str),
        ("unit_name", Kind::Str),
        ("group", Kind::Str),
        ("population", Kind::Int),
    ];
    g.table("units", &schema, |_, emit| {
        for (id, name, town, pop) in &rows {
            emit(&[
                Field::S(id),
                Field::S(name),
                Field::S(if *town { "town" } else { "department" }),
                pop.map_or(Field::Null, Field::I),
            ])?;
        }
        Ok(())
    })
}

/// A record id such as `H000000123`, into a reused buffer.
pub(crate) fn id(buf: &mut String, prefix: char, k: usize) -> &str {
    buf.clear();
    write!(buf, "{prefix}{k:09}").unwrap();
    buf
}

/// Check that a directory holds generated data (for tests and scripts).
pub fn looks_generated(dir: &Path) -> bool {
    dir.join("units.csv").is_file() || dir.join("units.parquet").is_file()
}
