//! Charts of change and uncertainty: rank intervals from the Monte Carlo
//! analysis, and the rank change between two periods (slope charts).

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{Align, Pen};
use super::style::{DOWN, GRID, INK, MUTED, UP, W, title};
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
        let (x0, x1, top) = (250.0, 760.0, 48.0);
        let span = (self.n.max(2) - 1) as f64;
        let x = |r: f64| x0 + (x1 - x0) * (r - 1.0) / span;
        let bottom = top + self.rows.len().max(1) as f64 * ROW;
        for r in rank_ticks(self.n.max(2)) {
            let r = r as f64;
            p.line(&[(x(r), top), (x(r), bottom)], GRID, 1.0)?;
            p.text(
                &format!("{r}"),
                x(r),
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
            p.text(&fit(name, 24), NAME_X, y, 12.0, INK, Align::Left)?;
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

/// Ranks to mark on an axis of ranks 1..=n: whole numbers only, 1 and
/// multiples of a round step (1, 2, 5, 10, 20, 50, ...) giving at most
/// about 9 marks, and n itself.
pub fn rank_ticks(n: usize) -> Vec<usize> {
    let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| n / s <= 8)
        .unwrap_or(n.max(1));
    let mut out = vec![1];
    out.extend(
        (1..)
            .map(|k| k * step)
            .take_while(|&r| r <= n)
            .filter(|&r| r > 1),
    );
    if *out.last().unwrap_or(&0) != n && n - out.last().unwrap_or(&0) >= step / 2 {
        out.push(n);
    }
    out
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

impl Slope {
    /// The largest movers: up to 5 up and 5 down, by the size of the move
    /// (then by the new rank).
    fn movers(&self) -> Vec<(usize, usize, i64)> {
        let mut out = Vec::new();
        for up in [true, false] {
            let mut m: Vec<(usize, usize, i64)> = self
                .links
                .iter()
                .copied()
                .filter(|l| if up { l.2 > 0 } else { l.2 < 0 })
                .collect();
            m.sort_by_key(|l| (-l.2.abs(), l.1));
            out.extend(m.into_iter().take(5));
        }
        out
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
                format!(
                    "{g}名次变化（{} → {}）",
                    old.period_label(),
                    new.period_label()
                ),
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
        // Many crossing lines read as noise: the largest movers (up to 5
        // each way) are drawn strong and coloured, with their change
        // beside their name; the others thin and grey.
        let movers = self.movers();
        let strong = |i: usize, j: usize| movers.iter().any(|m| m.0 == i && m.1 == j);
        let faint = RGBColor(0xD6, 0xD6, 0xD6);
        for &(i, j, _) in self.links.iter().filter(|l| !strong(l.0, l.1)) {
            p.line(&[(xl, y(i)), (xr, y(j))], faint, 1.0)?;
        }
        for &(i, j, d) in &movers {
            p.line(
                &[(xl, y(i)), (xr, y(j))],
                if d > 0 { UP } else { DOWN },
                2.5,
            )?;
        }
        for (i, (name, rank)) in self.left.iter().enumerate() {
            p.dot(xl, y(i), 3.0, INK)?;
            p.text(
                &format!("{} {rank}", fit(name, 24)),
                xl - 8.0,
                y(i),
                12.0,
                INK,
                Align::Right,
            )?;
        }
        for (j, (name, rank)) in self.right.iter().enumerate() {
            p.dot(xr, y(j), 3.0, INK)?;
            let m = movers.iter().find(|m| m.1 == j);
            let (label, c) = match m {
                Some(&(_, _, d)) if d > 0 => (format!("{rank} {}  ↑{d}", fit(name, 24)), UP),
                Some(&(_, _, d)) => (format!("{rank} {}  ↓{}", fit(name, 24), -d), DOWN),
                None => (format!("{rank} {}", fit(name, 24)), INK),
            };
            p.text(&label, xr + 8.0, y(j), 12.0, c, Align::Left)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::rank_ticks;

    #[test]
    fn rank_ticks_are_whole_numbers() {
        // 20 units: step 5 (20 / 2 = 10 marks would be too many): 1, 5,
        // 10, 15, 20; 40 units: step 5 as well, up to 40; 7 units: every rank.
        assert_eq!(rank_ticks(20), [1, 5, 10, 15, 20]);
        assert_eq!(rank_ticks(40), [1, 5, 10, 15, 20, 25, 30, 35, 40]);
        assert_eq!(rank_ticks(7), [1, 2, 3, 4, 5, 6, 7]);
        // 23 units: step 5, and 23 itself (3 past 20, at least half a step).
        assert_eq!(rank_ticks(23), [1, 5, 10, 15, 20, 23]);
        assert_eq!(rank_ticks(2), [1, 2]);
    }
}
