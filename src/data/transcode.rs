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
