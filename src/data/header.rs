//! The header check: every wanted column in a file's header, once
//! (docs/scheme.md section 1, "The header").

use std::path::Path;

use super::DataError;
use super::table::Wanted;
use crate::diag::{list, suggest};

/// Check the wanted columns are present; return the names to select.
pub(super) fn pick(
    path: &Path,
    dataset: &str,
    found: &[String],
    wanted: &Wanted,
) -> Result<Vec<String>, DataError> {
    let twice = |c: &str| -> Result<(), DataError> {
        let at: Vec<usize> = (0..found.len()).filter(|&k| found[k] == c).collect();
        if at.len() > 1 {
            let cols: Vec<String> = at.iter().map(|k| (k + 1).to_string()).collect();
            return Err(DataError::Read {
                path: path.to_path_buf(),
                message: format!(
                    "column {c:?} appears {} times in the header (columns {}); hint: rename or remove all but one, so that it is clear which one to read",
                    at.len(),
                    cols.join(" and ")
                ),
            });
        }
        Ok(())
    };
    match wanted {
        Wanted::All(_) => {
            for c in found {
                twice(c)?;
            }
            Ok(found.to_vec())
        }
        Wanted::Declared(cols) => {
            for (c, _) in cols.iter() {
                twice(c)?;
                if !found.contains(c) {
                    // None of the declared names: likely a title line
                    // above the header (a titled sheet saved as CSV).
                    let none = !cols.iter().any(|(d, _)| found.contains(d));
                    let hint = match suggest(c, found.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None if none => format!(
                            "the header has none of the declared columns, only: {}; if a title stands above the header, delete it (a CSV file's header is its first line)",
                            list(found, 16)
                        ),
                        None => format!("the file has: {}", list(found, 16)),
                    };
                    return Err(DataError::MissingColumn {
                        dataset: dataset.to_string(),
                        path: path.to_path_buf(),
                        column: c.clone(),
                        hint,
                    });
                }
            }
            Ok(cols.iter().map(|(c, _)| c.clone()).collect())
        }
    }
}
