//! The filesystem steps of an output directory's life: its staging
//! directory (created with a locked marker, swept when stale, removed),
//! the directory lock, fsync, and the atomic renames.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// The marker file of a staging directory.
pub const MARKER: &str = ".govtrust-staging";
pub(super) const MAGIC: &str =
    "govtrust staging directory; removed by the next govtrust run beside it\n";
/// The new output inside a staging directory.
pub(super) const CONTENT: &str = "report";
/// The old output, moved aside where the filesystem cannot exchange.
pub(super) const OLD: &str = "old";

#[derive(Debug, thiserror::Error)]
pub enum OutError {
    /// Nothing was touched.
    #[error("--out {}: {why}", .path.display())]
    Refused { path: PathBuf, why: String },
    #[error(
        "--out {}: another govtrust run (process {pid}) is writing it; wait for it to finish, or choose another --out",
        .path.display()
    )]
    Busy { path: PathBuf, pid: String },
    #[error("{}: {message}", .path.display())]
    Io { path: PathBuf, message: String },
}

pub type Result<T, E = OutError> = std::result::Result<T, E>;

pub(super) fn io(path: &Path) -> impl Fn(std::io::Error) -> OutError + '_ {
    move |e| OutError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Kill the process at a named step when `GOVTRUST_FAULT` names it: the
/// tests use this to show that a run killed at any step leaves a complete
/// output. SIGKILL, so that no destructor runs, as with a real kill.
pub fn fault(step: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT
        .get_or_init(|| std::env::var("GOVTRUST_FAULT").ok())
        .as_deref()
        == Some(step)
    {
        // SAFETY: kill(2) on our own pid.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

/// Every file (anything but a directory) under `dir`, relative to it,
/// `/`-separated; symbolic links are listed, not followed.
pub(super) fn walk_files(
    dir: &Path,
    rel: &Path,
    f: &mut dyn FnMut(&Path),
) -> Result<(), std::io::Error> {
    for e in std::fs::read_dir(dir.join(rel))? {
        let e = e?;
        let r = rel.join(e.file_name());
        if e.file_type()?.is_dir() {
            walk_files(dir, &r, f)?;
        } else {
            f(&r);
        }
    }
    Ok(())
}

/// An exclusive `flock` on a directory, held until the guard drops: only
/// the short steps of claiming and swapping hold it.
pub(super) fn lock_dir(dir: &Path) -> Result<File, OutError> {
    let f = File::open(dir).map_err(io(dir))?;
    flock(&f, libc::LOCK_EX).map_err(io(dir))?;
    Ok(f)
}

pub(super) fn flock(f: &File, op: libc::c_int) -> std::io::Result<()> {
    // SAFETY: flock(2) on an open descriptor.
    if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Remove stale staging directories of this output (their marker is
/// govtrust's and unlocked); a locked one means a live run.
pub(super) fn sweep(
    parent: &Path,
    prefix: &str,
    target: &Path,
    shown: &Path,
) -> Result<(), OutError> {
    let entries = std::fs::read_dir(parent).map_err(io(parent))?;
    for e in entries.flatten() {
        let name = e.file_name();
        if !name.as_bytes().starts_with(prefix.as_bytes()) {
            continue;
        }
        let dir = e.path();
        if !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(mut marker) = File::open(dir.join(MARKER)) else {
            continue;
        };
        let mut text = String::new();
        if marker.read_to_string(&mut text).is_err() || !text.starts_with(MAGIC) {
            continue;
        }
        match flock(&marker, libc::LOCK_EX | libc::LOCK_NB) {
            Ok(()) => {
                // Killed between the two renames of [`exchange`]'s
                // fallback: the old output goes back first.
                let old = dir.join(OLD);
                if old.is_dir() && std::fs::symlink_metadata(target).is_err() {
                    std::fs::rename(&old, target).map_err(io(target))?;
                }
                remove_staging(&dir)?
            }
            Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {
                let pid = text
                    .lines()
                    .find_map(|l| l.strip_prefix("pid "))
                    .unwrap_or("?")
                    .to_string();
                return Err(OutError::Busy {
                    path: shown.to_path_buf(),
                    pid,
                });
            }
            Err(e) => return Err(io(&dir)(e)),
        }
    }
    Ok(())
}

pub(super) fn create_staging(
    parent: &Path,
    prefix: &str,
    target: &Path,
) -> Result<(PathBuf, File), OutError> {
    let pid = std::process::id();
    for k in 0..10_000u32 {
        let dir = parent.join(format!("{prefix}{pid}-{k}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                let path = dir.join(MARKER);
                let mut f = File::create(&path).map_err(io(&path))?;
                flock(&f, libc::LOCK_EX | libc::LOCK_NB).map_err(io(&path))?;
                write!(f, "{MAGIC}pid {pid}\nfor {}\n", target.display()).map_err(io(&path))?;
                return Ok((dir, f));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&dir)(e)),
        }
    }
    Err(OutError::Io {
        path: parent.to_path_buf(),
        message: "cannot create a staging directory".into(),
    })
}

/// Remove a staging directory: its content first, the marker last, so
/// that an interrupted removal still leaves a marked (removable) one.
pub(super) fn remove_staging(dir: &Path) -> Result<(), OutError> {
    for sub in [CONTENT, OLD] {
        let content = dir.join(sub);
        if content.exists() {
            fault("removing");
            std::fs::remove_dir_all(&content).map_err(io(&content))?;
        }
    }
    std::fs::remove_dir_all(dir).map_err(io(dir))
}

/// fsync every file and directory under `dir`, then `dir` itself.
pub(super) fn sync_tree(dir: &Path) -> Result<(), OutError> {
    let mut files = Vec::new();
    walk_files(dir, Path::new(""), &mut |r| files.push(dir.join(r))).map_err(io(dir))?;
    use rayon::prelude::*;
    files
        .par_iter()
        .try_for_each(|p| File::open(p).and_then(|f| f.sync_all()).map_err(io(p)))?;
    let mut dirs = vec![dir.to_path_buf()];
    let mut k = 0;
    while k < dirs.len() {
        for e in std::fs::read_dir(&dirs[k]).map_err(io(&dirs[k]))?.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(e.path());
            }
        }
        k += 1;
    }
    for d in dirs.iter().rev() {
        sync_dir(d)?;
    }
    Ok(())
}

pub(super) fn sync_dir(dir: &Path) -> Result<(), OutError> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

fn cstr(p: &Path) -> std::io::Result<std::ffi::CString> {
    std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "NUL in path"))
}

#[cfg(target_os = "linux")]
fn renameat2(a: &Path, b: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    let (a, b) = (cstr(a)?, cstr(b)?);
    // SAFETY: renameat2(2) with two NUL-terminated paths.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            flags,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Does this error mean "the filesystem cannot do that rename"?
fn unsupported(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP)
    )
}

/// Swap the new output `a` (in a staging directory) with the output `b`
/// in one step. Where the filesystem cannot, move the old output aside
/// into the staging directory (`old/`) first; a kill between the two
/// renames leaves no output at `b`, and the next claim moves `old/` back
/// (see [`sweep`]).
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    // GOVTRUST_NO_EXCHANGE: take the fallback, for its tests.
    #[cfg(target_os = "linux")]
    if std::env::var_os("GOVTRUST_NO_EXCHANGE").is_none() {
        match renameat2(a, b, libc::RENAME_EXCHANGE) {
            Err(e) if unsupported(&e) => {}
            r => return r,
        }
    }
    let old = a.with_file_name(OLD);
    std::fs::rename(b, &old)?;
    fault("moved-aside");
    std::fs::rename(a, b)?;
    std::fs::rename(&old, a)
}

/// Move `a` to `b` only if `b` does not exist.
pub(super) fn rename_noreplace(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(a, b, libc::RENAME_NOREPLACE) {
        Err(e) if unsupported(&e) => {}
        r => return r,
    }
    if std::fs::symlink_metadata(b).is_ok() {
        return Err(std::io::Error::from_raw_os_error(libc::EEXIST));
    }
    std::fs::rename(a, b)
}
