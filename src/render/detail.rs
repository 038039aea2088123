//! The detailed charts: a unit's dimension profile against its group's
//! mean, and the units × indicators attainment heatmap.

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{self, Align, Pen};
use super::style::{GRID, INK, MARGIN, MUTED, W, legend, title};
use super::{Draw, fit, grade_rgb, rgb};
use crate::run::Run;

const NAME_X: f64 = 36.0;
const ROW: f64 = 20.0;
/// The profile's value labels: their size, and their gap after the bar.
const LABEL: f64 = 11.0;
const LABEL_GAP: f64 = 6.0;
/// Where the profile's bars start.
const BAR_X: f64 = 200.0;

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

    /// The most points of any row (the longest bar's).
    fn most(&self) -> f64 {
        self.rows.iter().map(|r| r.3).fold(0.0, f64::max).max(1e-9)
    }

    /// Each row's value label: points / full （均值 mean）.
    fn labels(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|(_, own, mean, full)| {
                let own_t = own.map_or("无数据".to_string(), |v| format!("{v:.2}"));
                let mean_t = mean.map_or("—".to_string(), |m| format!("{m:.2}"));
                format!("{own_t} / {full} （均值 {mean_t}）")
            })
            .collect()
    }

    /// Where the longest bar ends: where every row's label, after its
    /// full bar, still ends inside the canvas, and at most at 640.
    fn bar_end(&self, labels: &[String]) -> f64 {
        let max = self.most();
        self.rows
            .iter()
            .zip(labels)
            .map(|(r, l)| {
                let room = W - MARGIN - LABEL_GAP - pen::text_width(l, LABEL) - BAR_X;
                BAR_X + room * max / r.3.max(1e-9)
            })
            .fold(640.0, f64::min)
            // Labels of a scheme of a million points would leave no
            // room: the bars keep some.
            .max(BAR_X + 120.0)
    }
}

impl Draw for Profile {
    fn size(&self) -> (f64, f64) {
        (W, 50.0 + self.rows.len() as f64 * 30.0 + 44.0)
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let max = self.most();
        let labels = self.labels();
        let (x0, x1) = (BAR_X, self.bar_end(&labels));
        let x = |v: f64| x0 + (x1 - x0) * v / max;
        for (i, ((name, own, mean, full), label)) in self.rows.iter().zip(&labels).enumerate() {
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
            p.text(label, x(*full) + LABEL_GAP, y, LABEL, INK, Align::Left)?;
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

/// A heatmap cell: an attainment, or why there is none.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Value(f64),
    /// The indicator does not apply to the unit's group (不适用).
    NotApplicable,
    /// No value, or too few records (无数据).
    Missing,
}

/// Attainment per unit (rows, rank order) and indicator (columns).
pub struct Heatmap {
    title: String,
    columns: Vec<String>,
    rows: Vec<(usize, String, Vec<Mark>)>,
}

/// Characters of a column's name, written top to bottom.
const HEAD_CHARS: usize = 10;
/// The colours of the two cells without a value.
const NA_FILL: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const NA_EDGE: RGBColor = RGBColor(0xBD, 0xBD, 0xBD);
const MISSING: RGBColor = RGBColor(0x9E, 0x9E, 0x9E);

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
                        .map(|&i| {
                            let c = &run.scored.cells[i][u];
                            match (c.status, c.attainment) {
                                (crate::score::Status::NotApplicable, _) => Mark::NotApplicable,
                                (_, Some(a)) => Mark::Value(a),
                                (_, None) => Mark::Missing,
                            }
                        })
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

    /// The column names as written down the columns: at most
    /// [`HEAD_CHARS`] characters, cut with "…".
    fn heads(&self) -> Vec<Vec<char>> {
        self.columns
            .iter()
            .map(|c| {
                let chars: Vec<char> = c.chars().collect();
                if chars.len() > HEAD_CHARS {
                    let mut v = chars[..HEAD_CHARS - 1].to_vec();
                    v.push('…');
                    v
                } else {
                    chars
                }
            })
            .collect()
    }

    /// The height of the column heads.
    fn head_h(&self) -> f64 {
        self.heads().iter().map(Vec::len).max().unwrap_or(1) as f64 * 18.0 + 8.0
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
            50.0 + self.head_h() + self.rows.len().max(1) as f64 * ROW + 50.0,
        )
    }

    fn draw<DB: DrawingBackend>(&self, p: &Pen<DB>) -> Result<(), String> {
        title(p, &self.title)?;
        let (x0, cw) = (250.0, self.cell_w());
        let top = 50.0 + self.head_h();
        // Column names down each column, as Chinese is written in
        // narrow columns.
        for (k, chars) in self.heads().iter().enumerate() {
            let x = x0 + (k as f64 + 0.5) * cw;
            for (j, ch) in chars.iter().enumerate() {
                let y = top - 4.0 - (chars.len() - j) as f64 * 18.0 + 9.0;
                p.text(&ch.to_string(), x, y, 11.0, INK, Align::Center)?;
            }
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
                &fit(name, 24),
                NAME_X,
                y + ROW / 2.0,
                12.0,
                INK,
                Align::Left,
            )?;
            for (k, m) in cells.iter().enumerate() {
                let x = x0 + k as f64 * cw;
                match m {
                    Mark::Value(a) => p.rect(
                        x + 1.0,
                        y + 1.0,
                        x + cw - 1.0,
                        y + ROW - 1.0,
                        attainment_color(*a),
                        1.0,
                    )?,
                    Mark::Missing => {
                        p.rect(x + 1.0, y + 1.0, x + cw - 1.0, y + ROW - 1.0, MISSING, 1.0)?
                    }
                    Mark::NotApplicable => {
                        p.rect(x + 1.0, y + 1.0, x + cw - 1.0, y + ROW - 1.0, NA_EDGE, 1.0)?;
                        p.rect(x + 2.0, y + 2.0, x + cw - 2.0, y + ROW - 2.0, NA_FILL, 1.0)?;
                    }
                }
            }
        }
        let y = top + self.rows.len().max(1) as f64 * ROW + 20.0;
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
        // 无数据 and 不适用 apart: grey, and white in a grey edge.
        p.rect(x0 + 200.0, y - 6.0, x0 + 212.0, y + 6.0, MISSING, 1.0)?;
        p.text("无数据", x0 + 216.0, y, 11.0, MUTED, Align::Left)?;
        p.rect(x0 + 270.0, y - 6.0, x0 + 282.0, y + 6.0, NA_EDGE, 1.0)?;
        p.rect(x0 + 271.0, y - 5.0, x0 + 281.0, y + 5.0, NA_FILL, 1.0)?;
        p.text("不适用", x0 + 286.0, y, 11.0, MUTED, Align::Left)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's widest row (20 points) with its label, beside narrower
    /// ones: before, bars ended at 640 and "18.10 / 20 （均值 12.18）"
    /// ran 60 units past the canvas. Every label now ends inside it.
    #[test]
    fn every_profile_label_ends_inside_the_canvas() {
        let rows = vec![
            (
                "市民服务（12345热线）".to_string(),
                Some(18.1),
                Some(12.18),
                20.0,
            ),
            ("企业服务".to_string(), Some(11.86), Some(9.45), 15.0),
            ("环境保护".to_string(), None, None, 10.0),
        ];
        let p = Profile {
            title: String::new(),
            rows,
            color: 0,
        };
        let labels = p.labels();
        assert_eq!(labels[0], "18.10 / 20 （均值 12.18）");
        assert_eq!(labels[2], "无数据 / 10 （均值 —）");
        let end = p.bar_end(&labels);
        assert!(end < 640.0, "{end}");
        for (r, l) in p.rows.iter().zip(&labels) {
            let right = BAR_X + (end - BAR_X) * r.3 / 20.0 + LABEL_GAP + pen::text_width(l, LABEL);
            assert!(right <= W - MARGIN + 1e-9, "{l}: {right}");
        }
    }
}
