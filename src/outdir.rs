//! Output directories (docs/scheme.md section 9): replaced as a whole,
//! atomically, and only when nothing of the user's can be lost.
//!
//! [`OutDir::claim`] decides, before any work is done, whether `--out` may
//! be written: it must be new, an empty directory, or an earlier output of
//! the same command (a `manifest.json` written by govtrust for that
//! command, holding no file govtrust did not write); it may not be, contain
//! or lie inside an input. Otherwise nothing is touched and the error says
//! why. A claim creates a staging directory beside the output,
//! `.NAME.govtrust-PID-K/`, holding a marker file (`.govtrust-staging`)
//! locked with `flock` for as long as the run lives, and the new output in
//! `report/`. [`OutDir::commit`] fsyncs every file and directory, swaps
//! `report/` with the output in one `renameat2(RENAME_EXCHANGE)`, and
//! removes the staging directory with the old output in it. At every
//! instant the output path holds a complete output, the old one or the new
//! one; a killed run leaves only its staging directory, which the next
//! claim beside it removes: a staging directory is removed only if its
//! marker says it is govtrust's and nobody holds its lock. A live lock on
//! a sibling for the same name means another run is writing that output:
//! the claim fails with a message naming its process.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use crate::paths::{Overlap, overlap, resolve};

/// The marker file of a staging directory.
pub const MARKER: &str = ".govtrust-staging";
const MAGIC: &str = "govtrust staging directory; removed by the next govtrust run beside it\n";
/// The new output inside a staging directory.
const CONTENT: &str = "report";
/// The old output, moved aside where the filesystem cannot exchange.
const OLD: &str = "old";

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

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutError + '_ {
    move |e| OutError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What the output is for: which command writes it, and the inputs it
/// may not overlap.
pub struct Purpose<'a> {
    /// The command, as recorded in the output's `manifest.json`.
    pub command: &'static str,
    /// Earlier outputs of these commands may be replaced as well (besides
    /// `command` itself).
    pub also_replaces: &'a [&'static str],
    /// (what, path) of every input, e.g. ("the data directory", data).
    pub inputs: &'a [(&'a str, &'a Path)],
}

/// A claimed output directory: write into [`OutDir::dir`], then
/// [`OutDir::commit`]. Dropped without a commit, it removes its staging
/// directory and leaves the output as it was.
pub struct OutDir {
    /// As the user wrote it, for messages.
    shown: PathBuf,
    /// Resolved.
    target: PathBuf,
    parent: PathBuf,
    staging: PathBuf,
    content: PathBuf,
    command: &'static str,
    also: Vec<&'static str>,
    /// Holds the staging lock while the run lives.
    _lock: File,
    committed: bool,
}

/// What is at the output path now.
#[derive(Debug, PartialEq)]
enum Found {
    Nothing,
    Empty,
    /// An earlier output of an accepted command.
    Earlier,
}

impl OutDir {
    pub fn claim(out: &Path, purpose: &Purpose) -> Result<OutDir, OutError> {
        let refuse = |why: String| OutError::Refused {
            path: out.to_path_buf(),
            why,
        };
        let target = resolve(out).map_err(|e| refuse(e.to_string()))?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(refuse("cannot replace the root directory".into()));
        };
        for (what, input) in purpose.inputs {
            let Ok(input) = resolve(input) else { continue };
            let why = match overlap(&target, &input) {
                Some(Overlap::Is) => format!("it is {what}"),
                Some(Overlap::Contains) => format!("it contains {what} ({})", input.display()),
                Some(Overlap::Inside) => format!("it lies inside {what} ({})", input.display()),
                None => continue,
            };
            return Err(refuse(format!(
                "{why}; the output directory is replaced as a whole, so it must be a separate directory"
            )));
        }
        let also: Vec<&'static str> = purpose.also_replaces.to_vec();
        classify(out, &target, purpose.command, &also)?;
        let parent = parent.to_path_buf();
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = name.to_string_lossy().into_owned();
        let guard = lock_dir(&parent)?;
        let prefix = format!(".{name}.govtrust-");
        sweep(&parent, &prefix, &target, out)?;
        let (staging, lock) = create_staging(&parent, &prefix, &target)?;
        drop(guard);
        let content = staging.join(CONTENT);
        std::fs::create_dir(&content).map_err(io(&content))?;
        fault("claimed");
        Ok(OutDir {
            shown: out.to_path_buf(),
            target,
            parent,
            staging,
            content,
            command: purpose.command,
            also,
            _lock: lock,
            committed: false,
        })
    }

    /// Where to write the new output.
    pub fn dir(&self) -> &Path {
        &self.content
    }

    /// The output path, as the user wrote it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// The command the output is for (recorded in its manifest).
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// Make the written output durable and put it in place atomically.
    pub fn commit(mut self) -> Result<(), OutError> {
        sync_tree(&self.content)?;
        fault("synced");
        let guard = lock_dir(&self.parent)?;
        // The output may have changed since the claim: judge it again.
        let found = classify(&self.shown, &self.target, self.command, &self.also)?;
        if found == Found::Nothing {
            match rename_noreplace(&self.content, &self.target) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                    return Err(OutError::Refused {
                        path: self.shown.clone(),
                        why: "it was created by someone else during the run".into(),
                    });
                }
                Err(e) => return Err(io(&self.target)(e)),
            }
        } else {
            exchange(&self.content, &self.target).map_err(io(&self.target))?;
        }
        fault("exchanged");
        sync_dir(&self.parent)?;
        drop(guard);
        // The staging directory now holds the old output (or nothing).
        remove_staging(&self.staging)?;
        sync_dir(&self.parent)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_staging(&self.staging);
        }
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

/// Is what is at `target` (resolved; `shown` for messages) replaceable?
fn classify(shown: &Path, target: &Path, command: &str, also: &[&str]) -> Result<Found, OutError> {
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

/// Every file (anything but a directory) under `dir`, relative to it,
/// `/`-separated; symbolic links are listed, not followed.
fn walk_files(dir: &Path, rel: &Path, f: &mut dyn FnMut(&Path)) -> Result<(), std::io::Error> {
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
fn lock_dir(dir: &Path) -> Result<File, OutError> {
    let f = File::open(dir).map_err(io(dir))?;
    flock(&f, libc::LOCK_EX).map_err(io(dir))?;
    Ok(f)
}

fn flock(f: &File, op: libc::c_int) -> std::io::Result<()> {
    // SAFETY: flock(2) on an open descriptor.
    if unsafe { libc::flock(f.as_raw_fd(), op) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Remove stale staging directories of this output (their marker is
/// govtrust's and unlocked); a locked one means a live run.
fn sweep(parent: &Path, prefix: &str, target: &Path, shown: &Path) -> Result<(), OutError> {
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

fn create_staging(parent: &Path, prefix: &str, target: &Path) -> Result<(PathBuf, File), OutError> {
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
fn remove_staging(dir: &Path) -> Result<(), OutError> {
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
fn sync_tree(dir: &Path) -> Result<(), OutError> {
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

fn sync_dir(dir: &Path) -> Result<(), OutError> {
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
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
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
fn rename_noreplace(a: &Path, b: &Path) -> std::io::Result<()> {
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
