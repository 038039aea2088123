//! The assessment scheme (docs/scheme.md sections 1, 2, 7, 8): TOML files in,
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
    #[error("cannot read scheme {}: {message}", path.display())]
    Io { path: PathBuf, message: String },
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

/// The JSON Schema of a scheme file (one TOML file of a scheme; every
/// section optional, unknown fields refused), as committed in
/// `indicators/scheme.schema.json` for TOML editors.
pub fn json_schema() -> String {
    let mut s = schemars::schema_for!(raw::RawFile).to_value();
    s["title"] = "govtrust scheme (考核方案)".into();
    drop_null(&mut s);
    serde_json::to_string_pretty(&s).expect("a schema serialises") + "\n"
}

/// TOML has no null: an optional field is simply absent, so
/// `anyOf: [X, {type: null}]` becomes X (keeping its description).
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    if let Value::Object(m) = v {
        let only = m.get("anyOf").and_then(Value::as_array).and_then(|a| {
            let rest: Vec<&Value> = a
                .iter()
                .filter(|x| x.get("type") != Some(&"null".into()))
                .collect();
            (rest.len() == 1 && a.len() == 2).then(|| rest[0].clone())
        });
        if let Some(Value::Object(inner)) = only {
            m.remove("anyOf");
            for (k, x) in inner {
                m.entry(k).or_insert(x);
            }
        }
        if let Some(Value::Array(t)) = m.get("type") {
            let t: Vec<Value> = t.iter().filter(|x| *x != "null").cloned().collect();
            if t.len() == 1 {
                m.insert("type".into(), t[0].clone());
            }
        }
        m.values_mut().for_each(drop_null);
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(drop_null);
    }
}
