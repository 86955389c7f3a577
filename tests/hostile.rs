//! Hostile input, decoder by decoder: each crafted input must fail with
//! exactly the error the decoder documents (variant, offset, values), never
//! a panic, never a different error. One table per decoder; every row names
//! what it attacks.

use mtproto::container::{self, ContainerError, ContainerLimits};
use mtproto::envelope::{EncryptedEnvelope, EncryptedPlaintext, EnvelopeError, PlainMessage};
use mtproto::gzip::{self, GzipError};
use mtproto::msg_id::UnixTime;
use mtproto::service::{enums, types};
use mtproto::session::{unpack_body, Session, SessionConfig, SessionError};
use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Frame, Kind, TransportError,
};
use mtproto_types::{Deserialize, Error, ErrorKind, RawObject, Reader, Serialize};
use tl_codegen::dynamic::{Options, Registry};

fn le32(v: u32) -> [u8; 4] {
    v.to_le_bytes()
}

/// Concatenates byte pieces.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn err(kind: ErrorKind, offset: usize) -> Error {
    Error::new(kind, offset)
}

// ---------------------------------------------------------------------------
// Reader primitives

#[test]
fn reader_primitives() {
    // u32 from 3 bytes.
    assert_eq!(
        Reader::new(&[1, 2, 3]).read_u32(),
        Err(err(
            ErrorKind::UnexpectedEof {
                needed: 4,
                available: 3
            },
            0
        ))
    );
    // A long after an int, with 6 bytes left.
    let mut r = Reader::new(&[0; 10]);
    r.read_i32().unwrap();
    assert_eq!(
        r.read_i64(),
        Err(err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 6
            },
            4
        ))
    );
    // Length prefix byte 255 is not TL.
    assert_eq!(
        Reader::new(&[255, 0, 0, 0]).read_tl_bytes(),
        Err(err(ErrorKind::NonCanonical("length prefix byte 255"), 0))
    );
    // The long form for a 3-byte string.
    let mut long_short = vec![254, 3, 0, 0, b'a', b'b', b'c', 0];
    assert_eq!(
        Reader::new(&long_short).read_tl_bytes(),
        Err(err(
            ErrorKind::NonCanonical("long length prefix for a short string"),
            0
        ))
    );
    // Non-zero padding: one byte of data, two of padding, the last one set.
    long_short.clear();
    assert_eq!(
        Reader::new(&[1, b'a', 0, 1]).read_tl_bytes(),
        Err(err(
            ErrorKind::NonCanonical("non-zero padding after string"),
            2
        ))
    );
    // Data running past the end.
    assert_eq!(
        Reader::new(&[5, b'a', b'b']).read_tl_bytes(),
        Err(err(
            ErrorKind::UnexpectedEof {
                needed: 5,
                available: 2
            },
            1
        ))
    );
    // A string that is not UTF-8 is reported where the string starts.
    let mut r = Reader::new(&[0, 0, 0, 0, 2, 0xff, 0xfe, 0]);
    r.read_u32().unwrap();
    assert_eq!(r.read_str(), Err(err(ErrorKind::InvalidUtf8, 4)));
    // A vector of 2^31 longs in 8 bytes, checked before any allocation.
    let mut bytes = le32(0x8000_0000).to_vec();
    bytes.extend_from_slice(&[0; 8]);
    assert_eq!(
        Reader::new(&bytes).read_vector_len(8),
        Err(err(
            ErrorKind::VectorTooLong {
                count: 0x8000_0000,
                available: 8
            },
            0
        ))
    );
    // A boxed vector with another id.
    assert_eq!(
        Reader::new(&le32(0xdeadbeef)).expect_vector_id(),
        Err(err(
            ErrorKind::UnknownConstructor {
                id: 0xdeadbeef,
                expected: "Vector"
            },
            0
        ))
    );
    // message.bytes below 4, negative, and past the end.
    for (len, available) in [(3, 8), (-4, 8), (12, 8)] {
        assert_eq!(
            Reader::new(&[0; 8]).read_sized_object(len, "bytes").err(),
            Some(err(
                ErrorKind::InvalidLength {
                    field: "bytes",
                    claimed: i64::from(len),
                    available
                },
                0
            ))
        );
    }
    // Nesting past a reader's limit.
    let mut r = Reader::new(&[0; 4]).with_max_depth(2);
    r.enter().unwrap();
    r.enter().unwrap();
    assert_eq!(r.enter(), Err(err(ErrorKind::TooDeep { limit: 2 }, 0)));
    // Bytes left after a value.
    let mut r = Reader::new(&[0; 6]);
    r.read_u32().unwrap();
    assert_eq!(
        r.finish(),
        Err(err(ErrorKind::TrailingBytes { count: 2 }, 4))
    );
}

// ---------------------------------------------------------------------------
// Generated types: the service layer

const PONG: u32 = 0x347773c5;
const MSGS_ACK: u32 = 0x62d6b459;
const RPC_ERROR: u32 = 0x2144ca19;
const VECTOR: u32 = 0x1cb5c415;
const MSG_CONTAINER: u32 = 0x73f1f8dc;
const FUTURE_SALTS: u32 = 0xae500895;

#[test]
fn service_layer_types() {
    // An id no service type has.
    assert!(mtproto::service::decode_by_id(&le32(0x01020304)).is_none());
    // A boxed enum given another type's constructor.
    assert_eq!(
        enums::BadMsgNotification::from_bytes(&le32(PONG)).err(),
        Some(err(
            ErrorKind::UnknownConstructor {
                id: PONG,
                expected: "BadMsgNotification"
            },
            0
        ))
    );
    // A pong cut after msg_id.
    let bytes = cat(&[&le32(PONG), &[0; 8], &[0; 4]]);
    assert_eq!(
        types::Pong::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 4
            },
            12
        ))
    );
    // msgs_ack claiming 2^30 ids with 8 bytes behind the count.
    let bytes = cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(1 << 30), &[0; 8]]);
    assert_eq!(
        types::MsgsAck::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::VectorTooLong {
                count: 1 << 30,
                available: 8
            },
            8
        ))
    );
    // msgs_ack with a wrong vector id.
    let bytes = cat(&[&le32(MSGS_ACK), &le32(0x12345678), &le32(0)]);
    assert_eq!(
        types::MsgsAck::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::UnknownConstructor {
                id: 0x12345678,
                expected: "Vector"
            },
            4
        ))
    );
    // A complete msgs_ack followed by 4 more bytes.
    let bytes = cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(0), &[9; 4]]);
    assert_eq!(
        mtproto::service::decode_by_id(&bytes).unwrap().err(),
        Some(err(ErrorKind::TrailingBytes { count: 4 }, 12))
    );
    // rpc_error whose message is not UTF-8.
    let bytes = cat(&[&le32(RPC_ERROR), &le32(400), &[3, 0xc3, 0x28, 0xff]]);
    assert_eq!(
        types::RpcError::from_bytes(&bytes).err(),
        Some(err(ErrorKind::InvalidUtf8, 8))
    );
    // A message in a container whose `bytes` runs past the container.
    let bytes = cat(&[
        &le32(MSG_CONTAINER),
        &le32(1),
        &[0; 8],
        &le32(1),
        &le32(100),
        &le32(PONG),
    ]);
    assert_eq!(
        types::MsgContainer::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::InvalidLength {
                field: "bytes",
                claimed: 100,
                available: 4
            },
            24
        ))
    );
    // future_salts whose bare vector claims more salts (16 bytes each) than
    // the 16 bytes left.
    let bytes = cat(&[&le32(FUTURE_SALTS), &[0; 8], &[0; 4], &le32(2), &[0; 16]]);
    assert_eq!(
        types::FutureSalts::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::VectorTooLong {
                count: 2,
                available: 16
            },
            16
        ))
    );
}

// ---------------------------------------------------------------------------
// Generated types: the API layer

const TEXT_BOLD: u32 = 0x6724abc4;
const TEXT_EMPTY: u32 = 0xdc3d824f;
const TEXT_PLAIN: u32 = 0x744694e0;
const INPUT_PEER_USER: u32 = 0xdde8a54c;

#[test]
fn api_layer_types() {
    use mtproto_types::api;
    // Rich text nested 100 levels: the 65th level is refused at its body.
    let mut bytes = Vec::new();
    for _ in 0..100 {
        bytes.extend_from_slice(&le32(TEXT_BOLD));
    }
    bytes.extend_from_slice(&le32(TEXT_EMPTY));
    assert_eq!(
        api::decode_by_id(&bytes).unwrap().err(),
        Some(err(ErrorKind::TooDeep { limit: 64 }, 65 * 4))
    );
    // 64 levels decode and encode back.
    let ok = &bytes[(100 - 64) * 4..];
    let value = api::decode_by_id(ok).unwrap().unwrap();
    assert_eq!(value.to_bytes(), ok);
    // A string with non-zero padding inside textPlain.
    let bytes = cat(&[&le32(TEXT_PLAIN), &[1, b'x', 0, 7]]);
    assert_eq!(
        api::enums::RichText::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::NonCanonical("non-zero padding after string"),
            6
        ))
    );
    // A RichText given an InputPeer constructor.
    let bytes = cat(&[&le32(INPUT_PEER_USER), &[0; 16]]);
    assert_eq!(
        api::enums::RichText::from_bytes(&bytes).err(),
        Some(err(
            ErrorKind::UnknownConstructor {
                id: INPUT_PEER_USER,
                expected: "RichText"
            },
            0
        ))
    );
    // inputPeerUser cut inside access_hash.
    let bytes = cat(&[&le32(INPUT_PEER_USER), &[0; 12]]);
    assert_eq!(
        api::decode_by_id(&bytes).unwrap().err(),
        Some(err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 4
            },
            12
        ))
    );
}

// ---------------------------------------------------------------------------
// The dynamic codec

fn registry() -> Registry {
    let service = tl_parser::parse(include_str!("../schema/mtproto.tl"))
        .unwrap()
        .schema;
    let api = tl_parser::parse(include_str!("../schema/api.tl"))
        .unwrap()
        .schema;
    Registry::new([&service, &api]).unwrap()
}

/// Decodes with the dynamic codec and returns (offset, message).
fn dyn_err(registry: &Registry, bytes: &[u8]) -> (usize, String) {
    let e = registry
        .decode_boxed(bytes)
        .expect_err("hostile input must be refused");
    (e.offset, e.message)
}

#[test]
fn dynamic_codec() {
    let registry = registry();
    let check = |bytes: &[u8], offset: usize, fragment: &str| {
        let (at, message) = dyn_err(&registry, bytes);
        assert_eq!(at, offset, "{message}");
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    };
    // Unknown id.
    check(&le32(0x01020304), 0, "0x01020304");
    // Truncated pong.
    check(&cat(&[&le32(PONG), &[0; 12]]), 12, "input truncated");
    // Vector count beyond the input.
    check(
        &cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(1 << 30), &[0; 8]]),
        8,
        "claims 1073741824 elements",
    );
    // Trailing bytes.
    check(
        &cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(0), &[0; 4]]),
        12,
        "4 trailing bytes after the value",
    );
    // Rich text nested past the default 64 levels.
    let mut deep = Vec::new();
    for _ in 0..100 {
        deep.extend_from_slice(&le32(TEXT_BOLD));
    }
    deep.extend_from_slice(&le32(TEXT_EMPTY));
    check(&deep, 65 * 4, "nesting deeper than 64");
    // A gzip bomb: 1 MiB of zeros with a 64 KiB cap.
    let small = registry.clone().with_options(Options {
        max_inflated: 64 << 10,
        ..Options::default()
    });
    let bomb = types::GzipPacked {
        packed_data: gz(&vec![0u8; 1 << 20]).into(),
    }
    .to_bytes();
    let e = small.decode_boxed(&bomb).unwrap_err();
    assert_eq!(e.offset, 8, "{e}");
    assert!(e.message.contains("gzip bomb"), "{e}");
    // A string with non-zero padding.
    check(
        &cat(&[&le32(RPC_ERROR), &le32(400), &[1, b'x', 0, 7]]),
        10,
        "non-zero padding",
    );
    // The long length form for a short string.
    check(
        &cat(&[&le32(RPC_ERROR), &le32(400), &[254, 4, 0, 0], b"abcd"]),
        8,
        "long length prefix",
    );
    // Invalid UTF-8.
    check(
        &cat(&[&le32(RPC_ERROR), &le32(400), &[3, 0xc3, 0x28, 0xff]]),
        9,
        "UTF-8",
    );
}

// ---------------------------------------------------------------------------
// Transports

fn decode_err(decoder: &mut dyn Decode, input: &[u8]) -> TransportError {
    decoder.decode(input).expect_err("hostile stream must fail")
}

#[test]
fn transports() {
    // abridged server: the first byte is not 0xef.
    assert_eq!(
        decode_err(&mut abridged::Decoder::server(), &[0xee, 1, 0, 0, 0]),
        TransportError::BadPrefix {
            transport: Kind::Abridged,
            expected: abridged::PREFIX,
            offset: 0,
            found: 0xee
        }
    );
    // abridged: an empty packet.
    assert_eq!(
        decode_err(&mut abridged::Decoder::client(), &[0]),
        TransportError::BadLength {
            transport: Kind::Abridged,
            offset: 0,
            len: 0,
            reason: "empty packet"
        }
    );
    // abridged: a long length over the limit, refused from the header.
    assert_eq!(
        decode_err(
            &mut abridged::Decoder::server().with_max_packet_len(1024),
            &[0xef, 0x7f, 0x01, 0x01, 0x00]
        ),
        TransportError::TooLarge {
            transport: Kind::Abridged,
            offset: 1,
            len: 0x101 * 4,
            max: 1024
        }
    );
    // intermediate: a length that is not a multiple of 4.
    assert_eq!(
        decode_err(&mut intermediate::Decoder::client(), &[6, 0, 0, 0]),
        TransportError::BadLength {
            transport: Kind::Intermediate,
            offset: 0,
            len: 6,
            reason: "not a multiple of 4"
        }
    );
    // intermediate: a server's -404 in the second packet.
    let mut stream = cat(&[&le32(4), &[1, 2, 3, 4], &le32(4)]);
    stream.extend_from_slice(&(-404i32).to_le_bytes());
    let mut dec = intermediate::Decoder::client();
    let Decoded::Frame { consumed, .. } = dec.decode(&stream).unwrap() else {
        panic!("the first packet is complete")
    };
    assert_eq!(
        decode_err(&mut dec, &stream[consumed..]),
        TransportError::Server {
            code: -404,
            offset: 8
        }
    );
    // Errors are final: the same error again, even on good input.
    assert_eq!(
        decode_err(&mut dec, &cat(&[&le32(4), &[0; 4]])),
        TransportError::Server {
            code: -404,
            offset: 8
        }
    );
    // intermediate server: garbage in the third byte of the prefix is
    // refused before the prefix is complete.
    assert_eq!(
        decode_err(&mut intermediate::Decoder::server(), &[0xee, 0xee, 0x00]),
        TransportError::BadPrefix {
            transport: Kind::Intermediate,
            expected: intermediate::PREFIX,
            offset: 2,
            found: 0
        }
    );
    // intermediate: 2^31 - 4 bytes claimed (the quick-ack bit is clear).
    assert_eq!(
        decode_err(&mut intermediate::Decoder::client(), &le32(0x7fff_fffc)),
        TransportError::TooLarge {
            transport: Kind::Intermediate,
            offset: 0,
            len: 0x7fff_fffc,
            max: mtproto::transport::DEFAULT_MAX_PACKET_LEN
        }
    );
    // padded: a length below 4.
    assert_eq!(
        decode_err(&mut padded::Decoder::client(), &[3, 0, 0, 0, 1, 2, 3]),
        TransportError::BadLength {
            transport: Kind::PaddedIntermediate,
            offset: 0,
            len: 3,
            reason: "shorter than 4 bytes"
        }
    );
    // padded: -429 followed by 5 bytes of padding.
    let stream = cat(&[&le32(9), &(-429i32).to_le_bytes(), &[0xaa; 5]]);
    assert_eq!(
        decode_err(&mut padded::Decoder::client(), &stream),
        TransportError::Server {
            code: -429,
            offset: 0
        }
    );
    // full: a length below the 16-byte minimum.
    assert_eq!(
        decode_err(&mut full::Decoder::client(), &le32(12)),
        TransportError::BadLength {
            transport: Kind::Full,
            offset: 0,
            len: 12,
            reason: "shorter than 16 bytes (length, seq, crc32 and a payload)"
        }
    );
    // full: a wrong crc32.
    let mut frame = cat(&[&le32(16), &le32(0), &[1, 2, 3, 4]]);
    let crc = crc32fast::hash(&frame);
    frame.extend_from_slice(&(crc ^ 1).to_le_bytes());
    assert_eq!(
        decode_err(&mut full::Decoder::client(), &frame),
        TransportError::CrcMismatch {
            offset: 0,
            expected: crc ^ 1,
            computed: crc
        }
    );
    // full: the second packet repeats seq 0.
    let mut packet = cat(&[&le32(16), &le32(0), &[1, 2, 3, 4]]);
    packet.extend_from_slice(&crc32fast::hash(&packet).to_le_bytes());
    let mut dec = full::Decoder::client();
    assert!(matches!(
        dec.decode(&packet),
        Ok(Decoded::Frame { consumed: 16, .. })
    ));
    assert_eq!(
        decode_err(&mut dec, &packet),
        TransportError::SeqMismatch {
            offset: 16,
            expected: 1,
            found: 0
        }
    );
    // full: a payload over the limit (the length counts 12 framing bytes).
    assert_eq!(
        decode_err(
            &mut full::Decoder::server().with_max_packet_len(64),
            &le32(12 + 68)
        ),
        TransportError::TooLarge {
            transport: Kind::Full,
            offset: 0,
            len: 68,
            max: 64
        }
    );
    // A quick-ack token is not an error on the client side of abridged.
    assert_eq!(
        abridged::Decoder::client().decode(&[0x80, 0, 0, 1]),
        Ok(Decoded::Frame {
            frame: Frame::QuickAck(0x8000_0001),
            consumed: 4
        })
    );
}

// ---------------------------------------------------------------------------
// Envelopes

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

// ---------------------------------------------------------------------------
// The container unpacker

const C_ID: i64 = 1000 << 32;

/// A container of `(msg_id, body)` entries, `bytes` set from each body.
fn container_of(entries: &[(i64, &[u8])]) -> Vec<u8> {
    let mut out = cat(&[&le32(MSG_CONTAINER), &le32(entries.len() as u32)]);
    for (msg_id, body) in entries {
        out.extend_from_slice(&msg_id.to_le_bytes());
        out.extend_from_slice(&le32(1));
        out.extend_from_slice(&le32(body.len() as u32));
        out.extend_from_slice(body);
    }
    out
}

fn unpack(body: &[u8]) -> ContainerError {
    container::unpack(C_ID, body, &ContainerLimits::default()).expect_err("must be refused")
}

#[test]
fn container_unpacker() {
    let pong = types::Pong {
        msg_id: 1,
        ping_id: 2,
    }
    .to_bytes();
    assert_eq!(
        unpack(&cat(&[&le32(PONG), &le32(0)])),
        ContainerError::NotAContainer { found: PONG }
    );
    assert_eq!(
        unpack(&[0xdc, 0xf8]),
        ContainerError::NotAContainer { found: 0 }
    );
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &(-1i32).to_le_bytes()])),
        ContainerError::NegativeCount { count: -1 }
    );
    // 2000 messages declared in 8 bytes: refused before allocating.
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &le32(2000)])),
        ContainerError::TooManyMessages {
            count: 2000,
            max: 1020
        }
    );
    // A payload over 2^15 bytes.
    let big = vec![0u8; (1 << 15) + 4];
    assert_eq!(
        unpack(&container_of(&[(4, &big)])),
        ContainerError::PayloadTooLarge {
            len: 16 + (1 << 15) + 4,
            max: 1 << 15
        }
    );
    assert_eq!(
        unpack(&container_of(&[(4, &pong), (C_ID, &pong)])),
        ContainerError::InnerIdNotLower {
            index: 1,
            offset: 8 + 16 + 20,
            msg_id: C_ID,
            container_msg_id: C_ID
        }
    );
    assert_eq!(
        unpack(&container_of(&[(8, &pong), (4, &pong), (8, &pong)])),
        ContainerError::DuplicateInnerId {
            index: 2,
            offset: 8 + 2 * 36,
            msg_id: 8
        }
    );
    let nested = container_of(&[(4, &pong)]);
    assert_eq!(
        unpack(&container_of(&[(4, &pong), (8, &nested)])),
        ContainerError::Nested {
            index: 1,
            offset: 44
        }
    );
    assert_eq!(
        unpack(&container_of(&[(4, &pong[..18])])),
        ContainerError::UnalignedBody {
            index: 0,
            offset: 8,
            len: 18
        }
    );
    // msgs_ack declaring 8193 ids.
    let ack = cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(8193)]);
    assert_eq!(
        unpack(&container_of(&[(4, &ack)])),
        ContainerError::TooManyIds {
            index: 0,
            offset: 8,
            count: 8193,
            max: 8192
        }
    );
    let mut trailing = container_of(&[(4, &pong)]);
    trailing.extend_from_slice(&[0; 4]);
    assert_eq!(
        unpack(&trailing),
        ContainerError::TrailingBytes {
            offset: 44,
            count: 4
        }
    );
    // One message declared, none there.
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &le32(1), &[0; 4]])),
        ContainerError::Malformed(err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 4
            },
            8
        ))
    );
}

// ---------------------------------------------------------------------------
// gzip_packed inflation

/// gzip data of `data`, whether or not it is smaller.
fn gz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gzip_inflate() {
    let cap = 1 << 16;
    let good = gz(b"hello hello hello hello");
    assert_eq!(
        gzip::inflate(&[0x1f, 0x8c, 8, 0, 0, 0, 0, 0, 0, 0], cap),
        Err(GzipError::Header {
            offset: 0,
            reason: "not gzip data (bad magic)"
        })
    );
    assert_eq!(
        gzip::inflate(&[0x1f], cap),
        Err(GzipError::Truncated {
            offset: 1,
            part: "header"
        })
    );
    let mut bad = good.clone();
    bad[2] = 7;
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::Header {
            offset: 2,
            reason: "compression method is not deflate"
        })
    );
    let mut bad = good.clone();
    bad[3] = 0x20;
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::Header {
            offset: 3,
            reason: "reserved flag bits are set"
        })
    );
    // FNAME set, and no terminating zero before the end.
    let mut bad = good[..10].to_vec();
    bad[3] = 0x08;
    bad.extend_from_slice(b"name");
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::Truncated {
            offset: 14,
            part: "header"
        })
    );
    // A bomb: 1 MiB of zeros against a 64 KiB cap stops one byte past it.
    let bomb = gz(&vec![0; 1 << 20]);
    assert!(matches!(
        gzip::inflate(&bomb, cap),
        Err(GzipError::TooLarge { max, inflated, .. }) if max == cap && inflated == cap + 1
    ));
    let len = good.len();
    let mut bad = good.clone();
    bad[len - 8] ^= 1;
    let crc = u32::from_le_bytes(good[len - 8..len - 4].try_into().unwrap());
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::CrcMismatch {
            expected: crc ^ 1,
            computed: crc
        })
    );
    let mut bad = good.clone();
    bad[len - 4] = 99;
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::SizeMismatch {
            expected: 99,
            actual: 23
        })
    );
    let mut bad = good.clone();
    bad.extend_from_slice(&[0; 3]);
    assert_eq!(
        gzip::inflate(&bad, cap),
        Err(GzipError::TrailingData {
            offset: len,
            count: 3
        })
    );
    // Block type 3 does not exist.
    let bad = cat(&[&good[..10], &[0x07, 0, 0, 0]]);
    // Reported after the block header byte the decompressor read.
    assert!(matches!(
        gzip::inflate(&bad, cap),
        Err(GzipError::Corrupt { offset: 11, .. })
    ));
    // The deflate data stops half way.
    assert_eq!(
        gzip::inflate(&good[..len - 12], cap),
        Err(GzipError::Truncated {
            offset: len - 12,
            part: "deflate data"
        })
    );
    // Complete deflate data, no trailer.
    assert_eq!(
        gzip::inflate(&good[..len - 8], cap),
        Err(GzipError::Truncated {
            offset: len - 8,
            part: "crc32 and size trailer"
        })
    );
}

// ---------------------------------------------------------------------------
// The session

const T0: u64 = 1_700_000_000;
const SESSION_ID: i64 = 0x5e55_1011;

fn session() -> Session {
    let config = SessionConfig {
        max_inflated: 1 << 16,
        ..SessionConfig::default()
    };
    Session::new(config, SESSION_ID, 1, UnixTime::from_secs(T0))
}

#[test]
fn session_refuses() {
    let now = UnixTime::from_secs(T0);
    let server_id = |n: i64| ((T0 as i64) << 32) | (n << 2) | 1;
    let mut s = session();
    // A plaintext of another session.
    let mut plaintext = Vec::new();
    EncryptedPlaintext {
        salt: 1,
        session_id: 7,
        msg_id: server_id(1),
        seq_no: 1,
        body: &types::Pong {
            msg_id: 0,
            ping_id: 0,
        }
        .to_bytes(),
    }
    .encode_with_padding(&[0; 12], &mut plaintext)
    .unwrap();
    assert_eq!(
        s.handle_plaintext(now, &plaintext),
        Err(SessionError::WrongSession {
            expected: SESSION_ID,
            found: 7
        })
    );
    // A plaintext that is not a multiple of 16.
    assert_eq!(
        s.handle_plaintext(now, &plaintext[..plaintext.len() - 4]),
        Err(SessionError::Envelope(EnvelopeError::NotBlockAligned {
            what: "encrypted plaintext",
            len: plaintext.len() - 4
        }))
    );
    // A nested container is refused as a whole.
    let pong = types::Pong {
        msg_id: 0,
        ping_id: 0,
    }
    .to_bytes();
    let inner = container_of(&[(server_id(1), &pong)]);
    let outer = container_of(&[(server_id(2), &inner)]);
    assert_eq!(
        s.handle_message(now, server_id(3), 1, &outer),
        Err(SessionError::Container(ContainerError::Nested {
            index: 0,
            offset: 8
        }))
    );
    // gzip_packed: a bomb, gzip inside gzip, and a broken wrapper.
    let packed = |data: Vec<u8>| {
        types::GzipPacked {
            packed_data: data.into(),
        }
        .to_bytes()
    };
    let bomb = packed(gz(&vec![0; 1 << 20]));
    assert!(matches!(
        unpack_body(&bomb, 1 << 16),
        Err(SessionError::Gzip(GzipError::TooLarge { max: 65536, .. }))
    ));
    let twice = packed(gz(&packed(gz(&pong))));
    assert_eq!(unpack_body(&twice, 1 << 16), Err(SessionError::NestedGzip));
    let mut broken = packed(gz(&pong));
    broken.truncate(8);
    assert!(matches!(
        unpack_body(&broken, 1 << 16),
        Err(SessionError::Decode {
            what: "gzip_packed",
            error: Error {
                kind: ErrorKind::UnexpectedEof { .. },
                ..
            }
        })
    ));
    // A raw object that is not a gzip_packed passes through untouched.
    let raw = RawObject::from_value(&types::Pong {
        msg_id: 1,
        ping_id: 1,
    });
    assert_eq!(
        unpack_body(raw.as_bytes(), 16).unwrap().as_ref(),
        raw.as_bytes()
    );
}

// ---------------------------------------------------------------------------
// The schema parser

#[test]
fn schema_parser() {
    // (source, line, column, message fragment)
    let cases: &[(&str, usize, usize, &str)] = &[
        ("foo a:Bar = Foo;\n", 1, 7, "unknown type `Bar`"),
        ("foo", 1, 4, "expected a field `name:type` or `=`"),
        (
            "ok = Ok;\nfoo#xyz = Foo;\n",
            2,
            5,
            "expected a hexadecimal id",
        ),
        (
            "foo flags:# a:flags2.0?int = Foo;\n",
            1,
            15,
            "no flags field `flags2`",
        ),
        ("foo#1 = Foo;\nbar#1 = Bar;\n", 2, 1, "duplicate"),
    ];
    for (src, line, col, fragment) in cases {
        let errors = tl_parser::parse(src).expect_err(src);
        // Warnings (an explicit id that differs from the computed one) are
        // sorted in among the errors; the first error is the one meant.
        let first = errors.iter().find(|d| d.is_error()).unwrap();
        let (l, c) = tl_parser::line_col(src, first.span.start);
        assert!(
            first.message.contains(fragment),
            "{src:?}: {:?} lacks {fragment:?}",
            first.message
        );
        assert_eq!((l, c), (*line, *col), "{src:?}: {}", first.message);
    }
    // `Vector<…>` 33 deep, one more than the parser allows.
    let src = format!("a x:{}int{} = A;\n", "Vector<".repeat(33), ">".repeat(33));
    let errors = tl_parser::parse(&src).expect_err("too deep");
    assert!(
        errors[0]
            .message
            .contains("nested more than 32 levels deep"),
        "{}",
        errors[0].message
    );
}

/// gzip_packed inside gzip_packed, each level a stored (uncompressed) gzip
/// stream of the next, so every level is as large as the innermost data
/// while the input stays small: the cap must hold for all levels together.
#[test]
fn dynamic_codec_caps_nested_gzip_together() {
    use std::io::Write;
    let packed = |data: &[u8], level: flate2::Compression| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
        enc.write_all(data).unwrap();
        types::GzipPacked {
            packed_data: enc.finish().unwrap().into(),
        }
        .to_bytes()
    };
    let cap = 64 << 10;
    // 40 KiB at the bottom; each level adds a few bytes of framing.
    let mut value = vec![0u8; 40 << 10];
    for _ in 0..3 {
        value = packed(&value, flate2::Compression::none());
    }
    let input = packed(&value, flate2::Compression::best());
    assert!(input.len() < 2048, "{} bytes", input.len());
    let registry = registry().with_options(Options {
        max_inflated: cap,
        ..Options::default()
    });
    // The outer level inflates to about 40 KiB, which leaves less than the
    // next level needs: refused, though each level alone is under the cap.
    let e = registry.decode_boxed(&input).unwrap_err();
    assert!(e.message.contains("gzip bomb"), "{e}");
}
