//! The per-group overviews: ranked bars coloured by grade (vetoed units
//! marked, change against a previous run when given) and the score
//! distribution with the grade thresholds.

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{Align, Pen};
use super::style::{DOWN, GRID, INK, MUTED, UP, W, grade_legend, legend, ticks, title};
use super::{Draw, fit, grade_rgb, rgb};
use crate::run::Run;

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
    pub fn new(
        run: &Run,
        units: &[usize],
        previous: Option<&std::collections::HashMap<String, usize>>,
        title: String,
    ) -> Self {
        let ids = &run.data.units.ids;
        let bars: Vec<Bar> = units
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
        let bars_vetoed: Vec<u32> = bars.iter().filter(|b| b.vetoed).map(|b| b.color).collect();
        Ranking {
            title,
            bars,
            max: max_total.max(run.scheme.points),
            legend: with_veto(grade_legend(run), &bars_vetoed, "一票否决（浅色条）"),
        }
    }
}

/// The grade legend, and the veto marker when a unit is vetoed: its
/// grade's colour as the chart draws it (35% over white).
fn with_veto(mut legend: Vec<(String, u32)>, vetoed: &[u32], label: &str) -> Vec<(String, u32)> {
    if let Some(&c) = vetoed.first() {
        let light = |shift: u32| {
            let v = (c >> shift) & 0xFF;
            ((v as f64 * 0.35 + 255.0 * 0.65).round() as u32) << shift
        };
        legend.push((label.to_string(), light(16) | light(8) | light(0)));
    }
    legend
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
            p.text(&fit(&b.name, 24), NAME_X, y, 13.0, INK, Align::Left)?;
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
                if b.vetoed { DOWN } else { INK },
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
    pub fn new(run: &Run, units: &[usize], title: String) -> Self {
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
            legend: {
                let vetoed: Vec<u32> = units
                    .iter()
                    .filter(|&&u| !run.scored.units[u].vetoes.is_empty())
                    .map(|&u| {
                        run.scored.units[u]
                            .grade
                            .map_or(0x9E9E9E, |g| grade_rgb(s, g))
                    })
                    .collect();
                let mut l = grade_legend(run);
                if let Some(&c) = vetoed.first() {
                    l.push(("一票否决（点上画×）".to_string(), c));
                }
                l
            },
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

/// Design units below a distribution's axis.
const BELOW: f64 = 100.0;

impl Draw for Distribution {
    fn size(&self) -> (f64, f64) {
        let stack = self.placed().iter().map(|p| p.1 + 1).max().unwrap_or(1);
        (W, 90.0 + stack as f64 * DOT + BELOW)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (_, h) = self.size();
        // Below the axis: tick labels, the axis name, and the legend,
        // whose text (16.5 units high) ends 12 units above the edge.
        let base = h - (BELOW - 10.0);
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
        p.text("综合得分", PLOT_END, base + 46.0, 12.0, MUTED, Align::Right)?;
        legend(p, &self.legend, PLOT_X, base + 68.0)
    }
}
