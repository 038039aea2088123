//! What every chart shares: the canvas width, the palette, the page size
//! of long charts, axis ticks, the title line, the legend, file stems.

use plotters::prelude::{DrawingBackend, RGBColor};

use super::pen::{Align, CELL, Pen};
use super::{display_width, grade_rgb, rgb};
use crate::run::Run;

/// Units per page of a long chart.
pub const PAGE: usize = 40;
pub const W: f64 = 800.0;
pub const INK: RGBColor = RGBColor(0x21, 0x21, 0x21);
pub const MUTED: RGBColor = RGBColor(0x75, 0x75, 0x75);
pub const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
pub const UP: RGBColor = RGBColor(0x2E, 0x7D, 0x32);
pub const DOWN: RGBColor = RGBColor(0xC6, 0x28, 0x28);

/// Characters a file stem keeps from a unit id: they are safe in any
/// file system and in the workbench's chart addresses.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// A safe file stem from a unit id (ids may hold any text): the id when
/// it is plain ASCII, else its plain characters and the register index.
/// Two such stems never meet, but one may equal another unit's plain id:
/// name files by [`stems`], which settles that.
fn stem(id: &str, index: usize) -> String {
    if !id.is_empty() && id.chars().all(plain) {
        return id.to_string();
    }
    let s: String = id.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    format!("{s}-{}", index + 1)
}

/// The file stems of a register's units, one each and no two alike:
/// [`stem`], and where a made stem is another unit's plain id (`A/1`,
/// third in the register, and `A_1-3`), the index appended again until it
/// is no other unit's. Ids are distinct, so plain ones are.
pub fn stems(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().enumerate().map(|(i, id)| stem(id, i)).collect();
    let mut taken: std::collections::HashSet<String> = ids
        .iter()
        .zip(&out)
        .filter(|(id, s)| id == s)
        .map(|(_, s)| s.clone())
        .collect();
    for (i, (id, s)) in ids.iter().zip(out.iter_mut()).enumerate() {
        if id == s {
            continue;
        }
        while taken.contains(s.as_str()) {
            s.push_str(&format!("-{}", i + 1));
        }
        taken.insert(s.clone());
    }
    out
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
    // A long unit name would run off both sides: cut to the canvas.
    let t = super::pen::fit_width(t, 16.0, W - 2.0 * MARGIN);
    p.text(&t, W / 2.0, 20.0, 16.0, INK, Align::Center)
}

/// The space kept clear at a chart's left and right edges, in design
/// units.
pub const MARGIN: f64 = 8.0;

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
        x += 28.0 + display_width(name) as f64 * CELL;
    }
    Ok(())
}

pub fn grade_legend(run: &Run) -> Vec<(String, u32)> {
    (0..run.scheme.grades.len())
        .map(|g| (run.scheme.grades[g].name.clone(), grade_rgb(&run.scheme, g)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::stems;

    fn ids(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    /// Plain ids are their own stems; another id keeps its plain
    /// characters and its position: "水利局" (second) → "___-2".
    #[test]
    fn a_plain_id_is_its_own_stem_and_another_gets_its_position() {
        assert_eq!(
            stems(&ids(&["D001", "水利局", "a b"])),
            ["D001", "___-2", "a_b-3"]
        );
    }

    /// "A/1", third, would be "A_1-3", which is the first unit's plain
    /// id: it takes its position once more, "A_1-3-3" (one stem for both
    /// would give two units one feedback file).
    #[test]
    fn a_made_stem_never_takes_another_units_id() {
        let got = stems(&ids(&["A_1-3", "B", "A/1"]));
        assert_eq!(got, ["A_1-3", "B", "A_1-3-3"]);
        // And if that is taken too, once more.
        let got = stems(&ids(&["A_1-3", "A_1-3-3", "A/1"]));
        assert_eq!(got, ["A_1-3", "A_1-3-3", "A_1-3-3-3"]);
    }
}
