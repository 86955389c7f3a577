//! `Reader::read_str` accepts exactly the UTF-8 that `std::str::from_utf8`
//! accepts (it validates with simdutf8, which has its own SIMD paths for
//! inputs of 64 bytes and more), and reports anything else as `InvalidUtf8`
//! at the string's first byte.

use mtproto_types::{ErrorKind, Reader};
use proptest::prelude::*;

/// `data` as a TL `string`: length prefix, bytes, zero padding to 4.
fn tl_string(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if data.len() < 254 {
        out.push(data.len() as u8);
    } else {
        out.push(254);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes()[..3]);
    }
    out.extend_from_slice(data);
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out
}

fn agrees_with_std(data: &[u8]) {
    // Something before the string, so the error offset is not trivially 0.
    let mut input = vec![0u8; 4];
    input.extend(tl_string(data));
    let mut reader = Reader::new(&input);
    reader.read_u32().unwrap();
    match (reader.read_str(), std::str::from_utf8(data)) {
        (Ok(ours), Ok(std)) => assert_eq!(ours, std),
        (Err(e), Err(_)) => {
            assert_eq!(e.kind, ErrorKind::InvalidUtf8);
            assert_eq!(e.offset, 4);
        }
        (ours, std) => panic!("{data:02x?}: ours {ours:?}, std {std:?}"),
    }
}

/// Sequences at the edges of UTF-8's rules, alone and inside long text (so
/// that they land in the SIMD blocks too, at every offset of a block).
const TRICKY: &[&[u8]] = &[
    b"\xc0\x80",             // overlong NUL
    b"\xe0\x80\xaf",         // overlong '/'
    b"\xed\xa0\x80",         // a surrogate
    b"\xf4\x90\x80\x80",     // above U+10FFFF
    b"\xf0\x9f\x91",         // a 4-byte sequence cut short
    b"\x80",                 // a lone continuation byte
    b"\xff",                 // never valid
    "\u{10ffff}".as_bytes(), // the largest scalar value: valid
    "👍".as_bytes(),         // valid
];

#[test]
fn tricky_sequences_at_every_position_of_long_text() {
    let text = "Привет, мир! Hello 你好 ".repeat(8);
    for bad in TRICKY {
        agrees_with_std(bad);
        for at in (0..text.len())
            .filter(|&k| text.is_char_boundary(k))
            .take(80)
        {
            let mut data = text.as_bytes()[..at].to_vec();
            data.extend_from_slice(bad);
            data.extend_from_slice(&text.as_bytes()[at..]);
            agrees_with_std(&data);
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..600)) {
        agrees_with_std(&data);
    }

    #[test]
    fn valid_text_with_one_byte_changed(
        text in "\\PC{0,200}",
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut data = text.into_bytes();
        if !data.is_empty() {
            let k = at.index(data.len());
            data[k] = byte;
        }
        agrees_with_std(&data);
    }
}
