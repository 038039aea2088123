//! Paths the user hands to govtrust, resolved before anything is read or
//! written (docs/scheme.md sections 1 and 9).
//!
//! - Input files named by a scheme (datasets, the unit register, the
//!   calendar, the scheme's own TOML files) must stay inside their
//!   directory, symbolic links included: [`inside`] follows every link and
//!   checks the result, so a `stats_fraud.csv -> /etc/passwd` is refused
//!   before a byte of it is read (and no message can quote it).
//! - Output directories may not be, contain, or lie inside an input:
//!   [`overlap`] compares resolved paths.

use std::path::{Component, Path, PathBuf};

/// Why an input path cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    #[error(
        "{} leads outside {} (through a symbolic link, an absolute path or '..'); govtrust reads only files inside it",
        .path.display(),
        .dir.display()
    )]
    Outside { path: PathBuf, dir: PathBuf },
    #[error("cannot resolve {}: {message}", .path.display())]
    Io { path: PathBuf, message: String },
}

/// `rel` (relative, as a scheme writes it) resolved inside `dir`, with
/// every symbolic link followed; an error if the result is not inside
/// `dir` (resolved the same way) or does not exist. The returned path is
/// the one to open; messages should name `dir.join(rel)`, as the user
/// wrote it.
pub fn inside(dir: &Path, rel: &str) -> Result<PathBuf, PathError> {
    let shown = dir.join(rel);
    let lexical_escape = Path::new(rel).is_absolute()
        || Path::new(rel)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if lexical_escape {
        return Err(PathError::Outside {
            path: shown,
            dir: dir.to_path_buf(),
        });
    }
    let root = resolve(dir)?;
    let target = match std::fs::canonicalize(&shown) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link is as outside as any other: say so only if
            // the link itself exists.
            return Err(if std::fs::symlink_metadata(&shown).is_ok() {
                PathError::Outside {
                    path: shown,
                    dir: dir.to_path_buf(),
                }
            } else {
                PathError::Missing(shown)
            });
        }
        Err(e) => {
            return Err(PathError::Io {
                path: shown,
                message: e.to_string(),
            });
        }
    };
    if target.starts_with(&root) && target != root {
        Ok(target)
    } else {
        Err(PathError::Outside {
            path: shown,
            dir: dir.to_path_buf(),
        })
    }
}

/// `p` made absolute and resolved: every existing part with its links
/// followed (canonical), the parts that do not exist yet appended as
/// written (`.` dropped, `..` applied). Two paths name the same place
/// exactly when their resolutions are equal.
pub fn resolve(p: &Path) -> Result<PathBuf, PathError> {
    let io = |e: std::io::Error| PathError::Io {
        path: p.to_path_buf(),
        message: e.to_string(),
    };
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_err(io)?.join(p)
    };
    // The longest existing prefix, canonicalised; the rest appended.
    let comps: Vec<Component> = abs.components().collect();
    for k in (0..=comps.len()).rev() {
        let prefix: PathBuf = comps[..k].iter().collect();
        if prefix.as_os_str().is_empty() {
            continue;
        }
        if let Ok(mut base) = std::fs::canonicalize(&prefix) {
            for c in &comps[k..] {
                match c {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        base.pop();
                    }
                    other => base.push(other.as_os_str()),
                }
            }
            return Ok(base);
        }
    }
    Ok(abs)
}

/// How an output path relates to an input path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    Is,
    Contains,
    Inside,
}

/// Whether `out` is, contains, or lies inside `input` (both resolved).
pub fn overlap(out: &Path, input: &Path) -> Option<Overlap> {
    if out == input {
        Some(Overlap::Is)
    } else if input.starts_with(out) {
        Some(Overlap::Contains)
    } else if out.starts_with(input) {
        Some(Overlap::Inside)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_accepts_files_and_links_within_and_refuses_the_rest() {
        let t = tempfile::tempdir().unwrap();
        let data = t.path().join("data");
        std::fs::create_dir_all(data.join("sub")).unwrap();
        std::fs::write(data.join("a.csv"), "x").unwrap();
        std::fs::write(t.path().join("secret"), "root:x:0:0").unwrap();
        std::os::unix::fs::symlink(data.join("a.csv"), data.join("sub/link.csv")).unwrap();
        std::os::unix::fs::symlink(t.path().join("secret"), data.join("out.csv")).unwrap();
        std::os::unix::fs::symlink(t.path().join("nothing"), data.join("dangling.csv")).unwrap();
        assert!(inside(&data, "a.csv").is_ok());
        assert!(inside(&data, "sub/link.csv").is_ok());
        assert!(matches!(
            inside(&data, "out.csv"),
            Err(PathError::Outside { .. })
        ));
        assert!(matches!(
            inside(&data, "dangling.csv"),
            Err(PathError::Outside { .. })
        ));
        assert!(matches!(
            inside(&data, "../secret"),
            Err(PathError::Outside { .. })
        ));
        assert!(matches!(
            inside(&data, "/etc/passwd"),
            Err(PathError::Outside { .. })
        ));
        assert!(matches!(
            inside(&data, "none.csv"),
            Err(PathError::Missing(_))
        ));
        // The message names the path as written, never the file's content.
        let e = inside(&data, "out.csv").unwrap_err().to_string();
        assert!(e.contains("out.csv") && !e.contains("root:x"), "{e}");
    }

    #[test]
    fn resolve_and_overlap() {
        let t = tempfile::tempdir().unwrap();
        let base = resolve(t.path()).unwrap();
        std::fs::create_dir_all(t.path().join("work/data")).unwrap();
        let r = resolve(&t.path().join("work/./data/../new/x")).unwrap();
        assert_eq!(r, base.join("work/new/x"));
        let work = resolve(&t.path().join("work")).unwrap();
        let data = resolve(&t.path().join("work/data")).unwrap();
        assert_eq!(overlap(&work, &data), Some(Overlap::Contains));
        assert_eq!(overlap(&data, &work), Some(Overlap::Inside));
        assert_eq!(overlap(&data, &data), Some(Overlap::Is));
        assert_eq!(overlap(&base.join("reports"), &data), None);
        // "work/data2" is not inside "work/data": components, not text.
        assert_eq!(overlap(&base.join("work/data2"), &data), None);
    }
}
