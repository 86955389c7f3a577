//! Envelopes: exact layouts, round trips, and every check with its offset.

use mtproto::envelope::{
    EncryptedEnvelope, EncryptedPlaintext, Envelope, EnvelopeError, PlainMessage,
};
use mtproto::random::SplitMix64;
use mtproto::transport::{padded, Decode, Decoded, Encode, Frame};
use proptest::prelude::*;

/// `req_pq_multi#be7e8ef1 nonce:int128` as a client sends it first.
fn req_pq_multi() -> Vec<u8> {
    let mut body = 0xbe7e_8ef1u32.to_le_bytes().to_vec();
    body.extend_from_slice(&[0x11; 16]);
    body
}

#[test]
fn plain_message_bytes_by_hand() {
    let body = req_pq_multi();
    let msg_id = 0x51e5_7ac4_2b4c_0004i64;
    let mut expected = vec![0u8; 8];
    expected.extend_from_slice(&msg_id.to_le_bytes());
    expected.extend_from_slice(&20i32.to_le_bytes());
    expected.extend_from_slice(&body);

    let mut out = Vec::new();
    let msg = PlainMessage {
        msg_id,
        body: &body,
    };
    msg.encode(&mut out).unwrap();
    assert_eq!(out, expected);
    assert_eq!(msg.encoded_len(), out.len());
    let decoded = PlainMessage::decode(&out).unwrap();
    assert_eq!(decoded, msg);
    // Zero-copy: the body points into the packet.
    assert!(std::ptr::eq(decoded.body.as_ptr(), out[20..].as_ptr()));
}

#[test]
fn plain_message_checks() {
    let body = req_pq_multi();
    let mut good = Vec::new();
    PlainMessage {
        msg_id: 4,
        body: &body,
    }
    .encode(&mut good)
    .unwrap();

    for len in 0..20 {
        assert_eq!(
            PlainMessage::decode(&good[..len]),
            Err(EnvelopeError::Truncated {
                what: "unencrypted message",
                len,
                needed: 20
            })
        );
    }
    let mut bad = good.clone();
    bad[3] = 1;
    assert_eq!(
        PlainMessage::decode(&bad),
        Err(EnvelopeError::NonZeroAuthKeyId { found: 0x0100_0000 })
    );
    // Length one word too long, negative, and unaligned.
    for (declared, err) in [
        (24, "fit"),
        (-4, "fit"),
        (i32::MAX, "fit"),
        (18, "multiple of 4"),
    ] {
        let mut bad = good.clone();
        bad[16..20].copy_from_slice(&declared.to_le_bytes());
        let e = PlainMessage::decode(&bad).unwrap_err();
        assert!(e.to_string().contains(err), "{declared}: {e}");
        assert!(e.to_string().contains("offset 16"), "{e}");
    }
    // Trailing bytes: an error for `decode`, returned by `decode_prefix`.
    let mut long = good.clone();
    long.extend_from_slice(&[0xee; 3]);
    assert_eq!(
        PlainMessage::decode(&long),
        Err(EnvelopeError::TrailingBytes {
            what: "unencrypted message",
            offset: 40,
            count: 3
        })
    );
    let (msg, rest) = PlainMessage::decode_prefix(&long).unwrap();
    assert_eq!(msg.body, &body[..]);
    assert_eq!(rest, &[0xee; 3]);
    // Encoding refuses what TL never produces.
    assert!(matches!(
        PlainMessage {
            msg_id: 4,
            body: &[1, 2, 3]
        }
        .encode(&mut Vec::new()),
        Err(EnvelopeError::BadBody { len: 3, .. })
    ));
}

#[test]
fn plain_message_through_the_padded_transport() {
    let body = req_pq_multi();
    let mut packet = Vec::new();
    PlainMessage {
        msg_id: 8,
        body: &body,
    }
    .encode(&mut packet)
    .unwrap();
    let mut wire = Vec::new();
    let mut enc = padded::Encoder::client(SplitMix64::new(77));
    for _ in 0..20 {
        enc.encode_packet(&packet, false, &mut wire).unwrap();
    }
    let mut dec = padded::Decoder::server();
    let mut at = 0;
    while at < wire.len() {
        let Decoded::Frame {
            frame: Frame::Packet { payload, .. },
            consumed,
        } = dec.decode(&wire[at..]).unwrap()
        else {
            panic!("expected a packet")
        };
        let (msg, padding) = PlainMessage::decode_prefix(payload).unwrap();
        assert_eq!(msg.body, &body[..]);
        assert!(padding.len() < 16);
        at += consumed;
    }
}

fn sample_plaintext(body: &[u8]) -> EncryptedPlaintext<'_> {
    EncryptedPlaintext {
        salt: -0x1122_3344_5566_7788,
        session_id: 0x0bad_cafe_dead_beef,
        msg_id: 0x6000_0000_0000_0004,
        seq_no: 7,
        body,
    }
}

#[test]
fn encrypted_plaintext_bytes_by_hand() {
    let body = [0xabu8; 8];
    let msg = sample_plaintext(&body);
    let padding = [0x5au8; 24]; // 32 + 8 + 24 = 64
    let mut out = Vec::new();
    msg.encode_with_padding(&padding, &mut out).unwrap();
    let mut expected = Vec::new();
    expected.extend_from_slice(&msg.salt.to_le_bytes());
    expected.extend_from_slice(&msg.session_id.to_le_bytes());
    expected.extend_from_slice(&msg.msg_id.to_le_bytes());
    expected.extend_from_slice(&7i32.to_le_bytes());
    expected.extend_from_slice(&8i32.to_le_bytes());
    expected.extend_from_slice(&body);
    expected.extend_from_slice(&padding);
    assert_eq!(out, expected);
    assert_eq!(EncryptedPlaintext::decode(&out).unwrap(), msg);
}

#[test]
fn encrypted_plaintext_padding_edges() {
    // Body 4 bytes: 36 + padding must be a multiple of 16, within 12..=1024.
    let body = [1u8; 4];
    let msg = sample_plaintext(&body);
    let min = EncryptedPlaintext::min_padding(4);
    assert_eq!(min, 12);
    let cases = [
        (12, true),
        (28, true),
        (1020, true), // 36 + 1020 = 1056 = 66 * 16, the largest
        (1036, false),
        (11, false),
        (13, false), // not a multiple of 16
    ];
    for (len, ok) in cases {
        let mut out = Vec::new();
        let result = msg.encode_with_padding(&vec![0; len], &mut out);
        assert_eq!(result.is_ok(), ok, "padding {len}: {result:?}");
        if !ok {
            assert!(out.is_empty());
        }
    }

    // Decoding: vary message_data_length so the padding takes every size
    // around the edges; a 1072-byte plaintext with body 4..=1040.
    let mut out = Vec::new();
    let big_body = vec![0u8; 1040 - 32];
    sample_plaintext(&big_body)
        .encode_with_padding(&[0; 32], &mut out)
        .unwrap();
    assert_eq!(out.len(), 1072);
    for declared in (0..=1040i32).step_by(4) {
        let mut p = out.clone();
        p[28..32].copy_from_slice(&declared.to_le_bytes());
        let padding = 1072 - 32 - declared as usize;
        let result = EncryptedPlaintext::decode(&p);
        if (12..=1024).contains(&padding) {
            assert_eq!(result.unwrap().body.len(), declared as usize);
        } else {
            assert_eq!(
                result,
                Err(EnvelopeError::BadPadding {
                    offset: 32 + declared as usize,
                    len: padding
                }),
                "declared {declared}"
            );
        }
    }
}

#[test]
fn encrypted_plaintext_checks() {
    let body = [2u8; 16];
    let mut good = Vec::new();
    sample_plaintext(&body)
        .encode(&mut SplitMix64::new(1), &mut good)
        .unwrap();
    assert_eq!(good.len(), 64);

    assert!(matches!(
        EncryptedPlaintext::decode(&good[..40]),
        Err(EnvelopeError::Truncated { needed: 44, .. })
    ));
    assert_eq!(
        EncryptedPlaintext::decode(&good[..60]),
        Err(EnvelopeError::NotBlockAligned {
            what: "encrypted plaintext",
            len: 60
        })
    );
    for declared in [-16, 48, 1 << 30] {
        let mut bad = good.clone();
        bad[28..32].copy_from_slice(&i32::to_le_bytes(declared));
        assert!(
            matches!(
                EncryptedPlaintext::decode(&bad),
                Err(EnvelopeError::BadLength { offset: 28, .. })
            ),
            "{declared}"
        );
    }
    let mut bad = good.clone();
    bad[28..32].copy_from_slice(&6i32.to_le_bytes());
    assert!(matches!(
        EncryptedPlaintext::decode(&bad),
        Err(EnvelopeError::UnalignedLength {
            declared: 6,
            offset: 28,
            ..
        })
    ));
}

#[test]
fn encrypted_envelope_and_dispatch() {
    let data = [0x42u8; 48];
    let env = EncryptedEnvelope {
        auth_key_id: 0x1234_5678_9abc_def0,
        msg_key: [7; 16],
        encrypted_data: &data,
    };
    let mut packet = Vec::new();
    env.encode(&mut packet).unwrap();
    assert_eq!(&packet[..8], &0x1234_5678_9abc_def0i64.to_le_bytes());
    assert_eq!(&packet[8..24], &[7; 16]);
    assert_eq!(EncryptedEnvelope::decode(&packet).unwrap(), env);
    assert_eq!(Envelope::decode(&packet).unwrap(), Envelope::Encrypted(env));

    let mut plain = Vec::new();
    PlainMessage {
        msg_id: 4,
        body: &[0; 4],
    }
    .encode(&mut plain)
    .unwrap();
    assert!(matches!(
        Envelope::decode(&plain).unwrap(),
        Envelope::Plain(_)
    ));

    // Transport padding is cut back to whole blocks by decode_padded only.
    let mut padded = packet.clone();
    padded.extend_from_slice(&[9; 5]);
    assert!(matches!(
        EncryptedEnvelope::decode(&padded),
        Err(EnvelopeError::NotBlockAligned { len: 53, .. })
    ));
    assert_eq!(EncryptedEnvelope::decode_padded(&padded).unwrap(), env);

    assert!(matches!(
        EncryptedEnvelope::decode(&packet[..71]),
        Err(EnvelopeError::Truncated { needed: 72, .. })
    ));
    let mut zero = packet.clone();
    zero[..8].fill(0);
    assert_eq!(
        EncryptedEnvelope::decode(&zero),
        Err(EnvelopeError::ZeroAuthKeyId)
    );
    assert!(EncryptedEnvelope {
        auth_key_id: 0,
        ..env
    }
    .encode(&mut Vec::new())
    .is_err());
    assert!(EncryptedEnvelope {
        encrypted_data: &data[..47],
        ..env
    }
    .encode(&mut Vec::new())
    .is_err());
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn encrypted_plaintext_round_trip(
        words in 0usize..300,
        extra_blocks in 0usize..60,
        salt in any::<i64>(),
        session_id in any::<i64>(),
        msg_id in any::<i64>(),
        seq_no in any::<i32>(),
        seed in any::<u64>(),
    ) {
        let body: Vec<u8> = (0..words * 4).map(|i| i as u8).collect();
        let msg = EncryptedPlaintext { salt, session_id, msg_id, seq_no, body: &body };
        let padding_len = EncryptedPlaintext::min_padding(body.len()) + 16 * extra_blocks;
        let padding = vec![0x77; padding_len];
        let mut out = Vec::new();
        let result = msg.encode_with_padding(&padding, &mut out);
        prop_assert_eq!(result.is_ok(), padding_len <= 1024);
        if result.is_ok() {
            prop_assert_eq!(out.len() % 16, 0);
            prop_assert_eq!(EncryptedPlaintext::decode(&out).unwrap(), msg);
        }
        let mut out = Vec::new();
        msg.encode(&mut SplitMix64::new(seed), &mut out).unwrap();
        prop_assert_eq!(EncryptedPlaintext::decode(&out).unwrap(), msg);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = PlainMessage::decode(&bytes);
        let _ = PlainMessage::decode_prefix(&bytes);
        let _ = EncryptedEnvelope::decode(&bytes);
        let _ = EncryptedEnvelope::decode_padded(&bytes);
        let _ = EncryptedPlaintext::decode(&bytes);
        let _ = Envelope::decode(&bytes);
    }
}
