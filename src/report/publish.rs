//! The publication set of a run: the charts (`charts/*.svg`, `charts/*.png`),
//! `bulletin.html` and `bulletin.docx`, from charts rendered once.

use super::bulletin::{self, Bulletin};
use super::{ExportError, Exporter, OutFile, docx};
use crate::run::Run;

pub struct Publication;

impl Exporter for Publication {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let charts = crate::render::charts(run).map_err(ExportError::Other)?;
        let b = Bulletin::new(run, &charts)?;
        let mut files = Vec::with_capacity(charts.len() * 2 + 2);
        files.push((
            "bulletin.html".to_string(),
            bulletin::html(&b)?.into_bytes(),
        ));
        files.push(("bulletin.docx".to_string(), docx::docx(&b, &charts)?));
        for c in charts {
            files.push((format!("charts/{}.svg", c.name), c.svg.into_bytes()));
            files.push((format!("charts/{}.png", c.name), c.png));
        }
        Ok(files)
    }
}
