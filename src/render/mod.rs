//! Charts for the bulletin, drawn once per chart into both an SVG (for the
//! web page) and a PNG (for Word/WPS), with plotters.
//!
//! Chinese text is drawn with a font compiled into the binary
//! (`font/NotoSansSC-GBK.otf`: the Simplified-Chinese face of Noto Sans CJK
//! subset to GBK, SIL OFL 1.1, see `font/OFL.txt`), through plotters'
//! `ab_glyph` backend, so a PNG is the same on every machine. SVG text
//! stays text (searchable, selectable) and names the same font first,
//! with common Chinese system fonts after it; its layout (truncation,
//! positions) is computed with the bundled font's metrics.
//!
//! Charts are laid out in design units on an 800-unit-wide canvas; the SVG
//! uses them as pixels, the PNG is drawn at [`PNG_SCALE`] times that and
//! tagged [`PNG_DPI`], so at A4 text width (about 170 mm) it prints at
//! 240 dpi.

pub mod change;
pub mod charts;
pub mod detail;
pub mod overview;
pub mod pen;
pub mod style;

use plotters::prelude::*;
use plotters::style::FontStyle;

pub use charts::{Chart, ChartKind, charts};
pub use pen::Pen;

/// The bundled chart font.
pub static FONT_BYTES: &[u8] = include_bytes!("font/NotoSansSC-GBK.otf");
/// Its family name, as plotters and the SVG refer to it.
pub const FONT: &str = "Noto Sans CJK SC";
/// What the SVG asks the browser for, in order.
const SVG_FONT_STACK: &str = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif";

/// PNG pixels per design unit.
pub const PNG_SCALE: f64 = 2.0;
/// Resolution written into the PNG (pHYs).
pub const PNG_DPI: f64 = 240.0;

/// Register the bundled font with plotters (once).
pub fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font(FONT, style, FONT_BYTES)
                .unwrap_or_else(|_| panic!("the bundled font {FONT} does not load"));
        }
    });
}

/// Display width in half-width cells: East Asian wide and full-width
/// characters count two, others one.
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u);
    if wide { 2 } else { 1 }
}

/// `s` as a terminal line may show it: each control character (a line
/// break inside a quoted field, a tab, an escape sequence) written as its
/// Rust escape (`\n`, `\t`, `\u{1b}`), so a value read from a file can
/// neither break the line it is printed on nor steer the terminal.
/// Everything else, Chinese included, is kept as it is.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `s` cut to at most `cells` half-width cells, with "…" where cut.
pub fn fit(s: &str, cells: usize) -> String {
    if display_width(s) <= cells {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw + 1 > cells {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A chart: a size in design units and a drawing.
pub trait Draw {
    fn size(&self) -> (f64, f64);
    fn draw<DB: DrawingBackend>(&self, pen: &Pen<DB>) -> Result<(), String>;
}

/// Draw `d` as SVG text.
pub fn svg(d: &impl Draw) -> Result<String, String> {
    register_font();
    let (w, h) = d.size();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w.ceil() as u32, h.ceil() as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        d.draw(&Pen::new(&root, 1.0))?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out.replace(
        &format!("font-family=\"{FONT}\""),
        &format!("font-family=\"{SVG_FONT_STACK}\""),
    ))
}

/// Draw `d` as a PNG at [`PNG_SCALE`], tagged [`PNG_DPI`].
pub fn png(d: &impl Draw) -> Result<Vec<u8>, String> {
    register_font();
    let (w, h) = d.size();
    let (pw, ph) = ((w * PNG_SCALE).ceil() as u32, (h * PNG_SCALE).ceil() as u32);
    let mut buf = vec![255u8; pw as usize * ph as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (pw, ph)).into_drawing_area();
        d.draw(&Pen::raster(&root, PNG_SCALE))?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, pw, ph);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // zlib's default level with adaptive filters: half the size of the
        // fast setting on these flat-colour charts. Unoptimised (test)
        // builds compress fast: same pixels, bigger files, quicker tests.
        if cfg!(debug_assertions) {
            enc.set_compression(png::Compression::Fast);
        } else {
            enc.set_compression(png::Compression::Default);
            enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        }
        let ppm = (PNG_DPI / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut wr = enc.write_header().map_err(|e| e.to_string())?;
        wr.write_image_data(&buf).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Default colours of grades, best first, when the scheme gives none.
const GRADE_COLORS: [u32; 5] = [0x2E7D32, 0x1565C0, 0xF9A825, 0xC62828, 0x6D4C41];

/// The colour of grade `g` (scheme order) as 0xRRGGBB.
pub fn grade_rgb(scheme: &crate::scheme::Scheme, g: usize) -> u32 {
    scheme.grades[g]
        .color
        .as_deref()
        .and_then(|c| u32::from_str_radix(c.trim_start_matches('#'), 16).ok())
        .unwrap_or(GRADE_COLORS[g.min(GRADE_COLORS.len() - 1)])
}

pub fn rgb(c: u32) -> RGBColor {
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_fitting() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("市教育局"), 8);
        assert_eq!(display_width("（第2名）"), 9);
        // 8 cells: three Chinese characters (6) and the ellipsis (1).
        assert_eq!(fit("市发展和改革委员会", 8), "市发展…");
        assert_eq!(fit("市教育局", 8), "市教育局");
    }

    #[test]
    fn control_characters_are_shown_escaped_and_the_rest_kept() {
        assert!(matches!(
            printable("投诉 a\u{3000}b"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(printable("第1行\n第2行"), "第1行\\n第2行");
        assert_eq!(printable("a\tb\r"), "a\\tb\\r");
        // ESC [2J would clear the screen; NUL and DEL are controls too.
        assert_eq!(printable("\u{1b}[2J\u{0}\u{7f}"), "\\u{1b}[2J\\u{0}\\u{7f}");
    }

    #[test]
    fn the_bundled_face_is_simplified_chinese() {
        register_font();
        // The font's name table says SC; the Japanese first face of the
        // collection would say JP.
        let needle = "Noto Sans CJK SC"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect::<Vec<u8>>();
        assert!(
            FONT_BYTES
                .windows(needle.len())
                .any(|w| w == needle.as_slice()),
            "name table lacks Noto Sans CJK SC"
        );
    }
}
