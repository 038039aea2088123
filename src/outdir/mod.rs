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

mod classify;
mod fs;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::paths::{Overlap, overlap, resolve};
use classify::{Found, classify};
use fs::{
    CONTENT, create_staging, exchange, io, lock_dir, remove_staging, rename_noreplace, sweep,
    sync_dir, sync_tree,
};
pub use fs::{MARKER, OutError, Result, fault};

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
