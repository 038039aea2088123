//! A [`Document`] as one self-contained HTML page (inline CSS and SVG, no
//! scripts, no network; minijinja escapes every text), with print styles
//! after GB/T 9704 and page numbers "— N —" in print.

use super::{Block, Document};
use crate::report::ExportError;

static TEMPLATE: &str = include_str!("../templates/document.html");

/// Half-width characters a line holds at 12 pt: 156 mm of an upright
/// page, 225 mm of a turned one (as [`super::docx`] lays them out).
const UPRIGHT: u32 = 73;
const TURNED: u32 = 121;

pub fn render(doc: &Document) -> Result<String, ExportError> {
    // Columns as wide as in Word: the browser's own table layout would
    // squeeze names to let headers stand on one line.
    let mut doc = doc.clone();
    let mut landscape = false;
    for b in &mut doc.blocks {
        match b {
            Block::Annex { landscape: l, .. } => landscape = *l,
            Block::Table(t) => {
                let total = if landscape { TURNED } else { UPRIGHT };
                let w = t.widths(total);
                t.permille = w.iter().map(|x| x * 1000 / total.max(1)).collect();
            }
            _ => {}
        }
    }
    let mut env = minijinja::Environment::new();
    env.add_template("document.html", TEMPLATE)
        .map_err(|e| ExportError::Other(format!("document template: {e}")))?;
    env.get_template("document.html")
        .and_then(|t| {
            t.render(minijinja::context! { doc => minijinja::Value::from(minijinja::value::Serde(&doc)) })
        })
        .map_err(|e| ExportError::Other(format!("document template: {e:#}")))
}
