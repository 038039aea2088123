//! The publication set of a run: the charts (`charts/*.svg`, `charts/*.png`),
//! the bulletin (`bulletin.html`, `bulletin.docx`) and every unit's
//! feedback (`feedback/UNIT.docx`, `feedback/UNIT.xlsx`), from charts
//! rendered once.

use super::bulletin::{self, Ctx};
use super::document::{docx, html};
use super::{ExportError, Exporter, OutFile, feedback};
use crate::run::Run;

pub struct Publication;

impl Exporter for Publication {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let charts = crate::render::charts(run).map_err(ExportError::Other)?;
        let doc = bulletin::document(run, &charts);
        let mut files = Vec::with_capacity(charts.len() * 2 + 2);
        // With --period the bulletin's files carry the period: several
        // periods' bulletins can then be sent side by side.
        let stem = match run.scheme.period_override {
            true => format!("bulletin-{}", run.scheme.period.slug()),
            false => "bulletin".to_string(),
        };
        files.push((format!("{stem}.html"), html::render(&doc)?.into_bytes()));
        files.push((format!("{stem}.docx"), docx::render(&doc, &charts)?));
        let cx = Ctx::new(run, &charts);
        let stems = crate::render::style::stems(&run.data.units.ids);
        for (u, id) in stems.iter().enumerate() {
            let fb = feedback::document(&cx, u);
            files.push((format!("feedback/{id}.docx"), docx::render(&fb, &charts)?));
            files.push((format!("feedback/{id}.xlsx"), feedback::form(&cx, u)?));
        }
        for c in charts {
            files.push((format!("charts/{}.svg", c.name), c.svg.into_bytes()));
            files.push((format!("charts/{}.png", c.name), c.png));
        }
        Ok(files)
    }
}
