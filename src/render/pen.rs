//! A pen over a plotters drawing area in design units: every chart draws
//! through it once for the SVG (scale 1) and once for the PNG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::FONT;

/// Every text is drawn at least this large, in design units: a chart
/// fills the A4 text width of the documents (156 mm for 800
/// units, 0.195 mm a unit), where 9 pt (3.175 mm) is 16.3 units.
pub const TEXT_MIN: f64 = 16.5;
/// Sizes written in the charts are scaled by this (titles stay larger
/// than labels).
pub const TEXT_SCALE: f64 = 1.25;
/// Design units per half-width cell of text at [`TEXT_MIN`] (a CJK
/// character is one em wide, two cells).
pub const CELL: f64 = 8.5;

pub struct Pen<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    k: f64,
    /// Text is rasterised here (PNG) rather than left as text (SVG).
    raster: bool,
}

/// Horizontal anchor of a text.
#[derive(Clone, Copy)]
pub enum Align {
    Left,
    Center,
    Right,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing: {e:?}")
}

impl<'a, DB: DrawingBackend> Pen<'a, DB> {
    /// A pen for a vector backend (SVG): text stays text.
    pub fn new(area: &'a DrawingArea<DB, Shift>, k: f64) -> Self {
        Pen {
            area,
            k,
            raster: false,
        }
    }

    /// A pen for a bitmap (PNG): text is laid out and rasterised with the
    /// bundled font here. (plotters' own ab_glyph text drops each glyph's
    /// left side bearing, which opened gaps inside names and misplaced
    /// full-width punctuation: "市自 然资源", "(  12345".)
    pub fn raster(area: &'a DrawingArea<DB, Shift>, k: f64) -> Self {
        Pen {
            area,
            k,
            raster: true,
        }
    }

    fn c(&self, x: f64) -> i32 {
        (x * self.k).round() as i32
    }

    fn pt(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.c(x), self.c(y))
    }

    /// A filled rectangle; `alpha` 1 is opaque.
    pub fn rect(
        &self,
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        color: RGBColor,
        alpha: f64,
    ) -> Result<(), String> {
        let style = ShapeStyle {
            color: color.mix(alpha),
            filled: true,
            stroke_width: 0,
        };
        self.area
            .draw(&Rectangle::new(
                [self.pt((x0, y0)), self.pt((x1, y1))],
                style,
            ))
            .map_err(err)
    }

    /// A polyline.
    pub fn line(&self, pts: &[(f64, f64)], color: RGBColor, width: f64) -> Result<(), String> {
        let style = ShapeStyle {
            color: color.to_rgba(),
            filled: false,
            stroke_width: (width * self.k).round().max(1.0) as u32,
        };
        let pts: Vec<(i32, i32)> = pts.iter().map(|&p| self.pt(p)).collect();
        self.area.draw(&PathElement::new(pts, style)).map_err(err)
    }

    /// A dashed horizontal or vertical line (dashes of 4, gaps of 3).
    pub fn dashed(
        &self,
        a: (f64, f64),
        b: (f64, f64),
        color: RGBColor,
        width: f64,
    ) -> Result<(), String> {
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let steps = (len / 7.0).ceil() as usize;
        for i in 0..steps {
            let t0 = i as f64 * 7.0 / len;
            let t1 = ((i as f64 * 7.0 + 4.0) / len).min(1.0);
            let p = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            self.line(&[p(t0), p(t1)], color, width)?;
        }
        Ok(())
    }

    /// A filled circle of radius `r`.
    pub fn dot(&self, x: f64, y: f64, r: f64, color: RGBColor) -> Result<(), String> {
        self.area
            .draw(&Circle::new(
                self.pt((x, y)),
                (r * self.k).round().max(1.0) as u32,
                color.filled(),
            ))
            .map_err(err)
    }

    /// Text vertically centred on `y`.
    pub fn text(
        &self,
        s: &str,
        x: f64,
        y: f64,
        size: f64,
        color: RGBColor,
        align: Align,
    ) -> Result<(), String> {
        if s.is_empty() {
            return Ok(());
        }
        let size = (size * TEXT_SCALE).max(TEXT_MIN);
        if self.raster {
            return self.raster_text(s, x * self.k, y * self.k, size * self.k, color, align);
        }
        let h = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        let style = TextStyle::from((FONT, size * self.k).into_font())
            .color(&color)
            .pos(Pos::new(h, VPos::Center));
        self.area.draw_text(s, &style, self.pt((x, y))).map_err(err)
    }

    /// Text rasterised with the bundled font: glyphs placed by their
    /// advances and kerning, each drawn at its own bounds (bearings
    /// kept), vertically centred on `y` (pixels), antialiased by coverage.
    fn raster_text(
        &self,
        s: &str,
        x: f64,
        y: f64,
        px: f64,
        color: RGBColor,
        align: Align,
    ) -> Result<(), String> {
        // `px` is the em, as in SVG's font-size; ab_glyph scales by the
        // font's height (ascent − descent), larger than its em.
        let px = px * em_to_height();
        let placed = layout(s, px as f32);
        let width = placed.last().map_or(0.0, |g| g.2);
        let x0 = match align {
            Align::Left => x,
            Align::Center => x - f64::from(width) / 2.0,
            Align::Right => x - f64::from(width),
        } as f32;
        let font = face();
        let scaled = font.as_scaled(ab_glyph::PxScale::from(px as f32));
        // The em box's middle on y: baseline = y + (ascent + descent) / 2.
        let baseline = y as f32 + (scaled.ascent() + scaled.descent()) / 2.0;
        for &(id, gx, _) in &placed {
            let g = id.with_scale_and_position(px as f32, ab_glyph::point(x0 + gx, baseline));
            let Some(o) = font.outline_glyph(g) else {
                continue;
            };
            let b = o.px_bounds();
            let mut out = Ok(());
            o.draw(|dx, dy, cov| {
                if cov > 0.0 && out.is_ok() {
                    let p = (b.min.x as i32 + dx as i32, b.min.y as i32 + dy as i32);
                    out = self.area.draw_pixel(p, &color.mix(f64::from(cov.min(1.0))));
                }
            });
            out.map_err(err)?;
        }
        Ok(())
    }
}

use ab_glyph::{Font, ScaleFont};

/// The bundled face, parsed once.
fn face() -> &'static ab_glyph::FontRef<'static> {
    static FACE: std::sync::OnceLock<ab_glyph::FontRef<'static>> = std::sync::OnceLock::new();
    FACE.get_or_init(|| {
        ab_glyph::FontRef::try_from_slice(super::FONT_BYTES).expect("the bundled font parses")
    })
}

/// The face's height per em: an ab_glyph scale of `em × this` draws
/// characters one em wide, as a browser does at `font-size: em`.
fn em_to_height() -> f64 {
    let f = face();
    f64::from(f.height_unscaled()) / f64::from(f.units_per_em().unwrap_or(1000.0))
}

/// The width of `s` drawn by [`Pen::text`] at `size`, in design units,
/// by the bundled font's advances (what the PNG draws, and what the SVG's
/// named font is laid out with).
pub fn text_width(s: &str, size: f64) -> f64 {
    let em = (size * TEXT_SCALE).max(TEXT_MIN);
    layout(s, (em * em_to_height()) as f32)
        .last()
        .map_or(0.0, |g| f64::from(g.2))
}

/// `s` cut, with "…", to at most `width` design units at `size`.
pub fn fit_width(s: &str, size: f64, width: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() {
        out.pop();
        let cut = format!("{out}…");
        if text_width(&cut, size) <= width {
            return cut;
        }
    }
    "…".to_string()
}

/// Each glyph of `s` at `px` pixels (the scale of its height): (glyph, pen position, pen position
/// after it), by advances and kerning.
pub fn layout(s: &str, px: f32) -> Vec<(ab_glyph::GlyphId, f32, f32)> {
    let scaled = face().as_scaled(ab_glyph::PxScale::from(px));
    let mut out = Vec::with_capacity(s.len());
    let mut pen = 0.0f32;
    let mut prev = None;
    for c in s.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        let start = pen;
        pen += scaled.h_advance(id);
        out.push((id, start, pen));
        prev = Some(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit's name of 44 characters (880 units) in a 16-size title is
    /// cut to the canvas with "…"; a short title is kept whole.
    #[test]
    fn titles_are_cut_to_the_width_given() {
        let long = "市教育局机关党委纪检监察室与政务服务管理办公室联合工作专班及其下属各个派出机构和直属单位";
        assert!((text_width(long, 16.0) - 880.0).abs() < 0.01);
        let cut = fit_width(long, 16.0, 784.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 16.0) <= 784.0,
            "{cut}"
        );
        // Not cut further than needed: one more character would not fit.
        let kept = cut.trim_end_matches('…').chars().count();
        let one_more: String = long.chars().take(kept + 1).chain(['…']).collect();
        assert!(text_width(&one_more, 16.0) > 784.0);
        assert_eq!(
            fit_width("市直部门综合得分排名", 16.0, 784.0),
            "市直部门综合得分排名"
        );
        // A size-16 CJK character is 20 design units (16 × TEXT_SCALE).
        assert!((text_width("市", 16.0) - 20.0).abs() < 0.01);
    }

    /// The ink columns of a rendered line, and where each glyph's ink must
    /// be: its outline's bounds at its pen position.
    #[test]
    fn png_text_puts_every_glyph_at_its_advance_with_its_bearings() {
        super::super::register_font();
        let text = "市民服务（12345热线）市自然资源和规划局";
        // Size 16 is drawn at 16 × TEXT_SCALE = 20 units, 40 px at scale
        // 2: an em of 40 px, an ab_glyph scale of 40 × height / em.
        let (w, h) = (1400u32, 80u32);
        let px = (40.0 * em_to_height()) as f32;
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            // At scale 2: 16-unit text at (10, 15) is 32 px at (20, 30).
            Pen::raster(&root, 2.0)
                .text(text, 10.0, 15.0, 16.0, BLACK, Align::Left)
                .unwrap();
            root.present().unwrap();
        }
        let inked = |x: u32| (0..h).any(|y| buf[((y * w + x) * 3) as usize] < 128);
        // Expected ink: each glyph's outline bounds, placed at 20 + its
        // pen position; the advances come from the font (layout()).
        let font = face();
        let mut expected = vec![false; w as usize];
        let mut boxes = Vec::new();
        for (id, gx, _) in layout(text, px) {
            let g = id.with_scale_and_position(px, ab_glyph::point(20.0 + gx, 50.0));
            if let Some(o) = font.outline_glyph(g) {
                let b = o.px_bounds();
                boxes.push((b.min.x as u32, b.max.x as u32));
                for x in b.min.x as u32..b.max.x as u32 {
                    expected[x as usize] = true;
                }
            }
        }
        assert_eq!(boxes.len(), text.chars().count());
        // Every glyph has ink inside its box, and no ink lies outside the
        // boxes (1 px of antialiasing allowed).
        for (a, b) in &boxes {
            assert!((*a..*b).any(inked), "no ink in {a}..{b}");
        }
        for x in 0..w {
            let near = (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|k| expected[k as usize]);
            assert!(!inked(x) || near, "ink at column {x}, outside every glyph");
        }
        // Every CJK glyph advances one em, 40 px, as in the SVG; the
        // full-width parentheses too.
        let l = layout(text, px);
        let em = l[0].2 - l[0].1;
        assert!((em - 40.0).abs() < 0.1, "{em}");
        for (k, c) in text.chars().enumerate() {
            if !c.is_ascii() {
                assert!((l[k].2 - l[k].1 - em).abs() < 0.01, "{c}: {:?}", l[k]);
            }
        }
    }
}
