//! What is at an output path, and whether it may be replaced: nothing,
//! an empty directory, or an earlier output of the same command holding
//! no file govtrust did not write.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::fs::{OutError, io, walk_files};

/// What is at the output path now.
#[derive(Debug, PartialEq)]
pub(super) enum Found {
    Nothing,
    Empty,
    /// An earlier output of an accepted command.
    Earlier,
}

/// Is what is at `target` (resolved; `shown` for messages) replaceable?
pub(super) fn classify(
    shown: &Path,
    target: &Path,
    command: &str,
    also: &[&str],
) -> Result<Found, OutError> {
    let refuse = |why: String| OutError::Refused {
        path: shown.to_path_buf(),
        why,
    };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(io(shown)(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "it is a symbolic link; give the directory it points to".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(
            "it is a file, not a directory; govtrust writes a directory of outputs there".into(),
        ));
    }
    let mut entries = std::fs::read_dir(target).map_err(io(shown))?;
    if entries.next().is_none() {
        return Ok(Found::Empty);
    }
    let manifest = target.join("manifest.json");
    let not_ours = || {
        refuse(format!(
            "it is a directory that is not an earlier govtrust {command} output (it has no govtrust manifest.json), and replacing it would delete what it holds; choose a new or empty directory"
        ))
    };
    let mut text = String::new();
    match File::open(&manifest) {
        Ok(mut f) => {
            if f.read_to_string(&mut text).is_err() {
                return Err(not_ours());
            }
        }
        Err(_) => return Err(not_ours()),
    }
    let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Err(not_ours());
    };
    if m["engine"]["name"] != "govtrust" {
        return Err(not_ours());
    }
    // Outputs before the `command` field were assess or sensitivity runs.
    let earlier = m["command"].as_str().unwrap_or("assess");
    if earlier != command && !also.contains(&earlier) {
        return Err(refuse(format!(
            "it holds an earlier `govtrust {earlier}` output, which `govtrust {command}` does not replace; choose another directory"
        )));
    }
    if let Some(files) = m["files"].as_array() {
        let listed: BTreeSet<&str> = files.iter().filter_map(|f| f.as_str()).collect();
        let mut foreign = Vec::new();
        walk_files(target, Path::new(""), &mut |rel| {
            let rel = rel.to_string_lossy().into_owned();
            if !listed.contains(rel.as_str()) {
                foreign.push(rel);
            }
        })
        .map_err(io(shown))?;
        if !foreign.is_empty() {
            foreign.sort();
            let n = foreign.len();
            foreign.truncate(5);
            return Err(refuse(format!(
                "it holds {n} file{} that govtrust did not write ({}{}); move {} elsewhere, or choose another directory",
                if n == 1 { "" } else { "s" },
                foreign.join(", "),
                if n > 5 { ", ..." } else { "" },
                if n == 1 { "it" } else { "them" }
            )));
        }
    }
    Ok(Found::Earlier)
}
