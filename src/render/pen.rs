//! A pen over a plotters drawing area in design units: every chart draws
//! through it once for the SVG (scale 1) and once for the PNG.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::FONT;

pub struct Pen<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    k: f64,
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
    pub fn new(area: &'a DrawingArea<DB, Shift>, k: f64) -> Self {
        Pen { area, k }
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
}
