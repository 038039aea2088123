//! The assessment scheme (SCHEME.md sections 1, 2, 7, 8): TOML files in,
//! a checked [`Scheme`] out.
//!
//! Loading is two steps, as in cargo-deny: [`raw`] parses each file into
//! serde structs with spans (unknown keys are errors), then [`validate`]
//! checks the whole set together and reports every problem with its file,
//! line and column before any data is read.

mod checks;
pub mod diag;
pub mod expr;
pub mod model;
pub mod raw;
mod validate;

use std::path::{Path, PathBuf};

pub use checks::dtype as checks_dtype;
pub use diag::{Diagnostic, Diagnostics};
pub use model::*;
pub use validate::{RESERVED_SCORE_COLUMNS, load_sources};

/// Why a scheme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    #[error("cannot read scheme {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("scheme {} has no .toml files", .0.display())]
    Empty(PathBuf),
    #[error("the scheme has {} problem{}:\n{}", .0.0.len(), if .0.0.len() == 1 { "" } else { "s" }, .0)]
    Invalid(Diagnostics),
}

/// Load and validate a scheme: a directory of `.toml` files (read together,
/// in name order; subdirectories such as `calendars/` are not read) or one
/// file.
pub fn load(path: &Path) -> Result<Scheme, SchemeError> {
    let sources = validate::read_sources(path)?;
    let base = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    load_sources(sources, &base)
}
