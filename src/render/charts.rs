//! Which charts a run gets, and the two per-group overviews: ranked bars
//! coloured by grade (vetoed units marked, change against a previous run
//! when given) and the score distribution with the grade thresholds.
//! Groups longer than [`PAGE`] units are split into pages, so that a bar
//! stays readable at bulletin size even with 300 units.

use rayon::prelude::*;

use super::figures::{Heatmap, Intervals, Profile, Slope};
use super::pen::{Align, Pen};
use super::{Draw, display_width, fit, grade_rgb, rgb};
use crate::run::Run;
use plotters::prelude::{DrawingBackend, RGBColor};

/// Units per page of a long chart.
pub const PAGE: usize = 40;
pub const W: f64 = 800.0;
pub const INK: RGBColor = RGBColor(0x21, 0x21, 0x21);
pub const MUTED: RGBColor = RGBColor(0x75, 0x75, 0x75);
pub const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
pub const UP: RGBColor = RGBColor(0x2E, 0x7D, 0x32);
pub const DOWN: RGBColor = RGBColor(0xC6, 0x28, 0x28);

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `ranking-1-1` (group 1, page 1).
    pub name: String,
    pub title: String,
    /// Index into `units.group_order`, or the unit for a profile.
    pub group: Option<usize>,
    pub unit: Option<usize>,
    pub kind: &'static str,
    pub svg: String,
    pub png: Vec<u8>,
}

enum Job {
    Ranking(Ranking),
    Distribution(Distribution),
    Heatmap(Heatmap),
    Intervals(Intervals),
    Slope(Slope),
    Profile(Profile),
}

impl Job {
    fn render(&self) -> Result<(String, Vec<u8>), String> {
        fn both(d: &impl Draw) -> Result<(String, Vec<u8>), String> {
            Ok((super::svg(d)?, super::png(d)?))
        }
        match self {
            Job::Ranking(d) => both(d),
            Job::Distribution(d) => both(d),
            Job::Heatmap(d) => both(d),
            Job::Intervals(d) => both(d),
            Job::Slope(d) => both(d),
            Job::Profile(d) => both(d),
        }
    }
}

/// Members of each group in output order (rank, then register order).
pub fn members(run: &Run) -> Vec<Vec<usize>> {
    let units = &run.data.units;
    units
        .group_order
        .iter()
        .map(|g| {
            run.scored
                .order
                .iter()
                .copied()
                .filter(|&u| &units.groups[u] == g)
                .collect()
        })
        .collect()
}

/// A chart to draw: (file stem, title, group, unit, kind, drawing).
type Planned = (
    String,
    String,
    Option<usize>,
    Option<usize>,
    &'static str,
    Job,
);

/// Every chart of a run, rendered in parallel.
pub fn charts(run: &Run) -> Result<Vec<Chart>, String> {
    let units = &run.data.units;
    let s = &run.scheme;
    let mut jobs: Vec<Planned> = Vec::new();
    let previous = run.previous.as_ref().map(|p| p.ranks());
    // This run as a snapshot, for the slope charts (only with --previous).
    let now = run
        .previous
        .as_ref()
        .map(|_| crate::report::compare::Snapshot::of_run(run));
    for (gi, ms) in members(run).iter().enumerate() {
        let gname = s.group_name(&units.group_order[gi]);
        let pages = ms.len().div_ceil(PAGE).max(1);
        for (p, chunk) in ms.chunks(PAGE).enumerate() {
            let suffix = if pages > 1 {
                format!("（{}/{}）", p + 1, pages)
            } else {
                String::new()
            };
            let title = format!("{gname}综合得分排名{suffix}");
            jobs.push((
                format!("ranking-{}-{}", gi + 1, p + 1),
                title.clone(),
                Some(gi),
                None,
                "ranking",
                Job::Ranking(Ranking::new(run, chunk, previous.as_ref(), title)),
            ));
            let title = format!("{gname}指标达成度热力图{suffix}");
            jobs.push((
                format!("heatmap-{}-{}", gi + 1, p + 1),
                title.clone(),
                Some(gi),
                None,
                "heatmap",
                Job::Heatmap(Heatmap::new(run, ms, chunk, title)),
            ));
            if run.uncertainty.is_some() {
                let title = format!("{gname}名次不确定性区间（5%–95%）{suffix}");
                jobs.push((
                    format!("intervals-{}-{}", gi + 1, p + 1),
                    title.clone(),
                    Some(gi),
                    None,
                    "intervals",
                    Job::Intervals(Intervals::new(run, ms.len(), chunk, title)),
                ));
            }
        }
        let title = format!("{gname}得分分布与等次分数线");
        jobs.push((
            format!("distribution-{}", gi + 1),
            title.clone(),
            Some(gi),
            None,
            "distribution",
            Job::Distribution(Distribution::new(run, ms, title)),
        ));
        if let (Some(prev), Some(now)) = (&run.previous, &now) {
            let title = format!("{gname}名次变化（{} → 本期）", prev.label);
            jobs.push((
                format!("slope-{}", gi + 1),
                title.clone(),
                Some(gi),
                None,
                "slope",
                Job::Slope(Slope::new(
                    &prev
                        .rows
                        .iter()
                        .filter(|r| r.group == units.group_order[gi])
                        .collect::<Vec<_>>(),
                    &now.rows
                        .iter()
                        .filter(|r| r.group == units.group_order[gi])
                        .collect::<Vec<_>>(),
                    title,
                )),
            ));
        }
        for &u in ms {
            let title = format!("{}各维度得分与同类单位平均", units.names[u]);
            jobs.push((
                format!("profile-{}", stem(&units.ids[u], u)),
                title.clone(),
                Some(gi),
                Some(u),
                "profile",
                Job::Profile(Profile::new(run, ms, u, title)),
            ));
        }
    }
    crate::pool().install(|| {
        jobs.into_par_iter()
            .map(|(name, title, group, unit, kind, job)| {
                let (svg, png) = job.render().map_err(|e| format!("chart {name}: {e}"))?;
                Ok(Chart {
                    name,
                    title,
                    group,
                    unit,
                    kind,
                    svg,
                    png,
                })
            })
            .collect()
    })
}

/// A safe file stem from a unit id (ids may hold any text): the id when
/// it is plain ASCII, else its plain characters and the register index,
/// so that two ids never share a file.
pub fn stem(id: &str, index: usize) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !id.is_empty() && id.chars().all(plain) {
        return id.to_string();
    }
    let s: String = id.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    format!("{s}-{}", index + 1)
}

/// Axis ticks: a round step giving about `n` ticks up to `max`.
pub fn ticks(max: f64, n: usize) -> Vec<f64> {
    let raw = (max / n as f64).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|v| *v <= max + 1e-9)
        .collect()
}

/// The title line of every chart.
pub fn title<DB: DrawingBackend>(p: &Pen<DB>, t: &str) -> Result<(), String> {
    p.text(t, W / 2.0, 20.0, 16.0, INK, Align::Center)
}

/// Grade legend along the bottom, from `x` at height `y`.
pub fn legend<DB: DrawingBackend>(
    p: &Pen<DB>,
    items: &[(String, u32)],
    mut x: f64,
    y: f64,
) -> Result<(), String> {
    for (name, c) in items {
        p.rect(x, y - 6.0, x + 12.0, y + 6.0, rgb(*c), 1.0)?;
        p.text(name, x + 16.0, y, 12.0, INK, Align::Left)?;
        x += 28.0 + display_width(name) as f64 * 6.5;
    }
    Ok(())
}

pub fn grade_legend(run: &Run) -> Vec<(String, u32)> {
    (0..run.scheme.grades.len())
        .map(|g| (run.scheme.grades[g].name.clone(), grade_rgb(&run.scheme, g)))
        .collect()
}

struct Bar {
    rank: usize,
    name: String,
    total: f64,
    color: u32,
    vetoed: bool,
    /// Previous rank minus this rank (positive: moved up); `None` when new.
    change: Option<Option<i64>>,
}

/// Ranked horizontal bars of one page of a group.
pub struct Ranking {
    title: String,
    bars: Vec<Bar>,
    max: f64,
    legend: Vec<(String, u32)>,
}

const ROW: f64 = 22.0;
const NAME_X: f64 = 36.0;
const BAR_X: f64 = 250.0;
const BAR_END: f64 = 680.0;

impl Ranking {
    fn new(
        run: &Run,
        units: &[usize],
        previous: Option<&std::collections::HashMap<String, usize>>,
        title: String,
    ) -> Self {
        let ids = &run.data.units.ids;
        let bars = units
            .iter()
            .map(|&u| {
                let x = &run.scored.units[u];
                Bar {
                    rank: x.rank,
                    name: run.data.units.names[u].clone(),
                    total: x.total,
                    color: x.grade.map_or(0x9E9E9E, |g| grade_rgb(&run.scheme, g)),
                    vetoed: !x.vetoes.is_empty(),
                    change: previous.map(|p| p.get(&ids[u]).map(|&r| r as i64 - x.rank as i64)),
                }
            })
            .collect();
        let max_total = run.scored.units.iter().map(|u| u.total).fold(0.0, f64::max);
        Ranking {
            title,
            bars,
            max: max_total.max(run.scheme.points),
            legend: grade_legend(run),
        }
    }
}

impl Draw for Ranking {
    fn size(&self) -> (f64, f64) {
        (W, 50.0 + self.bars.len().max(1) as f64 * ROW + 64.0)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let top = 44.0;
        let bottom = top + self.bars.len().max(1) as f64 * ROW;
        let x = |v: f64| BAR_X + (BAR_END - BAR_X) * v / self.max;
        for t in ticks(self.max, 5) {
            p.line(&[(x(t), top), (x(t), bottom)], GRID, 1.0)?;
            p.text(
                &format!("{t}"),
                x(t),
                bottom + 10.0,
                11.0,
                MUTED,
                Align::Center,
            )?;
        }
        for (i, b) in self.bars.iter().enumerate() {
            let y = top + (i as f64 + 0.5) * ROW;
            p.text(
                &b.rank.to_string(),
                NAME_X - 6.0,
                y,
                12.0,
                MUTED,
                Align::Right,
            )?;
            p.text(&fit(&b.name, 30), NAME_X, y, 13.0, INK, Align::Left)?;
            let c = rgb(b.color);
            p.rect(
                BAR_X,
                y - 7.0,
                x(b.total).max(BAR_X + 1.0),
                y + 7.0,
                c,
                if b.vetoed { 0.35 } else { 0.9 },
            )?;
            let mut label = format!("{:.2}", b.total);
            if b.vetoed {
                label.push_str(" 一票否决");
            }
            p.text(
                &label,
                x(b.total) + 4.0,
                y,
                12.0,
                if b.vetoed { super::charts::DOWN } else { INK },
                Align::Left,
            )?;
            if let Some(ch) = b.change {
                let (t, c) = match ch {
                    None => ("新增".to_string(), MUTED),
                    Some(0) => ("—".to_string(), MUTED),
                    Some(d) if d > 0 => (format!("↑{d}"), UP),
                    Some(d) => (format!("↓{}", -d), DOWN),
                };
                p.text(&t, W - 12.0, y, 12.0, c, Align::Right)?;
            }
        }
        legend(p, &self.legend, BAR_X, bottom + 36.0)
    }
}

/// Each unit of a group as a dot, stacked in bins along the score axis,
/// with a dashed line at each grade's minimum.
pub struct Distribution {
    title: String,
    dots: Vec<(f64, u32, bool)>,
    thresholds: Vec<(String, f64, u32)>,
    max: f64,
    legend: Vec<(String, u32)>,
}

const DOT: f64 = 11.0;
const PLOT_X: f64 = 40.0;
const PLOT_END: f64 = 770.0;

impl Distribution {
    fn new(run: &Run, units: &[usize], title: String) -> Self {
        let s = &run.scheme;
        let max_total = run.scored.units.iter().map(|u| u.total).fold(0.0, f64::max);
        Distribution {
            title,
            dots: units
                .iter()
                .map(|&u| {
                    let x = &run.scored.units[u];
                    (
                        x.total,
                        x.grade.map_or(0x9E9E9E, |g| grade_rgb(s, g)),
                        !x.vetoes.is_empty(),
                    )
                })
                .collect(),
            thresholds: (0..s.grades.len())
                .filter(|&g| s.grades[g].min > 0.0)
                .map(|g| (s.grades[g].name.clone(), s.grades[g].min, grade_rgb(s, g)))
                .collect(),
            max: max_total.max(s.points),
            legend: grade_legend(run),
        }
    }

    fn x(&self, v: f64) -> f64 {
        PLOT_X + (PLOT_END - PLOT_X) * v / self.max
    }

    /// (x, stack level) of each dot: bins one dot wide.
    fn placed(&self) -> Vec<(f64, usize)> {
        let mut level = std::collections::HashMap::new();
        let mut order: Vec<usize> = (0..self.dots.len()).collect();
        order.sort_by(|&a, &b| self.dots[a].0.total_cmp(&self.dots[b].0));
        let mut out = vec![(0.0, 0); self.dots.len()];
        for i in order {
            let bin = ((self.x(self.dots[i].0) - PLOT_X) / DOT).floor() as i64;
            let l = level.entry(bin).or_insert(0usize);
            out[i] = (PLOT_X + (bin as f64 + 0.5) * DOT, *l);
            *l += 1;
        }
        out
    }
}

impl Draw for Distribution {
    fn size(&self) -> (f64, f64) {
        let stack = self.placed().iter().map(|p| p.1 + 1).max().unwrap_or(1);
        (W, 90.0 + stack as f64 * DOT + 70.0)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (_, h) = self.size();
        let base = h - 70.0;
        let top = 60.0;
        for t in ticks(self.max, 10) {
            p.line(&[(self.x(t), base), (self.x(t), base + 4.0)], MUTED, 1.0)?;
            p.text(
                &format!("{t}"),
                self.x(t),
                base + 14.0,
                11.0,
                MUTED,
                Align::Center,
            )?;
        }
        p.line(&[(PLOT_X, base), (PLOT_END, base)], MUTED, 1.0)?;
        for (name, min, c) in &self.thresholds {
            p.dashed(
                (self.x(*min), top - 6.0),
                (self.x(*min), base),
                rgb(*c),
                1.5,
            )?;
            p.text(
                &format!("{name}≥{min}"),
                self.x(*min),
                top - 14.0,
                11.0,
                rgb(*c),
                Align::Center,
            )?;
        }
        for (&(_, c, vetoed), &(x, l)) in self.dots.iter().zip(&self.placed()) {
            let y = base - (l as f64 + 0.5) * DOT;
            p.dot(x, y, DOT / 2.0 - 1.0, rgb(c))?;
            if vetoed {
                p.line(
                    &[(x - 3.5, y - 3.5), (x + 3.5, y + 3.5)],
                    RGBColor(255, 255, 255),
                    1.5,
                )?;
                p.line(
                    &[(x - 3.5, y + 3.5), (x + 3.5, y - 3.5)],
                    RGBColor(255, 255, 255),
                    1.5,
                )?;
            }
        }
        p.text("综合得分", PLOT_END, base + 30.0, 12.0, MUTED, Align::Right)?;
        legend(p, &self.legend, PLOT_X, base + 48.0)
    }
}
