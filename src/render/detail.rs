//! The detailed charts: a unit's dimension profile against its group's
//! mean, and the units × indicators attainment heatmap.

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{Align, Pen};
use super::style::{GRID, INK, MUTED, W, legend, title};
use super::{Draw, display_width, fit, grade_rgb, rgb};
use crate::run::Run;

const NAME_X: f64 = 36.0;
const ROW: f64 = 20.0;

/// Points per top-level dimension: the unit's, the group's mean, the
/// maximum.
pub struct Profile {
    title: String,
    rows: Vec<(String, Option<f64>, Option<f64>, f64)>,
    color: u32,
}

impl Profile {
    pub fn new(run: &Run, group: &[usize], u: usize, title: String) -> Self {
        let s = &run.scheme;
        let rows = s.tree[0]
            .children
            .iter()
            .map(|&n| {
                let pts =
                    |v: usize| run.scored.units[v].attainment[n].map(|a| a * s.tree[n].points);
                let vals: Vec<f64> = group.iter().filter_map(|&v| pts(v)).collect();
                let mean = (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64);
                (s.tree[n].name.clone(), pts(u), mean, s.tree[n].points)
            })
            .collect();
        Profile {
            title,
            rows,
            color: run.scored.units[u]
                .grade
                .map_or(0x1565C0, |g| grade_rgb(s, g)),
        }
    }
}

impl Draw for Profile {
    fn size(&self) -> (f64, f64) {
        (W, 50.0 + self.rows.len() as f64 * 30.0 + 44.0)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (x0, x1) = (200.0, 640.0);
        let max = self.rows.iter().map(|r| r.3).fold(0.0, f64::max).max(1e-9);
        let x = |v: f64| x0 + (x1 - x0) * v / max;
        for (i, (name, own, mean, full)) in self.rows.iter().enumerate() {
            let y = 50.0 + i as f64 * 30.0 + 15.0;
            p.text(&fit(name, 26), 12.0, y, 13.0, INK, Align::Left)?;
            p.rect(x0, y - 9.0, x(*full), y + 9.0, GRID, 0.6)?;
            if let Some(v) = own {
                p.rect(
                    x0,
                    y - 8.0,
                    x(*v).max(x0 + 1.0),
                    y + 1.0,
                    rgb(self.color),
                    0.9,
                )?;
            }
            if let Some(m) = mean {
                p.rect(x0, y + 2.0, x(*m).max(x0 + 1.0), y + 8.0, MUTED, 0.8)?;
            }
            let own_t = own.map_or("无数据".to_string(), |v| format!("{v:.2}"));
            let mean_t = mean.map_or("—".to_string(), |m| format!("{m:.2}"));
            p.text(
                &format!("{own_t} / {full} （均值 {mean_t}）"),
                x(*full) + 6.0,
                y,
                11.0,
                INK,
                Align::Left,
            )?;
        }
        let y = 50.0 + self.rows.len() as f64 * 30.0 + 22.0;
        legend(
            p,
            &[
                ("本单位得分".into(), self.color),
                ("同类单位平均".into(), 0x757575),
                ("满分".into(), 0xE0E0E0),
            ],
            x0,
            y,
        )
    }
}

/// Attainment per unit (rows, rank order) and indicator (columns).
pub struct Heatmap {
    title: String,
    columns: Vec<String>,
    rows: Vec<(usize, String, Vec<Option<f64>>)>,
}

impl Heatmap {
    /// Columns: the indicators that apply to some unit of the group.
    pub fn new(run: &Run, group: &[usize], page: &[usize], title: String) -> Self {
        let s = &run.scheme;
        let cols: Vec<usize> = (0..s.indicators.len())
            .filter(|&i| {
                group
                    .iter()
                    .any(|&u| run.scored.cells[i][u].status != crate::score::Status::NotApplicable)
            })
            .collect();
        Heatmap {
            title,
            columns: cols.iter().map(|&i| s.indicators[i].name.clone()).collect(),
            rows: page
                .iter()
                .map(|&u| {
                    let cells = cols
                        .iter()
                        .map(|&i| run.scored.cells[i][u].attainment)
                        .collect();
                    (
                        run.scored.units[u].rank,
                        run.data.units.names[u].clone(),
                        cells,
                    )
                })
                .collect(),
        }
    }

    fn cell_w(&self) -> f64 {
        (520.0 / self.columns.len().max(1) as f64).min(40.0)
    }

    /// Legend lines: "1 name", wrapped to the width.
    fn key(&self) -> Vec<Vec<String>> {
        let mut lines = vec![Vec::new()];
        let mut w = 0.0;
        for (k, c) in self.columns.iter().enumerate() {
            let item = format!("{} {}", k + 1, fit(c, 24));
            let iw = display_width(&item) as f64 * 6.0 + 16.0;
            if w + iw > W - 24.0 && w > 0.0 {
                lines.push(Vec::new());
                w = 0.0;
            }
            w += iw;
            lines.last_mut().unwrap().push(item);
        }
        lines
    }
}

/// Red (0) through yellow (0.5) to green (1).
pub fn attainment_color(a: f64) -> RGBColor {
    let a = a.clamp(0.0, 1.0);
    let (lo, hi, t) = if a < 0.5 {
        ((0xD7, 0x30, 0x27), (0xFE, 0xE0, 0x8B), a * 2.0)
    } else {
        ((0xFE, 0xE0, 0x8B), (0x1A, 0x98, 0x50), a * 2.0 - 1.0)
    };
    let m = |l: u8, h: u8| (l as f64 + (h as f64 - l as f64) * t).round() as u8;
    RGBColor(m(lo.0, hi.0), m(lo.1, hi.1), m(lo.2, hi.2))
}

impl Draw for Heatmap {
    fn size(&self) -> (f64, f64) {
        (
            W,
            70.0 + self.rows.len().max(1) as f64 * ROW
                + 30.0
                + self.key().len() as f64 * 18.0
                + 30.0,
        )
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (x0, top, cw) = (250.0, 66.0, self.cell_w());
        for k in 0..self.columns.len() {
            p.text(
                &(k + 1).to_string(),
                x0 + (k as f64 + 0.5) * cw,
                top - 10.0,
                11.0,
                MUTED,
                Align::Center,
            )?;
        }
        for (r, (rank, name, cells)) in self.rows.iter().enumerate() {
            let y = top + r as f64 * ROW;
            p.text(
                &rank.to_string(),
                NAME_X - 6.0,
                y + ROW / 2.0,
                11.0,
                MUTED,
                Align::Right,
            )?;
            p.text(
                &fit(name, 30),
                NAME_X,
                y + ROW / 2.0,
                12.0,
                INK,
                Align::Left,
            )?;
            for (k, a) in cells.iter().enumerate() {
                let x = x0 + k as f64 * cw;
                let c = a.map_or(RGBColor(0xEE, 0xEE, 0xEE), attainment_color);
                p.rect(x + 1.0, y + 1.0, x + cw - 1.0, y + ROW - 1.0, c, 1.0)?;
            }
        }
        let mut y = top + self.rows.len().max(1) as f64 * ROW + 20.0;
        // Colour scale.
        for i in 0..=20 {
            let a = i as f64 / 20.0;
            p.rect(
                x0 + i as f64 * 8.0,
                y - 6.0,
                x0 + i as f64 * 8.0 + 8.0,
                y + 6.0,
                attainment_color(a),
                1.0,
            )?;
        }
        p.text("达成度 0", x0 - 6.0, y, 11.0, MUTED, Align::Right)?;
        p.text("1", x0 + 172.0, y, 11.0, MUTED, Align::Left)?;
        p.rect(
            x0 + 200.0,
            y - 6.0,
            x0 + 212.0,
            y + 6.0,
            RGBColor(0xEE, 0xEE, 0xEE),
            1.0,
        )?;
        p.text("不适用或无数据", x0 + 216.0, y, 11.0, MUTED, Align::Left)?;
        for line in self.key() {
            y += 18.0;
            let mut x = 12.0;
            for item in line {
                p.text(&item, x, y, 11.0, INK, Align::Left)?;
                x += display_width(&item) as f64 * 6.0 + 16.0;
            }
        }
        Ok(())
    }
}
