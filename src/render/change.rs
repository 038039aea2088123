//! Charts of change and uncertainty: rank intervals from the Monte Carlo
//! analysis, and the rank change between two periods (slope charts).

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{Align, Pen};
use super::style::{DOWN, GRID, INK, MUTED, UP, W, ticks, title};
use super::{Draw, fit, grade_rgb, rgb};
use crate::history::{Row, Snapshot};
use crate::run::Run;

const NAME_X: f64 = 36.0;
const ROW: f64 = 20.0;

/// 5th-95th percentile of each unit's rank over the Monte Carlo draws,
/// around its nominal rank.
pub struct Intervals {
    title: String,
    n: usize,
    rows: Vec<(usize, String, f64, f64, f64, u32)>,
}

impl Intervals {
    pub fn new(run: &Run, group_size: usize, page: &[usize], title: String) -> Self {
        let mc = run
            .uncertainty
            .as_ref()
            .expect("intervals need an uncertainty analysis");
        Intervals {
            title,
            n: group_size,
            rows: page
                .iter()
                .map(|&u| {
                    let x = &mc.units[u];
                    let c = run.scored.units[u]
                        .grade
                        .map_or(0x9E9E9E, |g| grade_rgb(&run.scheme, g));
                    (
                        run.scored.units[u].rank,
                        run.data.units.names[u].clone(),
                        x.p5_rank,
                        x.median_rank,
                        x.p95_rank,
                        c,
                    )
                })
                .collect(),
        }
    }
}

impl Draw for Intervals {
    fn size(&self) -> (f64, f64) {
        (W, 60.0 + self.rows.len().max(1) as f64 * ROW + 50.0)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (x0, x1, top) = (250.0, 770.0, 48.0);
        let span = (self.n.max(2) - 1) as f64;
        let x = |r: f64| x0 + (x1 - x0) * (r - 1.0) / span;
        let bottom = top + self.rows.len().max(1) as f64 * ROW;
        for t in ticks(span, 8) {
            p.line(&[(x(t + 1.0), top), (x(t + 1.0), bottom)], GRID, 1.0)?;
            p.text(
                &format!("{}", t + 1.0),
                x(t + 1.0),
                bottom + 10.0,
                11.0,
                MUTED,
                Align::Center,
            )?;
        }
        for (i, (rank, name, lo, med, hi, c)) in self.rows.iter().enumerate() {
            let y = top + (i as f64 + 0.5) * ROW;
            p.text(
                &rank.to_string(),
                NAME_X - 6.0,
                y,
                11.0,
                MUTED,
                Align::Right,
            )?;
            p.text(&fit(name, 30), NAME_X, y, 12.0, INK, Align::Left)?;
            p.line(&[(x(*lo), y), (x(*hi), y)], INK, 2.0)?;
            p.line(&[(x(*med), y - 5.0), (x(*med), y + 5.0)], INK, 1.5)?;
            p.dot(x(*rank as f64), y, 4.5, rgb(*c))?;
        }
        p.text(
            "名次（圆点：本期名次；竖线：中位数；横线：5%–95%区间）",
            x1,
            bottom + 30.0,
            11.0,
            MUTED,
            Align::Right,
        )
    }
}

/// Rank in the previous run (left) and now (right), one line per unit.
pub struct Slope {
    title: String,
    left: Vec<(String, usize)>,
    right: Vec<(String, usize)>,
    /// (left row, right row) of units in both.
    links: Vec<(usize, usize, i64)>,
}

impl Slope {
    /// One group's units: `old` and `new` in rank order.
    pub fn new(old: &[&Row], new: &[&Row], title: String) -> Self {
        let links = new
            .iter()
            .enumerate()
            .filter_map(|(j, n)| {
                let i = old.iter().position(|o| o.id == n.id)?;
                Some((i, j, old[i].rank as i64 - n.rank as i64))
            })
            .collect();
        Slope {
            title,
            left: old.iter().map(|r| (r.name.clone(), r.rank)).collect(),
            right: new.iter().map(|r| (r.name.clone(), r.rank)).collect(),
            links,
        }
    }
}

/// Slope charts of two snapshots, one per group (groups of the new run
/// first, in order of appearance): (file stem, SVG, PNG).
pub fn slopes(old: &Snapshot, new: &Snapshot) -> Result<Vec<(String, String, Vec<u8>)>, String> {
    let mut groups: Vec<&str> = Vec::new();
    for r in new.rows.iter().chain(&old.rows) {
        if !groups.contains(&r.group.as_str()) {
            groups.push(&r.group);
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let of = |s: &'_ Snapshot| -> Vec<Row> {
                s.rows.iter().filter(|r| r.group == *g).cloned().collect()
            };
            let (o, n) = (of(old), of(new));
            let chart = Slope::new(
                &o.iter().collect::<Vec<_>>(),
                &n.iter().collect::<Vec<_>>(),
                format!("{g}名次变化（{} → {}）", old.label, new.label),
            );
            Ok((
                format!("slope-{}", k + 1),
                super::svg(&chart)?,
                super::png(&chart)?,
            ))
        })
        .collect()
}

impl Draw for Slope {
    fn size(&self) -> (f64, f64) {
        (
            W,
            70.0 + self.left.len().max(self.right.len()).max(1) as f64 * ROW + 20.0,
        )
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (xl, xr, top) = (300.0, 500.0, 62.0);
        p.text("上期", xl, top - 14.0, 12.0, MUTED, Align::Center)?;
        p.text("本期", xr, top - 14.0, 12.0, MUTED, Align::Center)?;
        let y = |i: usize| top + (i as f64 + 0.5) * ROW;
        for &(i, j, d) in &self.links {
            let c = match d.cmp(&0) {
                std::cmp::Ordering::Greater => UP,
                std::cmp::Ordering::Less => DOWN,
                std::cmp::Ordering::Equal => RGBColor(0xBD, 0xBD, 0xBD),
            };
            p.line(&[(xl, y(i)), (xr, y(j))], c, 1.5)?;
        }
        for (i, (name, rank)) in self.left.iter().enumerate() {
            p.dot(xl, y(i), 3.0, INK)?;
            p.text(
                &format!("{} {rank}", fit(name, 30)),
                xl - 8.0,
                y(i),
                12.0,
                INK,
                Align::Right,
            )?;
        }
        for (j, (name, rank)) in self.right.iter().enumerate() {
            p.dot(xr, y(j), 3.0, INK)?;
            p.text(
                &format!("{rank} {}", fit(name, 30)),
                xr + 8.0,
                y(j),
                12.0,
                INK,
                Align::Left,
            )?;
        }
        Ok(())
    }
}
