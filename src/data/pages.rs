//! A mapped input file read window by window, its pages let go after each
//! window. A process's resident memory counts every page of a mapped file
//! it has touched until the mapping ends: reading a 5 GB CSV through one
//! mapping would make the process 5 GB large, though no byte of it is
//! needed twice. Released pages stay in the kernel's page cache, so that a
//! later read (a few rows read again, `Source::subset`) costs no disk.

use std::ops::Range;
use std::sync::Arc;

use memmap2::{Mmap, UncheckedAdvice};

/// The bytes a window reads, in a mapped file.
#[derive(Clone)]
pub struct Pages {
    pub map: Arc<Mmap>,
    pub range: Range<usize>,
}

/// The window's bytes (polars reads a Parquet file through this, so that
/// the bytes it reads and the pages let go are the same).
impl AsRef<[u8]> for Pages {
    fn as_ref(&self) -> &[u8] {
        &self.map[self.range.clone()]
    }
}

impl Pages {
    pub fn release(&self) {
        release(&self.map, self.range.clone());
    }
}

/// Let go of the pages of `range` (widened to whole pages). A no-op where
/// the system does not support it: memory is then what it was.
pub fn release(map: &Mmap, range: Range<usize>) {
    let range = range.start.min(map.len())..range.end.min(map.len());
    if range.is_empty() {
        return;
    }
    // SAFETY: the map is a read-only shared mapping of a file (Mmap::map),
    // never written through. MADV_DONTNEED on such a mapping only drops
    // the page table entries: the next access reads the page again from
    // the file (the page cache), with the same bytes. Slices of the map
    // that are still alive stay valid.
    let _ =
        unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, range.start, range.len()) };
}

/// The size of a window: the `GOVTRUST_WINDOW_BYTES` environment variable
/// (tests set it small to cut small files into many windows), else 32 MiB.
pub fn window_bytes() -> usize {
    from_env("GOVTRUST_WINDOW_BYTES").unwrap_or(32 << 20)
}

/// The least rows of a Parquet window (whole row groups until it has as
/// many): the `GOVTRUST_WINDOW_ROWS` environment variable (tests and
/// tuning), else 2,000,000: two row groups of a million rows, the size
/// pyarrow and DuckDB's exports of a large table have.
pub fn window_rows() -> usize {
    from_env("GOVTRUST_WINDOW_ROWS").unwrap_or(2_000_000)
}

fn from_env(var: &str) -> Option<usize> {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
}

/// How large a file's windows are: a CSV file's in bytes of text, a
/// Parquet file's in rows (whole row groups).
#[derive(Debug, Clone, Copy)]
pub struct WindowSize {
    pub bytes: usize,
    pub rows: usize,
}

impl WindowSize {
    /// The sizes set in the environment, else the defaults.
    pub fn from_env() -> WindowSize {
        WindowSize {
            bytes: window_bytes(),
            rows: window_rows(),
        }
    }
}

/// The BLAKE3 digest of a mapped file, window by window, each window's
/// pages released once hashed.
pub fn digest(map: &Arc<Mmap>) -> String {
    let mut h = blake3::Hasher::new();
    let w = window_bytes();
    let mut at = 0;
    while at < map.len() {
        let end = (at + w).min(map.len());
        h.update_rayon(&map[at..end]);
        release(map, at..end);
        at = end;
    }
    format!("blake3:{}", h.finalize().to_hex())
}
