//! A GB18030 or UTF-16 CSV file's text as UTF-8, decoded in pieces into
//! an unnamed temporary file (in `TMPDIR`, else `/tmp`; the system
//! deletes it when it is closed, so nothing is left behind, even after a
//! crash) and mapped. The decoded text is then read window by window and
//! its pages let go like a UTF-8 file's (`super::pages`), instead of a
//! copy of the whole file staying in memory to the end of the run: at
//! 10M tickets that copy was 1.1 GB of a 1.9 GB peak.

use std::io::Write;
use std::sync::Arc;

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

/// The file decoded by `decoder`; the mapped file's pages are let go as
/// it is read.
pub(super) fn transcode(
    file: &memmap2::Mmap,
    decoder: encoding_rs::Decoder,
) -> std::io::Result<Decoded> {
    transcode_in(file, decoder, PIECE, |r| super::pages::release(file, r))
}

fn transcode_in(
    file: &[u8],
    mut decoder: encoding_rs::Decoder,
    piece: usize,
    mut read: impl FnMut(std::ops::Range<usize>),
) -> std::io::Result<Decoded> {
    let mut out = std::io::BufWriter::with_capacity(4 << 20, tempfile::tempfile()?);
    // Room for a piece's text: three UTF-8 bytes at most for each input
    // byte (a byte that is not text becomes U+FFFD), and a character
    // held over from the piece before. A piece that still does not fit
    // is taken in parts (`OutputFull`).
    let mut buf = vec![0u8; piece * 3 + 16];
    let mut had_errors = false;
    let mut at = 0;
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

/// The first bytes of `file` that `decoder` (made as for [`transcode`])
/// cannot read, if any: the file is decoded again, without replacement,
/// counting lines (only when [`transcode`] reported an error).
pub(super) fn first_malformed(file: &[u8], decoder: encoding_rs::Decoder) -> Option<Malformed> {
    first_malformed_in(file, decoder, PIECE)
}

fn first_malformed_in(
    file: &[u8],
    mut decoder: encoding_rs::Decoder,
    piece: usize,
) -> Option<Malformed> {
    use encoding_rs::DecoderResult;
    // Characters, not bytes: UTF-8 continuation bytes are not counted.
    let chars = |t: &[u8]| t.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64;
    let mut buf = vec![0u8; piece * 3 + 16];
    let (mut line, mut column) = (1u64, 1u64);
    let mut at = 0;
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

    /// The decoded copy, as text, and its error flag.
    fn run(file: &[u8], decoder: encoding_rs::Decoder, piece: usize) -> (String, bool) {
        let d = transcode_in(file, decoder, piece, |_| ()).unwrap();
        (String::from_utf8(d.map.to_vec()).unwrap(), d.had_errors)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the pieces, the copy is what decoding the whole file
        /// at once gives (`Encoding::decode`), errors included: a piece
        /// may end inside a two- or four-byte character, or inside bytes
        /// that are not text.
        #[test]
        fn pieces_decode_as_the_whole(
            text in "[a-z0-9,\"\n 一-龥，。🙂€]{0,60}",
            junk in proptest::collection::vec((0usize..80, any::<u8>()), 0..3),
            piece in 1usize..9,
        ) {
            let (encoded, _, _) = GB18030.encode(&text);
            let mut bytes = encoded.into_owned();
            for (at, b) in junk {
                bytes.insert(at.min(bytes.len()), b);
            }
            let (want, want_errors) = GB18030.decode_without_bom_handling(&bytes);
            let (got, errors) = run(&bytes, GB18030.new_decoder_without_bom_handling(), piece);
            prop_assert_eq!(got, want.into_owned());
            prop_assert_eq!(errors, want_errors);
        }
    }

    #[test]
    fn a_character_split_between_pieces_is_whole() {
        // 政 is D5 FE in GB18030, 🙂 the four bytes 95 30 85 32: in
        // pieces of one byte each is split, and comes out whole.
        let bytes = [b'a', 0xD5, 0xFE, 0x95, 0x30, 0x85, 0x32, b'\n'];
        assert_eq!(
            run(&bytes, GB18030.new_decoder(), 1),
            ("a政🙂\n".into(), false)
        );
        // A lone lead byte at the end is not text: U+FFFD, and flagged.
        let (text, errors) = run(&bytes[..2], GB18030.new_decoder(), 1);
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
            let got = first_malformed_in(&bytes, GB18030.new_decoder(), piece);
            assert_eq!(got.as_ref(), Some(&want), "pieces of {piece}");
        }
        assert_eq!(want.to_string(), "line 2, character 4: the bytes 81");
        // Text throughout: nothing found.
        let (ok, _, _) = GB18030.encode("k,u\n政,A\n");
        assert_eq!(first_malformed_in(&ok, GB18030.new_decoder(), 1), None);
        // A lone lead byte at the end of the file, after a line break.
        let got = first_malformed_in(b"k\n\xD5", GB18030.new_decoder(), 1).unwrap();
        assert_eq!((got.line, got.column, got.bytes), (2, 1, vec![0xD5]));
    }

    #[test]
    fn the_byte_order_mark_is_sniffed_or_removed() {
        // GB18030 declared, a UTF-8 byte-order mark: the rest is UTF-8
        // (BOM sniffing, as Encoding::decode).
        let utf8 = "\u{FEFF}政务".as_bytes();
        assert_eq!(run(utf8, GB18030.new_decoder(), 2).0, "政务");
        // UTF-16 with its byte-order mark removed.
        let utf16: Vec<u8> = [0xFF, 0xFE, 0x3F, 0x65, 0xA1, 0x52].to_vec();
        assert_eq!(
            run(&utf16, UTF_16LE.new_decoder_with_bom_removal(), 3).0,
            "政务"
        );
    }
}
