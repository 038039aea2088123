//! The inflated XML of a part, cut into pieces that each end just before
//! a start tag (`<row`, `<si`), so that the pieces can be read side by
//! side. A cut inside a comment or CDATA section leaves the piece before
//! it unclosed, which its reader reports (and the file goes to calamine).

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Unusual;

/// Pieces inflated and not yet read, at most: a part's XML in memory
/// stays under AHEAD pieces, however large the part.
const AHEAD: usize = 6;

/// Cuts the inflated XML into pieces that each end just before a
/// `<row>` (or at the end of the part).
pub(super) struct Cutter {
    /// The tag each piece after the first begins with.
    tag: &'static [u8],
    carry: Vec<u8>,
    pub done: bool,
}

impl Cutter {
    /// Cuts the rest of `file` into pieces of about `size` bytes and
    /// `read`s them on the pool side by side, while this thread inflates
    /// the next; the results in the pieces' order. At most [`AHEAD`]
    /// pieces wait to be read: past that, this thread reads one itself
    /// (or waits) instead of inflating more.
    pub fn read_rest<T: Send>(
        &mut self,
        file: &mut impl Read,
        size: usize,
        read: impl Fn(Vec<u8>) -> T + Sync,
    ) -> Result<Vec<T>, Unusual> {
        let found = Mutex::new(Vec::new());
        let waiting = AtomicUsize::new(0);
        let read = &read;
        crate::pool().in_place_scope(|s| -> Result<(), Unusual> {
            let mut k = 0;
            while !self.done {
                while waiting.load(Ordering::Acquire) >= AHEAD {
                    if rayon::yield_now() != Some(rayon::Yield::Executed) {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                }
                let xml = self.next(file, size)?;
                let (found, waiting) = (&found, &waiting);
                waiting.fetch_add(1, Ordering::AcqRel);
                s.spawn(move |_| {
                    let t = read(xml);
                    found.lock().unwrap().push((k, t));
                    waiting.fetch_sub(1, Ordering::AcqRel);
                });
                k += 1;
            }
            Ok(())
        })?;
        let mut found = found.into_inner().unwrap();
        found.sort_by_key(|(k, _)| *k);
        Ok(found.into_iter().map(|(_, t)| t).collect())
    }

    pub fn new(tag: &'static [u8]) -> Self {
        Cutter {
            tag,
            carry: Vec::new(),
            done: false,
        }
    }

    pub fn next(&mut self, file: &mut impl Read, size: usize) -> Result<Vec<u8>, Unusual> {
        let mut want = size;
        loop {
            if self.carry.len() < want {
                let n = (want - self.carry.len()).max(64 << 10) as u64;
                let got = file
                    .by_ref()
                    .take(n)
                    .read_to_end(&mut self.carry)
                    .map_err(|e| e.to_string())?;
                if got == 0 {
                    self.done = true;
                    return Ok(std::mem::take(&mut self.carry));
                }
                continue;
            }
            if let Some(p) = last_start(&self.carry, self.tag) {
                let rest = self.carry.split_off(p);
                return Ok(std::mem::replace(&mut self.carry, rest));
            }
            want = self.carry.len() * 2;
        }
    }
}

/// Where the last start tag `tag` (`<row`, `<si`) begins, if after the
/// first byte: the tag followed by white space, `>` or `/`.
fn last_start(xml: &[u8], tag: &[u8]) -> Option<usize> {
    let mut end = xml.len();
    while let Some(p) = memchr::memmem::rfind(&xml[..end], tag) {
        let next = xml.get(p + tag.len());
        if p > 0 && matches!(next, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')) {
            return Some(p);
        }
        end = p;
    }
    None
}
