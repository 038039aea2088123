//! A GB18030 or UTF-16 CSV file's text as UTF-8, decoded in pieces (for
//! GB18030 cut after line breaks and decoded side by side) into
//! an unnamed temporary file (in `TMPDIR`, else `/tmp`; the system
//! deletes it when it is closed, so nothing is left behind, even after a
//! crash) and mapped. The decoded text is then read window by window and
//! its pages let go like a UTF-8 file's (`super::pages`), instead of a
//! copy of the whole file staying in memory to the end of the run: at
//! 10M tickets that copy was 1.1 GB of a 1.9 GB peak.

use std::io::Write;
use std::ops::Range;
use std::sync::Arc;

use encoding_rs::Encoding;
use rayon::prelude::*;

type Io<T> = std::io::Result<T>;

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

/// The file decoded as `encoding`, or as its byte-order mark says (which
/// wins, and is left out, as in `Encoding::decode`); the mapped file's
/// pages are let go as it is read.
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
    let (enc, skip) = Encoding::for_bom(file).unwrap_or((encoding, 0));
    let mut out = std::io::BufWriter::with_capacity(4 << 20, tempfile::tempfile()?);
    let text = Text {
        file,
        at: skip,
        enc,
        piece,
    };
    let had_errors = if by_lines(enc) {
        text.in_lines(&mut out, &mut read)?
    } else {
        text.in_order(&mut out, &mut read)?
    };
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

/// Whether a byte 0x0A is always a line break in the encoding, never a
/// byte of a longer character (GB18030's second bytes are 0x30-0x39 and
/// 0x40-0xFE; UTF-8's 0x80-0xBF): then the text can be cut after any
/// line break and its pieces decoded apart, each as the whole would be.
/// Not so in UTF-16.
fn by_lines(enc: &'static Encoding) -> bool {
    enc == encoding_rs::GB18030 || enc == encoding_rs::UTF_8
}

/// The text after its byte-order mark (from `at`), its encoding, and the
/// size of its pieces.
struct Text<'a> {
    file: &'a [u8],
    at: usize,
    enc: &'static Encoding,
    piece: usize,
}

impl Text<'_> {
    /// Pieces of `piece` bytes, each taken on to the end of its line (or of
    /// the file), decoded side by side a few at a time on the cores, and
    /// written in order. At 50M tickets decoding on one core took 11 s.
    fn in_lines(self, out: &mut impl Write, read: &mut impl FnMut(Range<usize>)) -> Io<bool> {
        let (file, enc, piece, mut at) = (self.file, self.enc, self.piece, self.at);
        let batch = 2 * rayon::current_num_threads();
        // Each piece's text, in a buffer kept from batch to batch (fresh
        // buffers cost a page fault every 4 KiB).
        let mut texts: Vec<(String, bool)> = (0..batch).map(|_| (String::new(), false)).collect();
        let mut had_errors = false;
        while at < file.len() {
            let first = at;
            let mut cuts = Vec::with_capacity(batch);
            while cuts.len() < batch && at < file.len() {
                let from = (at + piece.max(1) - 1).min(file.len());
                let end = memchr::memchr(b'\n', &file[from..]).map_or(file.len(), |i| from + i + 1);
                cuts.push(at..end);
                at = end;
            }
            let n = cuts.len();
            texts[..n]
                .par_iter_mut()
                .zip(cuts)
                .for_each(|((text, errors), r)| *errors = decode_whole(enc, &file[r], text));
            for (text, errors) in &texts[..n] {
                had_errors |= errors;
                out.write_all(text.as_bytes())?;
            }
            read(first..at);
        }
        Ok(had_errors)
    }

    /// The text decoded in order by one decoder, piece after piece (UTF-16,
    /// where a byte 0x0A may be half of any character).
    fn in_order(self, out: &mut impl Write, read: &mut impl FnMut(Range<usize>)) -> Io<bool> {
        let (file, enc, piece, mut at) = (self.file, self.enc, self.piece, self.at);
        let mut decoder = enc.new_decoder_without_bom_handling();
        // Room for a piece's text: three UTF-8 bytes at most for each input
        // byte (a byte that is not text becomes U+FFFD), and a character
        // held over from the piece before. A piece that still does not fit
        // is taken in parts (`OutputFull`).
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
                return Ok(had_errors);
            }
        }
    }
}

/// A piece that ends at a line break or at the end of the file, decoded
/// by a decoder of its own into `text` (emptied first); whether some
/// byte was not text.
fn decode_whole(enc: &'static Encoding, bytes: &[u8], text: &mut String) -> bool {
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
/// encoding of its byte-order mark, as for [`transcode`]), if any: the
/// file is decoded again, in order and without replacement, counting
/// lines (only when [`transcode`] reported an error).
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
        /// Whatever the pieces, the copy is what decoding the whole file
        /// at once gives (`Encoding::decode`, which sniffs a byte-order
        /// mark), errors included: a piece may end inside a two- or
        /// four-byte character, or inside bytes that are not text; the
        /// pieces of GB18030 text, decoded apart, end at line breaks.
        #[test]
        fn pieces_decode_as_the_whole(
            text in "[a-z0-9,\"\n 一-龥，。🙂€]{0,60}",
            junk in proptest::collection::vec((0usize..80, any::<u8>()), 0..3),
            piece in 1usize..9,
            bom in any::<bool>(),
        ) {
            let (encoded, _, _) = GB18030.encode(&text);
            let mut bytes = encoded.into_owned();
            for (at, b) in junk {
                bytes.insert(at.min(bytes.len()), b);
            }
            if bom {
                bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            let (want, _, want_errors) = GB18030.decode(&bytes);
            let (got, errors) = run(&bytes, GB18030, piece);
            prop_assert_eq!(got, want.into_owned());
            prop_assert_eq!(errors, want_errors);
        }

        /// The same for UTF-16LE, decoded in order: a piece may end
        /// inside a code unit or a surrogate pair.
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
        // 政 is D5 FE in GB18030, 🙂 the four bytes 95 30 85 32: in
        // pieces of one byte each is split, and comes out whole.
        let bytes = [b'a', 0xD5, 0xFE, 0x95, 0x30, 0x85, 0x32, b'\n'];
        assert_eq!(run(&bytes, GB18030, 1), ("a政🙂\n".into(), false));
        // A lone lead byte at the end is not text: U+FFFD, and flagged.
        let (text, errors) = run(&bytes[..2], GB18030, 1);
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
    fn the_byte_order_mark_is_sniffed_or_removed() {
        // GB18030 declared, a UTF-8 byte-order mark: the rest is UTF-8
        // (BOM sniffing, as Encoding::decode).
        let utf8 = "\u{FEFF}政务".as_bytes();
        assert_eq!(run(utf8, GB18030, 2).0, "政务");
        // UTF-16 with its byte-order mark removed.
        let utf16: Vec<u8> = [0xFF, 0xFE, 0x3F, 0x65, 0xA1, 0x52].to_vec();
        assert_eq!(run(&utf16, UTF_16LE, 3).0, "政务");
    }
}
