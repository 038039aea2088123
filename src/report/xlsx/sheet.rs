//! A sheet being built: its cells row by row, each column's width (the
//! widest text in it, a Chinese character counted as two) and the print
//! setup every sheet shares.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::render::display_width;

/// A cell's value.
pub(super) enum V<'a> {
    T(Cow<'a, str>),
    N(f64),
    /// A number shown with two decimals (points, totals).
    D2(f64),
    /// A proportion shown as a percentage with one decimal.
    Pct(f64),
    Empty,
}

pub(super) struct Sheet {
    pub(super) ws: Worksheet,
    pub(super) widths: Vec<usize>,
    d2: Format,
    pct: Format,
}

/// Points and totals: two decimals.
pub(super) fn d2_format() -> Format {
    Format::new().set_num_format("0.00")
}

/// Proportions: a percentage with one decimal.
pub(super) fn pct_format() -> Format {
    Format::new().set_num_format("0.0%")
}

/// A sheet, or none where there is nothing to show.
pub(super) type Built = Result<Option<Worksheet>, XlsxError>;

impl Sheet {
    /// A new sheet named `name`, with its header row.
    pub(super) fn new<'a>(
        name: &str,
        head: impl IntoIterator<Item = V<'a>>,
        fmt: &Format,
    ) -> Result<Sheet, XlsxError> {
        Sheet::on(Worksheet::new(), name, head, fmt)
    }

    /// A new sheet on `ws` (a streamed worksheet, [`super::streamed`]).
    pub(super) fn on<'a>(
        mut ws: Worksheet,
        name: &str,
        head: impl IntoIterator<Item = V<'a>>,
        fmt: &Format,
    ) -> Result<Sheet, XlsxError> {
        ws.set_name(name)?;
        let mut sh = Sheet {
            ws,
            widths: Vec::new(),
            d2: d2_format(),
            pct: pct_format(),
        };
        sh.row(0, head, Some(fmt))?;
        Ok(sh)
    }

    /// Row `r`'s cells; each text is moved into its cell.
    pub(super) fn row<'a>(
        &mut self,
        r: u32,
        cells: impl IntoIterator<Item = V<'a>>,
        fmt: Option<&Format>,
    ) -> Result<(), XlsxError> {
        for (c, v) in cells.into_iter().enumerate() {
            let col = c as u16;
            if self.widths.len() <= c {
                self.widths.resize(c + 1, 0);
            }
            let wide = self.widths[c];
            // A number's width is its text's; the text is made only where
            // a bound on it exceeds the column's width so far (rarely, once
            // a column has its widest values).
            let w = match v {
                V::T(s) => {
                    // A string's display width is at most its length in
                    // bytes (a wide character takes 3 bytes in UTF-8).
                    let w = if s.len() <= wide {
                        0
                    } else {
                        display_width(&s)
                    };
                    let s = s.into_owned();
                    match fmt {
                        Some(f) => self.ws.write_string_with_format(r, col, s, f)?,
                        None => self.ws.write_string(r, col, s)?,
                    };
                    w
                }
                V::N(x) => {
                    self.ws.write_number(r, col, x)?;
                    if wide >= 12 {
                        0
                    } else {
                        format!("{x}").len().min(12)
                    }
                }
                V::D2(x) => {
                    self.ws.write_number_with_format(r, col, x, &self.d2)?;
                    if fixed_bound(x, 2) <= wide {
                        0
                    } else {
                        format!("{x:.2}").len()
                    }
                }
                V::Pct(x) => {
                    self.ws.write_number_with_format(r, col, x, &self.pct)?;
                    let p = x * 100.0;
                    if fixed_bound(p, 1) < wide {
                        0
                    } else {
                        format!("{p:.1}%").len()
                    }
                }
                V::Empty => 0,
            };
            self.widths[c] = wide.max(w);
        }
        Ok(())
    }

    pub(super) fn finish(mut self, rows: u32) -> Result<Worksheet, XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.ws
                .set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        // Printed: A4 landscape, all columns on the page's width, the
        // header on every page.
        self.ws.set_landscape();
        self.ws.set_paper_size(9);
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_repeat_rows(0, 0)?;
        if !self.widths.is_empty() && rows > 0 {
            self.ws
                .autofilter(0, 0, rows, self.widths.len() as u16 - 1)?;
        }
        Ok(self.ws)
    }
}

/// At least the length of `format!("{x:.decimals$}")`: a sign, the
/// digits of the integer part once rounded up by one, the point and the
/// decimals (not finite: the longest text a column shows, so never
/// below it).
fn fixed_bound(x: f64, decimals: usize) -> usize {
    let a = x.abs();
    if !a.is_finite() || a >= 1e15 {
        return usize::MAX;
    }
    let mut digits = 1;
    let mut whole = a.trunc() as u64 + 1;
    while whole >= 10 {
        whole /= 10;
        digits += 1;
    }
    usize::from(x.is_sign_negative()) + digits + 1 + decimals
}

pub(super) fn t(s: &str) -> V<'_> {
    V::T(Cow::Borrowed(s))
}

pub(super) fn text<'a>(s: impl Into<Cow<'a, str>>) -> V<'a> {
    V::T(s.into())
}

pub(super) fn num(x: Option<f64>) -> V<'static> {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::N)
}

pub(super) fn d2(x: Option<f64>) -> V<'static> {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::D2)
}

pub(super) fn pct(x: Option<f64>) -> V<'static> {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::Pct)
}

#[cfg(test)]
mod tests {
    use super::fixed_bound;

    /// The bound is never below the text it stands for (so a column's
    /// width, the widest text in it, is the same as when every number's
    /// text was made): worked cases where rounding adds a digit, a sign,
    /// and the edges.
    #[test]
    fn fixed_bound_covers_rounding_up_and_signs() {
        // 9.995 → "9.99" or "10.00" (5 characters); the bound counts the
        // integer part 9 + 1 = 10: 2 digits + "." + 2 = 5.
        assert_eq!(fixed_bound(9.995, 2), 5);
        assert_eq!(format!("{:.2}", 9.999), "10.00");
        // -0.001 → "-0.00": the sign counts (1 + 1 + 1 + 2 = 5).
        assert_eq!(format!("{:.2}", -0.001), "-0.00");
        assert_eq!(fixed_bound(-0.001, 2), 5);
        // 99.96 as a percentage with one decimal: "100.0" (5); bound 3
        // digits (99 + 1) + "." + 1 = 5.
        assert_eq!(fixed_bound(99.96, 1), 5);
        assert_eq!(fixed_bound(f64::NAN, 2), usize::MAX);
        assert_eq!(fixed_bound(f64::INFINITY, 1), usize::MAX);
    }

    proptest::proptest! {
        /// A cell's text is measured only where its length in bytes
        /// exceeds the column's width so far: that skips no text wider
        /// than the column.
        #[test]
        fn a_text_is_never_wider_than_its_bytes(s in "\\PC{0,40}") {
            proptest::prop_assert!(crate::render::display_width(&s) <= s.len());
        }

        #[test]
        fn fixed_bound_is_never_below_the_text(
            x in proptest::prop_oneof![
                proptest::num::f64::ANY,
                -1e6f64..1e6,
                -1.0f64..1.0,
            ]
        ) {
            for d in [1usize, 2] {
                let text = format!("{x:.d$}").len();
                proptest::prop_assert!(fixed_bound(x, d) >= text, "{x} {d}: {text}");
            }
        }
    }
}
