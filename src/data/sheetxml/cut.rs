//! The inflated XML of a part, cut into pieces that each end just before
//! a start tag (`<row`, `<si`), so that the pieces can be read side by
//! side. A cut inside a comment or CDATA section leaves the piece before
//! it unclosed, which its reader reports (and the file goes to calamine).

use std::io::Read;

use super::Unusual;

/// Cuts the inflated XML into pieces that each end just before a
/// `<row>` (or at the end of the part).
pub(super) struct Cutter {
    /// The tag each piece after the first begins with.
    tag: &'static [u8],
    carry: Vec<u8>,
    pub done: bool,
}

impl Cutter {
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
