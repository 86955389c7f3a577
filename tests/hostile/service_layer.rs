//! The generated service layer: unknown ids, truncation at every offset,
//! vector counts and lengths the input cannot back, all written by hand
//! from the wire rules.

use mtproto::service::{enums, types};
use mtproto_types::{Deserialize, Error, ErrorKind};

use mtproto_test_support::hex::{cat, le32};

use crate::*;

use mtproto::service::functions;
use mtproto_test_support::counting;
use mtproto_test_support::hex::unhex_fields;

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

/// A container of two messages (ping, msgs_ack) as in the golden tests.
fn container() -> Vec<u8> {
    unhex_fields(&[
        "dcf8f173 02000000",
        "78563412 00800b5e 01000000 0c000000 ec77be7a efcdab89 67452301",
        "7c563412 00800b5e 02000000 14000000",
        "59b4d662 15c4b51c 01000000 78563412 00800b5e",
    ])
}

/// Every proper prefix of each golden message fails, with an error that
/// points inside the prefix and says the input ran out (or that a length or
/// count claims more than what is left).
/// A name, its golden bytes, and the decoder that must reject every prefix.
type Golden = (&'static str, Vec<u8>, fn(&[u8]) -> Result<(), Error>);

#[test]
fn every_prefix_of_a_golden_message_is_an_error() {
    let goldens: Vec<Golden> = vec![
        ("msg_container", container(), |b| {
            types::MsgContainer::from_bytes(b).map(drop)
        }),
        (
            "rpc_error",
            unhex_fields(&["19ca4421 a4010000 0d 464c4f4f445f574149545f3330 0000"]),
            |b| types::RpcError::from_bytes(b).map(drop),
        ),
        (
            "future_salts",
            unhex_fields(&[
                "950850ae 78563412 00800b5e 00f15365 02000000",
                "00f15365 10ff5365 feffffff ffffffff",
                "10ff5365 200d5465 88776655 44332211",
            ]),
            |b| enums::FutureSalts::from_bytes(b).map(drop),
        ),
        (
            "bad_server_salt",
            unhex_fields(&["7b44abed 78563412 00800b5e 06000000 30000000 88776655 44332211"]),
            |b| enums::BadMsgNotification::from_bytes(b).map(drop),
        ),
        (
            "msgs_all_info",
            unhex_fields(&["31d1c08c 15c4b51c 01000000 78563412 00800b5e 02 0c24 00"]),
            |b| types::MsgsAllInfo::from_bytes(b).map(drop),
        ),
        (
            "invokeAfterMsg",
            unhex_fields(&["2d379fcb 78563412 00800b5e ec77be7a efcdab89 67452301"]),
            |b| functions::InvokeAfterMsg::<mtproto_types::RawObject>::from_bytes(b).map(drop),
        ),
    ];
    for (name, golden, decode) in goldens {
        decode(&golden).unwrap_or_else(|e| panic!("{name}: the whole golden fails: {e}"));
        for len in 0..golden.len() {
            let prefix = &golden[..len];
            let e = match decode(prefix) {
                Ok(()) => {
                    // A raw `!X` runs to the end: cutting inside the query
                    // leaves a shorter, still well-formed, raw query. Only
                    // less than its 4-byte id is an error.
                    assert!(
                        name == "invokeAfterMsg" && len >= 16,
                        "{name}[..{len}] decoded"
                    );
                    continue;
                }
                Err(e) => e,
            };
            assert!(
                e.offset <= len,
                "{name}[..{len}]: offset {} past the end",
                e.offset
            );
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::UnexpectedEof { .. }
                        | ErrorKind::InvalidLength { .. }
                        | ErrorKind::VectorTooLong { .. }
                ),
                "{name}[..{len}]: {e}"
            );
        }
    }
}

#[test]
fn truncation_errors_say_where_and_how_much() {
    // ping cut in its ping_id: 2 of 8 bytes at offset 4.
    let ping = unhex_fields(&["ec77be7a efcd"]);
    assert_eq!(
        functions::Ping::from_bytes(&ping).unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 2
            },
            4
        )
    );
    // rpc_error whose 13-byte message is cut after one byte.
    let rpc_error = unhex_fields(&["19ca4421 a4010000 0d 46"]);
    assert_eq!(
        types::RpcError::from_bytes(&rpc_error).unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: 13,
                available: 1
            },
            9
        )
    );
    // Nothing at all.
    assert_eq!(
        enums::Pong::from_bytes(&[]).unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: 4,
                available: 0
            },
            0
        )
    );
}

#[test]
fn unknown_ids() {
    let bytes = unhex_fields(&["deadbeef 0000000000000000 0000000000000000"]);
    assert_eq!(
        enums::Pong::from_bytes(&bytes).unwrap_err().kind,
        ErrorKind::UnknownConstructor {
            id: 0xefbeadde,
            expected: "Pong"
        }
    );
    assert_eq!(
        types::Pong::from_bytes(&bytes).unwrap_err(),
        err(
            ErrorKind::UnknownConstructor {
                id: 0xefbeadde,
                expected: "pong"
            },
            0
        )
    );
    assert!(mtproto::service::decode_by_id(&bytes).is_none());
    // An unknown id deep inside: msg_copy's orig_message must be `message`.
    let copy = unhex_fields(&["b24660e0 deadbeef"]);
    assert_eq!(
        types::MsgCopy::from_bytes(&copy).unwrap_err(),
        err(
            ErrorKind::UnknownConstructor {
                id: 0xefbeadde,
                expected: "Message"
            },
            4
        )
    );
    // A boxed vector must start with 1cb5c415.
    let ack = unhex_fields(&["59b4d662 15c4b51d 00000000"]);
    assert_eq!(
        types::MsgsAck::from_bytes(&ack).unwrap_err(),
        err(
            ErrorKind::UnknownConstructor {
                id: 0x1db5c415,
                expected: "Vector"
            },
            4
        )
    );
}

#[test]
fn vectors_claiming_two_to_the_31_elements() {
    // msg_container: id and a bare count of 2^31, nothing else: 8 bytes.
    let bytes = unhex_fields(&["dcf8f173 00000080"]);
    let (allocations, _, result) = counting::count(|| types::MsgContainer::from_bytes(&bytes));
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::VectorTooLong {
                count: 1 << 31,
                available: 0
            },
            4
        )
    );
    assert_eq!(
        allocations, 0,
        "nothing is allocated for a count the input cannot back"
    );

    // msgs_ack: a boxed Vector<long> of 2^31 with one long present.
    let bytes = unhex_fields(&["59b4d662 15c4b51c 00000080 0100000000000000"]);
    let (allocations, _, result) = counting::count(|| types::MsgsAck::from_bytes(&bytes));
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::VectorTooLong {
                count: 1 << 31,
                available: 8
            },
            8
        )
    );
    assert_eq!(allocations, 0);

    // u32::MAX elements, the largest count there is.
    let bytes = unhex_fields(&["59b4d662 15c4b51c ffffffff"]);
    assert!(matches!(
        types::MsgsAck::from_bytes(&bytes).unwrap_err().kind,
        ErrorKind::VectorTooLong {
            count: u32::MAX,
            ..
        }
    ));
}

#[test]
fn strings_running_past_the_end() {
    // Short form: 200 bytes claimed, 3 present.
    let bytes = unhex_fields(&["19ca4421 a4010000 c8 414243"]);
    let (_, allocated, result) = counting::count(|| types::RpcError::from_bytes(&bytes));
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: 200,
                available: 3
            },
            9
        )
    );
    assert_eq!(allocated, 0);
    // Long form: 0xfe and 2^24 - 1 bytes claimed.
    let bytes = unhex_fields(&["a1cf7230 feffffff 00000000"]);
    let (_, allocated, result) = counting::count(|| types::GzipPacked::from_bytes(&bytes));
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: (1 << 24) - 1,
                available: 4
            },
            8
        )
    );
    assert_eq!(allocated, 0);
    // Data present but the padding is not.
    let bytes = unhex_fields(&["a1cf7230 05 1f8b080000"]);
    assert_eq!(
        types::GzipPacked::from_bytes(&bytes).unwrap_err(),
        err(
            ErrorKind::UnexpectedEof {
                needed: 2,
                available: 0
            },
            10
        )
    );
}

#[test]
fn message_bytes_larger_than_what_is_left_or_negative() {
    let with_length = |len: &str| {
        unhex_fields(&[
            "dcf8f173 01000000",
            "78563412 00800b5e 01000000",
            len,
            "ec77be7a efcdab89 67452301", // a 12-byte ping
        ])
    };
    // The body starts at 4 + 4 + 8 + 4 + 4 = 24.
    for (len, claimed) in [
        ("e8030000", 1000i64),
        ("0d000000", 13),
        ("fcffffff", -4),
        ("00000080", i64::from(i32::MIN)),
    ] {
        let bytes = with_length(len);
        assert_eq!(
            types::MsgContainer::from_bytes(&bytes).unwrap_err(),
            err(
                ErrorKind::InvalidLength {
                    field: "bytes",
                    claimed,
                    available: 12
                },
                24
            ),
            "bytes = {claimed}"
        );
    }
    // Less than a constructor id is not a body either.
    let bytes = with_length("00000000");
    assert!(matches!(
        types::MsgContainer::from_bytes(&bytes).unwrap_err().kind,
        ErrorKind::InvalidLength { claimed: 0, .. }
    ));
    // Shorter than the body: the body is what `bytes` says, and the rest
    // of the ping is then read as the next message, which is not there.
    let bytes = with_length("04000000");
    assert!(types::MsgContainer::from_bytes(&bytes).is_err());
    // And the right length decodes.
    types::MsgContainer::from_bytes(&with_length("0c000000")).unwrap();
}
