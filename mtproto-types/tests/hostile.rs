//! Hostile input: every malformed value is an `Error` with the right kind
//! and byte offset, never a panic, never an allocation the input cannot
//! back, never a stack overflow.
//!
//! All inputs are written by hand from the wire rules.

#[path = "support/counting.rs"]
mod counting;

use mtproto::service::{enums, functions, types};
use mtproto_types::{Deserialize, Error, ErrorKind};

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

fn hex(parts: &[&str]) -> Vec<u8> {
    let digits: String = parts.concat().split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

fn err(kind: ErrorKind, offset: usize) -> Error {
    Error::new(kind, offset)
}

/// A container of two messages (ping, msgs_ack) as in the golden tests.
fn container() -> Vec<u8> {
    hex(&[
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
            hex(&["19ca4421 a4010000 0d 464c4f4f445f574149545f3330 0000"]),
            |b| types::RpcError::from_bytes(b).map(drop),
        ),
        (
            "future_salts",
            hex(&[
                "950850ae 78563412 00800b5e 00f15365 02000000",
                "00f15365 10ff5365 feffffff ffffffff",
                "10ff5365 200d5465 88776655 44332211",
            ]),
            |b| enums::FutureSalts::from_bytes(b).map(drop),
        ),
        (
            "bad_server_salt",
            hex(&["7b44abed 78563412 00800b5e 06000000 30000000 88776655 44332211"]),
            |b| enums::BadMsgNotification::from_bytes(b).map(drop),
        ),
        (
            "msgs_all_info",
            hex(&["31d1c08c 15c4b51c 01000000 78563412 00800b5e 02 0c24 00"]),
            |b| types::MsgsAllInfo::from_bytes(b).map(drop),
        ),
        (
            "invokeAfterMsg",
            hex(&["2d379fcb 78563412 00800b5e ec77be7a efcdab89 67452301"]),
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
    let ping = hex(&["ec77be7a efcd"]);
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
    let rpc_error = hex(&["19ca4421 a4010000 0d 46"]);
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
    let bytes = hex(&["deadbeef 0000000000000000 0000000000000000"]);
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
    let copy = hex(&["b24660e0 deadbeef"]);
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
    let ack = hex(&["59b4d662 15c4b51d 00000000"]);
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
    let bytes = hex(&["dcf8f173 00000080"]);
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
    let bytes = hex(&["59b4d662 15c4b51c 00000080 0100000000000000"]);
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
    let bytes = hex(&["59b4d662 15c4b51c ffffffff"]);
    assert!(matches!(
        types::MsgsAck::from_bytes(&bytes).unwrap_err().kind,
        ErrorKind::VectorTooLong {
            count: u32::MAX,
            ..
        }
    ));
}

#[test]
fn vector_counts_are_bounded_by_each_elements_least_size() {
    // Two longs claimed, 12 bytes left: enough for three ints, not for two
    // longs. The count is refused before any element is read or allocated.
    let bytes = hex(&["15c4b51c 02000000 01000000 00000000 02000000"]);
    let (allocations, _, result) = counting::count(|| Vec::<i64>::from_bytes(&bytes));
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::VectorTooLong {
                count: 2,
                available: 12
            },
            4
        )
    );
    assert_eq!(allocations, 0);
    // The same 12 bytes do hold three ints.
    let bytes = hex(&["15c4b51c 03000000 01000000 02000000 03000000"]);
    assert_eq!(Vec::<i32>::from_bytes(&bytes).unwrap(), [1, 2, 3]);
    // Boxed vectors of boxed vectors: each inner one takes at least 8 bytes.
    let bytes = hex(&["15c4b51c 02000000 15c4b51c 00000000"]);
    assert_eq!(
        Vec::<Vec<i32>>::from_bytes(&bytes).unwrap_err(),
        err(
            ErrorKind::VectorTooLong {
                count: 2,
                available: 8
            },
            4
        )
    );
}

#[test]
fn numbers_read_in_bulk_check_the_whole_run() {
    // `deserialize_many` is public: a count nobody checked must still end
    // in an error at the run's start, with nothing allocated.
    let bytes = hex(&["01000000 00000000 02000000 00000000"]);
    for count in [3, usize::MAX / 8 + 1, usize::MAX] {
        let mut reader = mtproto_types::Reader::new(&bytes);
        let (allocations, _, result) =
            counting::count(|| i64::deserialize_many(&mut reader, count));
        assert_eq!(
            result.unwrap_err(),
            err(
                ErrorKind::UnexpectedEof {
                    needed: count.saturating_mul(8),
                    available: 16
                },
                0
            ),
            "count {count}"
        );
        assert_eq!(allocations, 0);
    }
    // Each width reads its own little-endian values, and the reader moves
    // past exactly the run.
    let mut reader = mtproto_types::Reader::new(&bytes);
    assert_eq!(i64::deserialize_many(&mut reader, 2).unwrap(), [1, 2]);
    assert!(reader.is_empty());
    let mut reader = mtproto_types::Reader::new(&bytes);
    assert_eq!(i32::deserialize_many(&mut reader, 3).unwrap(), [1, 0, 2]);
    assert_eq!(reader.offset(), 12);
    let mut reader = mtproto_types::Reader::new(&bytes);
    assert_eq!(u32::deserialize_many(&mut reader, 0).unwrap(), []);
    assert_eq!(reader.offset(), 0);
    let doubles = hex(&["000000000000f03f 000000000000f0bf"]);
    let mut reader = mtproto_types::Reader::new(&doubles);
    assert_eq!(f64::deserialize_many(&mut reader, 2).unwrap(), [1.0, -1.0]);
}

#[test]
fn strings_running_past_the_end() {
    // Short form: 200 bytes claimed, 3 present.
    let bytes = hex(&["19ca4421 a4010000 c8 414243"]);
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
    let bytes = hex(&["a1cf7230 feffffff 00000000"]);
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
    let bytes = hex(&["a1cf7230 05 1f8b080000"]);
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
        hex(&[
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

/// `textBold#6724abc4 text:RichText` nested 100 000 times, then
/// `textEmpty#dc3d824f`: 400 KB of input that a recursive decoder without a
/// limit would follow until the stack overflows.
#[cfg(feature = "api")]
#[test]
fn deep_nesting_of_a_recursive_api_type() {
    use mtproto_types::api::enums::RichText;
    use mtproto_types::DEFAULT_MAX_DEPTH;

    const LEVELS: usize = 100_000;
    let mut bytes = Vec::with_capacity(4 * LEVELS + 4);
    for _ in 0..LEVELS {
        bytes.extend_from_slice(&0x6724abc4u32.to_le_bytes());
    }
    bytes.extend_from_slice(&0xdc3d824fu32.to_le_bytes());

    let (_, allocated, result) = counting::count(|| RichText::from_bytes(&bytes));
    // The limit is hit on entering the 65th textBold, right after its id.
    let limit = DEFAULT_MAX_DEPTH as usize;
    assert_eq!(
        result.unwrap_err(),
        err(
            ErrorKind::TooDeep {
                limit: DEFAULT_MAX_DEPTH
            },
            4 * (limit + 1)
        )
    );
    assert!(allocated < 64 * 1024, "{allocated} bytes allocated");
    // The layer's dynamic decoder hits the same limit.
    assert!(matches!(
        mtproto_types::api::decode_by_id(&bytes)
            .unwrap()
            .unwrap_err()
            .kind,
        ErrorKind::TooDeep { .. }
    ));

    // Within the limit the same shape decodes and re-encodes.
    let depth = limit - 1;
    let mut ok = Vec::new();
    for _ in 0..depth {
        ok.extend_from_slice(&0x6724abc4u32.to_le_bytes());
    }
    ok.extend_from_slice(&0xdc3d824fu32.to_le_bytes());
    let value = RichText::from_bytes(&ok).unwrap();
    assert_eq!(mtproto_types::Serialize::to_bytes(&value), ok);
}
