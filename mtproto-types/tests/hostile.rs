//! Hostile input for the TL core: every malformed value is an `Error` with
//! the right kind and byte offset, never a panic, never an allocation the
//! input cannot back, never a stack overflow.
//!
//! All inputs are written by hand from the wire rules. The service layer's
//! tables live with the runtime that generates it (`tests/hostile/`).

use mtproto_test_support::counting::{self, Counting};
use mtproto_test_support::hex::{cat, le32, unhex_fields};
use mtproto_types::{Deserialize, Error, ErrorKind, Reader, Serialize};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

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
// Generated types: the API layer

#[cfg(feature = "api")]
#[test]
fn api_layer_types() {
    use mtproto_types::api;
    const TEXT_BOLD: u32 = 0x6724abc4;
    const TEXT_EMPTY: u32 = 0xdc3d824f;
    const TEXT_PLAIN: u32 = 0x744694e0;
    const INPUT_PEER_USER: u32 = 0xdde8a54c;
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

#[test]
fn vector_counts_are_bounded_by_each_elements_least_size() {
    // Two longs claimed, 12 bytes left: enough for three ints, not for two
    // longs. The count is refused before any element is read or allocated.
    let bytes = unhex_fields(&["15c4b51c 02000000 01000000 00000000 02000000"]);
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
    let bytes = unhex_fields(&["15c4b51c 03000000 01000000 02000000 03000000"]);
    assert_eq!(Vec::<i32>::from_bytes(&bytes).unwrap(), [1, 2, 3]);
    // Boxed vectors of boxed vectors: each inner one takes at least 8 bytes.
    let bytes = unhex_fields(&["15c4b51c 02000000 15c4b51c 00000000"]);
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
    let bytes = unhex_fields(&["01000000 00000000 02000000 00000000"]);
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
    assert_eq!(u32::deserialize_many(&mut reader, 0).unwrap(), [0u32; 0]);
    assert_eq!(reader.offset(), 0);
    let doubles = unhex_fields(&["000000000000f03f 000000000000f0bf"]);
    let mut reader = mtproto_types::Reader::new(&doubles);
    assert_eq!(f64::deserialize_many(&mut reader, 2).unwrap(), [1.0, -1.0]);
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
