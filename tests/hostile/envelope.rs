//! Envelopes: unencrypted messages and the encrypted layouts.

use mtproto::envelope::{EncryptedEnvelope, EncryptedPlaintext, EnvelopeError, PlainMessage};

use mtproto_test_support::hex::{cat, le32};

use crate::*;

#[test]
fn envelopes() {
    assert_eq!(
        PlainMessage::decode(&[0; 10]),
        Err(EnvelopeError::Truncated {
            what: "unencrypted message",
            len: 10,
            needed: 20
        })
    );
    let mut plain = cat(&[&[0; 8], &[7; 8], &le32(4), &le32(PONG)]);
    plain[0] = 1;
    assert_eq!(
        PlainMessage::decode(&plain),
        Err(EnvelopeError::NonZeroAuthKeyId { found: 1 })
    );
    plain[0] = 0;
    plain[16] = 8;
    assert_eq!(
        PlainMessage::decode(&plain),
        Err(EnvelopeError::BadLength {
            what: "unencrypted message",
            offset: 16,
            declared: 8,
            available: 4
        })
    );
    plain[16] = 2;
    assert_eq!(
        PlainMessage::decode(&plain),
        Err(EnvelopeError::UnalignedLength {
            what: "unencrypted message",
            offset: 16,
            declared: 2
        })
    );
    plain[16] = 0;
    assert_eq!(
        PlainMessage::decode(&plain),
        Err(EnvelopeError::TrailingBytes {
            what: "unencrypted message",
            offset: 20,
            count: 4
        })
    );
    // A negative length.
    plain[16..20].copy_from_slice(&(-4i32).to_le_bytes());
    assert_eq!(
        PlainMessage::decode(&plain),
        Err(EnvelopeError::BadLength {
            what: "unencrypted message",
            offset: 16,
            declared: -4,
            available: 4
        })
    );
    let encrypted = [0u8; 24 + 48];
    assert_eq!(
        EncryptedEnvelope::decode(&encrypted),
        Err(EnvelopeError::ZeroAuthKeyId)
    );
    let mut encrypted = [1u8; 24 + 50];
    assert_eq!(
        EncryptedEnvelope::decode(&encrypted),
        Err(EnvelopeError::NotBlockAligned {
            what: "encrypted message",
            len: 50
        })
    );
    encrypted[0] = 0;
    assert_eq!(
        EncryptedEnvelope::decode(&encrypted[..40]),
        Err(EnvelopeError::Truncated {
            what: "encrypted message",
            len: 40,
            needed: 72
        })
    );
    // A plaintext of 48 bytes whose body leaves only 8 bytes of padding.
    let mut inner = [0u8; 48];
    inner[28..32].copy_from_slice(&le32(8));
    assert_eq!(
        EncryptedPlaintext::decode(&inner),
        Err(EnvelopeError::BadPadding { offset: 40, len: 8 })
    );
    assert_eq!(
        EncryptedPlaintext::decode(&inner[..40]),
        Err(EnvelopeError::Truncated {
            what: "encrypted plaintext",
            len: 40,
            needed: 44
        })
    );
    assert_eq!(
        EncryptedPlaintext::decode(&inner[..44]),
        Err(EnvelopeError::NotBlockAligned {
            what: "encrypted plaintext",
            len: 44
        })
    );
}
