//! Text in another encoding than UTF-8, as UTF-8.
//!
//! - GB18030 is decoded where it is read, record by record
//!   ([`decode_into`]): a window's records as the window is read
//!   (`super::csvread`), a few records again (`super::subset`), the header
//!   and the lines that are not records (`super::csv`). That is safe
//!   because the structure scan finds the same records in the GB18030
//!   bytes as in their UTF-8 text: the bytes it looks at (`"`, `,`, `\r`,
//!   `\n`) are never part of a longer GB18030 character, whose second
//!   bytes are 0x30-0x39 and 0x40-0xFE. No copy of the file is made.
//! - UTF-16 is decoded in order, in pieces, into an unnamed temporary file
//!   (in `TMPDIR`, else `/tmp`; the system deletes it when it is closed,
//!   so nothing is left behind, even after a crash) which is then mapped
//!   and read like a UTF-8 file ([`transcode`]): in UTF-16 every byte may
//!   be half of a character, a line break included.
//! - Where bytes are not text in their encoding, [`first_malformed`] finds
//!   the first, for the error.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use encoding_rs::Encoding;

/// Input bytes decoded per piece.
const PIECE: usize = 2 << 20;

/// A decoded copy: the temporary file, and its mapping.
pub(super) struct Decoded {
    pub file: Arc<std::fs::File>,
    pub map: Arc<memmap2::Mmap>,
    /// Some byte was not text in the encoding (replaced by U+FFFD, as
    /// `Encoding::decode` does): the caller reports the file.
    pub had_errors: bool,
}

/// A UTF-16 file decoded as `encoding`, or as its byte-order mark says
/// (which wins, and is left out, as in `Encoding::decode`), into a
/// temporary file; the mapped file's pages are let go as it is read.
pub(super) fn transcode(
    file: &memmap2::Mmap,
    encoding: &'static Encoding,
) -> std::io::Result<Decoded> {
    transcode_in(file, encoding, PIECE, |r| super::pages::release(file, r))
}

fn transcode_in(
    file: &[u8],
    encoding: &'static Encoding,
    piece: usize,
    mut read: impl FnMut(Range<usize>),
) -> std::io::Result<Decoded> {
    let (enc, mut at) = Encoding::for_bom(file).unwrap_or((encoding, 0));
    let mut out = std::io::BufWriter::with_capacity(4 << 20, tempfile::tempfile()?);
    let mut decoder = enc.new_decoder_without_bom_handling();
    // Room for a piece's text: three UTF-8 bytes at most for each input
    // byte (a byte that is not text becomes U+FFFD), and a character held
    // over from the piece before. A piece that still does not fit is
    // taken in parts (`OutputFull`).
    let mut buf = vec![0u8; piece * 3 + 16];
    let mut had_errors = false;
    loop {
        let end = (at + piece).min(file.len());
        let last = end == file.len();
        let (result, taken, written, errors) =
            decoder.decode_to_utf8(&file[at..end], &mut buf, last);
        had_errors |= errors;
        out.write_all(&buf[..written])?;
        read(at..at + taken);
        at += taken;
        if last && result == encoding_rs::CoderResult::InputEmpty {
            break;
        }
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    // SAFETY: the file is ours alone (unnamed: no other process can open
    // it) and is only read from now on.
    let map = unsafe { memmap2::Mmap::map(&file) }?;
    Ok(Decoded {
        file: Arc::new(file),
        map: Arc::new(map),
        had_errors,
    })
}

/// Whole records (bytes that start at a line start and end at a line
/// break or at the end of the file), or any text that starts and ends at
/// a character boundary, decoded by a decoder of their own into `text`
/// (emptied first), as decoding the whole file gives them; whether some
/// byte was not text.
pub(super) fn decode_into(enc: &'static Encoding, bytes: &[u8], text: &mut String) -> bool {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let room = decoder
        .max_utf8_buffer_length(bytes.len())
        .expect("a piece's decoded length fits in memory");
    text.clear();
    text.reserve(room);
    // With room for the worst case, the whole piece is decoded in one
    // call (into the spare room, which is not zeroed first).
    let (_, _, errors) = decoder.decode_to_string(bytes, text, true);
    errors
}

/// The error for a GB18030 file with bytes that are not GB18030 text,
/// naming where the first are (found by decoding `file` again: only on
/// that error).
pub(super) fn not_gb18030(file: &[u8]) -> String {
    gb18030_error(first_malformed(file, encoding_rs::GB18030))
}

/// The error for a GB18030 file whose first bytes that are not GB18030
/// text are `m`, if found.
pub(super) fn gb18030_error(m: Option<Malformed>) -> String {
    format!(
        "the file is not valid GB18030 text{}; hint: a part of it may be in another encoding: save it again from the program that made it, as GB18030 or UTF-8 throughout",
        first_at(m)
    )
}

/// Where the first bytes that are not text are, for an error message
/// (" (the first at line …)"), or nothing if none were found.
pub(super) fn first_at(m: Option<Malformed>) -> String {
    match m {
        Some(m) => format!(" (the first at {m})"),
        None => String::new(),
    }
}

/// Where a file's first bytes that are not text in its encoding are.
#[derive(Debug, PartialEq)]
pub(super) struct Malformed {
    /// Its line, from 1.
    pub line: u64,
    /// The character of that line it stands in place of, from 1.
    pub column: u64,
    pub bytes: Vec<u8>,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: Vec<String> = self.bytes.iter().map(|b| format!("{b:02X}")).collect();
        write!(
            f,
            "line {}, character {}: the bytes {}",
            self.line,
            self.column,
            hex.join(" ")
        )
    }
}

/// The first bytes of `file` that are not text in `encoding` (or in the
/// encoding of its byte-order mark, which wins), if any: the file is
/// decoded again, in order and without replacement, counting lines (only
/// when decoding it has reported an error).
pub(super) fn first_malformed(file: &[u8], encoding: &'static Encoding) -> Option<Malformed> {
    first_malformed_in(file, encoding, PIECE)
}

fn first_malformed_in(file: &[u8], encoding: &'static Encoding, piece: usize) -> Option<Malformed> {
    use encoding_rs::DecoderResult;
    let (enc, mut at) = Encoding::for_bom(file).unwrap_or((encoding, 0));
    let mut decoder = enc.new_decoder_without_bom_handling();
    // Characters, not bytes: UTF-8 continuation bytes are not counted.
    let chars = |t: &[u8]| t.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64;
    let mut buf = vec![0u8; piece * 3 + 16];
    let (mut line, mut column) = (1u64, 1u64);
    loop {
        let end = (at + piece).min(file.len());
        let last = end == file.len();
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(&file[at..end], &mut buf, last);
        let text = &buf[..written];
        match memchr::memrchr(b'\n', text) {
            Some(i) => {
                line += memchr::memchr_iter(b'\n', text).count() as u64;
                column = 1 + chars(&text[i + 1..]);
            }
            None => column += chars(text),
        }
        at += read;
        match result {
            DecoderResult::InputEmpty if last => return None,
            DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, extra) => {
                // The bad bytes end `extra` bytes before what was read;
                // they may have begun in an earlier piece.
                let stop = at - extra as usize;
                let start = stop.saturating_sub(bad as usize);
                return Some(Malformed {
                    line,
                    column,
                    bytes: file[start..stop].to_vec(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, UTF_16LE};
    use proptest::prelude::*;

    /// The decoded copy, as text, and its error flag; every byte after
    /// the byte-order mark is reported read once, in order (their pages
    /// are let go).
    fn run(file: &[u8], encoding: &'static Encoding, piece: usize) -> (String, bool) {
        let mut reads = Vec::new();
        let d = transcode_in(file, encoding, piece, |r| reads.push(r)).unwrap();
        let mut at = Encoding::for_bom(file).map_or(0, |(_, n)| n);
        for r in reads.iter().filter(|r| !r.is_empty()) {
            assert_eq!(r.start, at, "{reads:?}");
            at = r.end;
        }
        assert_eq!(at, file.len(), "{reads:?}");
        (String::from_utf8(d.map.to_vec()).unwrap(), d.had_errors)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Whatever the pieces, the copy of a UTF-16LE file is what
        /// decoding the whole file at once gives (`Encoding::decode`),
        /// errors included: a piece may end inside a code unit, a
        /// surrogate pair or bytes that are not text.
        #[test]
        fn utf16_pieces_decode_as_the_whole(
            text in "[a-z0-9,\n 一-龥🙂]{0,40}",
            junk in proptest::collection::vec((0usize..80, any::<u8>()), 0..3),
            piece in 1usize..9,
        ) {
            let mut bytes = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&u.to_le_bytes());
            }
            for (at, b) in junk {
                bytes.insert(at.min(bytes.len()), b);
            }
            let (want, _, want_errors) = UTF_16LE.decode(&bytes);
            let (got, errors) = run(&bytes, UTF_16LE, piece);
            prop_assert_eq!(got, want.into_owned());
            prop_assert_eq!(errors, want_errors);
        }
    }

    #[test]
    fn a_character_split_between_pieces_is_whole() {
        // 🙂 is the surrogate pair D83D DE42, in UTF-16LE the bytes 3D D8
        // 42 DE: in pieces of one byte it is split three times, and comes
        // out whole.
        let bytes = [0xFF, 0xFE, b'a', 0, 0x3D, 0xD8, 0x42, 0xDE, b'\n', 0];
        assert_eq!(run(&bytes, UTF_16LE, 1), ("a🙂\n".into(), false));
        // A lone high surrogate at the end is not text: U+FFFD, and
        // flagged.
        let (text, errors) = run(&bytes[..6], UTF_16LE, 1);
        assert_eq!((text.as_str(), errors), ("a\u{FFFD}", true));
    }

    #[test]
    fn the_first_bytes_that_are_not_text_are_found_by_line_and_character() {
        // Line 2 is "政,A" then 0x81, a lead byte followed by a line
        // break, which is not a trail byte: the 0x81 stands in place of
        // the line's 4th character. In pieces of one byte (the 0x81 read
        // in a piece before the byte that shows it bad), of two, and
        // whole, the same place.
        let mut bytes = b"k,u\n".to_vec();
        bytes.extend_from_slice(&[0xD5, 0xFE]);
        bytes.extend_from_slice(b",A\x81\n3,B,\xFF\n");
        let want = Malformed {
            line: 2,
            column: 4,
            bytes: vec![0x81],
        };
        for piece in [1, 2, PIECE] {
            let got = first_malformed_in(&bytes, GB18030, piece);
            assert_eq!(got.as_ref(), Some(&want), "pieces of {piece}");
        }
        assert_eq!(want.to_string(), "line 2, character 4: the bytes 81");
        // Text throughout: nothing found.
        let (ok, _, _) = GB18030.encode("k,u\n政,A\n");
        assert_eq!(first_malformed_in(&ok, GB18030, 1), None);
        // A lone lead byte at the end of the file, after a line break.
        let got = first_malformed_in(b"k\n\xD5", GB18030, 1).unwrap();
        assert_eq!((got.line, got.column, got.bytes), (2, 1, vec![0xD5]));
    }

    #[test]
    fn the_byte_order_mark_is_removed() {
        let utf16: Vec<u8> = [0xFF, 0xFE, 0x3F, 0x65, 0xA1, 0x52].to_vec();
        assert_eq!(run(&utf16, UTF_16LE, 3).0, "政务");
        // A UTF-16BE mark wins over the UTF-16LE asked for.
        let be: Vec<u8> = [0xFE, 0xFF, 0x65, 0x3F, 0x52, 0xA1].to_vec();
        assert_eq!(run(&be, UTF_16LE, 3).0, "政务");
    }

    #[test]
    fn records_decode_apart_as_in_the_whole() {
        // GB18030 records cut at their line starts, each decoded by a
        // decoder of its own, are the whole file's text; a lead byte with
        // no trail byte before a line break is flagged in its record
        // only.
        let text = "k,名称\n1,政务诚信\n2,🙂\n";
        let (bytes, _, _) = GB18030.encode(text);
        let cut = memchr::memchr_iter(b'\n', &bytes).map(|i| i + 1);
        let (mut at, mut got, mut one) = (0, String::new(), String::new());
        for end in cut {
            assert!(!decode_into(GB18030, &bytes[at..end], &mut one));
            got.push_str(&one);
            at = end;
        }
        assert_eq!(got, text);
        assert!(decode_into(GB18030, b"3,\x81\n", &mut one));
        assert_eq!(one, "3,\u{FFFD}\n");
        assert!(!decode_into(GB18030, b"4,x\n", &mut one));
    }
}
