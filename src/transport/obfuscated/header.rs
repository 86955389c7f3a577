//! The 64-byte header: drawing it, the forbidden starts, the protocol tag,
//! the dc id, and the keys and ivs both directions derive from it.

use aes::cipher::KeyIvInit;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::{ForbiddenStart, ObfuscationError};
use crate::random::RandomSource;
use crate::transport::Kind;

/// AES-256-CTR with a 128-bit big-endian counter: one direction's stream.
pub(crate) type Cipher = ctr::Ctr128BE<aes::Aes256>;

/// First words a client never sends (little-endian `u32` of bytes 0..4,
/// spelled as bytes): HTTP methods, a TLS handshake record, and the plain
/// intermediate and padded intermediate prefixes.
const FORBIDDEN_WORDS: [[u8; 4]; 7] = [
    *b"HEAD",
    *b"POST",
    *b"GET ",
    *b"OPTI",
    [0x16, 0x03, 0x01, 0x02],
    [0xdd, 0xdd, 0xdd, 0xdd],
    [0xee, 0xee, 0xee, 0xee],
];

/// Why `init` may not start a connection, if it may not.
pub(crate) fn forbidden(init: &[u8]) -> Option<ForbiddenStart> {
    if init[0] == 0xef {
        return Some(ForbiddenStart::AbridgedByte);
    }
    let word: [u8; 4] = [init[0], init[1], init[2], init[3]];
    if FORBIDDEN_WORDS.contains(&word) {
        return Some(ForbiddenStart::Word(word));
    }
    if init[4..8] == [0; 4] {
        return Some(ForbiddenStart::ZeroSecondWord);
    }
    None
}

/// The protocol tag at bytes 56..60, or why there is none.
pub(crate) fn tag(kind: Kind) -> Result<[u8; 4], ObfuscationError> {
    match kind {
        Kind::Abridged => Ok([0xef; 4]),
        Kind::Intermediate => Ok([0xee; 4]),
        Kind::PaddedIntermediate => Ok([0xdd; 4]),
        Kind::Full => Err(ObfuscationError::FullTransport),
    }
}

/// The transport a decrypted tag names.
pub(crate) fn kind_of(tag: [u8; 4]) -> Result<Kind, ObfuscationError> {
    match tag {
        [0xef, 0xef, 0xef, 0xef] => Ok(Kind::Abridged),
        [0xee, 0xee, 0xee, 0xee] => Ok(Kind::Intermediate),
        [0xdd, 0xdd, 0xdd, 0xdd] => Ok(Kind::PaddedIntermediate),
        tag => Err(ObfuscationError::UnknownTag { tag }),
    }
}

/// The two streams of a connection seen from the client: `(client to
/// server, server to client)`. The first uses bytes 8..56 of the init, the
/// second the same bytes reversed; with an MTProxy secret each key is
/// `SHA256(key || secret)`.
pub(crate) fn ciphers(init: &[u8; 64], secret: Option<&[u8; 16]>) -> (Cipher, Cipher) {
    let mut reversed = [0u8; 48];
    reversed.copy_from_slice(&init[8..56]);
    reversed.reverse();
    let up = cipher(&init[8..40], &init[40..56], secret);
    let down = cipher(&reversed[..32], &reversed[32..], secret);
    reversed.zeroize();
    (up, down)
}

fn cipher(key: &[u8], iv: &[u8], secret: Option<&[u8; 16]>) -> Cipher {
    let mut key: [u8; 32] = match secret {
        None => key.try_into().expect("32-byte slice"),
        Some(secret) => Sha256::new()
            .chain_update(key)
            .chain_update(secret)
            .finalize()
            .into(),
    };
    let iv: [u8; 16] = iv.try_into().expect("16-byte slice");
    let cipher = Cipher::new(&key.into(), &iv.into());
    key.zeroize();
    cipher
}

/// Draws 64 bytes at a time until the start is allowed, then writes the tag
/// and the dc id.
pub(crate) fn draw(rng: &mut impl RandomSource, tag: [u8; 4], dc_id: Option<i16>) -> [u8; 64] {
    let mut init = [0u8; 64];
    loop {
        rng.fill_bytes(&mut init);
        if forbidden(&init).is_none() {
            break;
        }
    }
    init[56..60].copy_from_slice(&tag);
    if let Some(dc) = dc_id {
        init[60..62].copy_from_slice(&dc.to_le_bytes());
    }
    init
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_forbidden_start_is_named() {
        let mut init = [0x11u8; 64];
        assert_eq!(forbidden(&init), None);
        init[0] = 0xef;
        assert_eq!(forbidden(&init), Some(ForbiddenStart::AbridgedByte));
        for word in FORBIDDEN_WORDS {
            init[..4].copy_from_slice(&word);
            assert_eq!(forbidden(&init), Some(ForbiddenStart::Word(word)));
        }
        init[..4].copy_from_slice(b"HEAE");
        assert_eq!(forbidden(&init), None, "only the exact words");
        init[4..8].fill(0);
        assert_eq!(forbidden(&init), Some(ForbiddenStart::ZeroSecondWord));
    }

    #[test]
    fn draw_redraws_until_allowed_and_keeps_bytes_62_64() {
        // Three forbidden draws, then an allowed one.
        let draws: [[u8; 64]; 4] = [[0xef; 64], [0xee; 64], [0x01; 64], [0x22; 64]];
        let mut draws_made = 0;
        let mut rng = |buf: &mut [u8]| {
            buf.copy_from_slice(&draws[draws_made]);
            draws_made += 1;
        };
        let mut first = draws[2];
        first[4..8].fill(0);
        let mut rng2 = {
            let mut n = 0;
            move |buf: &mut [u8]| {
                buf.copy_from_slice(if n == 0 { &first } else { &[0x33; 64] });
                n += 1;
            }
        };
        let init = draw(&mut rng, [0xee; 4], Some(-2));
        assert_eq!(draws_made, 3, "0xef and eeeeeeee starts are redrawn");
        assert_eq!(&init[..56], &[0x01; 56]);
        assert_eq!(&init[56..60], &[0xee; 4]);
        assert_eq!(&init[60..62], &(-2i16).to_le_bytes());
        assert_eq!(&init[62..], &[0x01; 2]);
        let init = draw(&mut rng2, [0xdd; 4], None);
        assert_eq!(&init[..56], &[0x33; 56], "a zero second word is redrawn");
        assert_eq!(&init[60..], &[0x33; 4], "no dc id: drawn bytes stay");
    }

    #[test]
    fn tags_round_trip_and_full_is_refused() {
        for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
            assert_eq!(kind_of(tag(kind).unwrap()), Ok(kind));
        }
        assert_eq!(tag(Kind::Full), Err(ObfuscationError::FullTransport));
        assert_eq!(
            kind_of([0; 4]),
            Err(ObfuscationError::UnknownTag { tag: [0; 4] })
        );
    }
}
