//! Hostile input for the dynamic codec: what the fuzz targets found, what
//! its limits promise to stop, and a table of crafted inputs against both
//! layers' schemas, each refused at the documented offset.
//!
//! The inflation cap holds for all the gzip_packed values of one input
//! together. Nested ones are all alive at once, so with a cap per
//! value, 64 levels of stored (uncompressed) gzip streams, each as large as
//! the cap, would make a few KB of input hold 64 times the cap.

use std::io::Write;

use mtproto_test_support::hex::{cat, le32};
use tl_codegen::dynamic::{Options, Registry, GZIP_PACKED_ID};

/// `gzip_packed` of `data` gzipped at `level`, encoded by hand: the id, the
/// TL `bytes` length prefix, the data and its padding.
fn gzip_packed(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
    enc.write_all(data).unwrap();
    let packed = enc.finish().unwrap();
    let mut out = GZIP_PACKED_ID.to_le_bytes().to_vec();
    let header = if packed.len() < 254 {
        out.push(packed.len() as u8);
        1
    } else {
        out.push(254);
        out.extend_from_slice(&(packed.len() as u32).to_le_bytes()[..3]);
        4
    };
    out.extend_from_slice(&packed);
    out.resize(out.len() + (4 - (header + packed.len()) % 4) % 4, 0);
    out
}

fn registry(cap: usize) -> Registry {
    let schema = tl_parser::parse(
        "pong#347773c5 msg_id:long ping_id:long = Pong;\n\
         rpc_error#2144ca19 error_code:int error_message:string = RpcError;\n\
         statsAbsValueAndPrev#cb43acde current:double previous:double = StatsAbsValueAndPrev;",
    )
    .unwrap()
    .schema;
    Registry::new([&schema]).unwrap().with_options(Options {
        max_inflated: cap,
        ..Options::default()
    })
}

/// The cap that [`nested_gzip_bomb`] defeats unless it holds for all
/// levels together.
const NESTED_BOMB_CAP: usize = 64 << 10;

/// gzip_packed inside gzip_packed: 40 KiB at the bottom, three stored
/// levels around it, one compressed level outside, so every level is as
/// large as the innermost data while the input stays small. Each level
/// alone is under [`NESTED_BOMB_CAP`], all four are not.
fn nested_gzip_bomb() -> Vec<u8> {
    let mut value = vec![0u8; 40 << 10];
    for _ in 0..3 {
        value = gzip_packed(&value, flate2::Compression::none());
    }
    let input = gzip_packed(&value, flate2::Compression::best());
    assert!(input.len() < 2048, "{} bytes of input", input.len());
    input
}

#[test]
fn nested_gzip_packed_share_one_cap() {
    let input = nested_gzip_bomb();
    let e = registry(NESTED_BOMB_CAP).decode_boxed(&input).unwrap_err();
    // Reported at the outer packed_data, after its 1- or 4-byte prefix.
    let data_at = if input[4] == 254 { 8 } else { 5 };
    assert_eq!(e.offset, data_at, "{e}");
    assert!(e.message.contains("gzip bomb"), "{e}");
}

#[test]
fn nested_gzip_packed_within_the_cap_decode() {
    let pong = [
        &0x347773c5u32.to_le_bytes()[..],
        &1i64.to_le_bytes(),
        &2i64.to_le_bytes(),
    ]
    .concat();
    let twice = gzip_packed(
        &gzip_packed(&pong, flate2::Compression::none()),
        flate2::Compression::best(),
    );
    let json = registry(1 << 10).decode_boxed(&twice).unwrap();
    assert_eq!(json["packed_data"]["packed_data"]["ping_id"], 2);
}

/// Only canonical strings decode (as in the generated decoders), so that
/// what decodes encodes back to the same bytes.
#[test]
fn non_canonical_strings_are_refused() {
    let registry = registry(1 << 10);
    let rpc_error = |string: &[u8]| {
        [
            &0x2144ca19u32.to_le_bytes()[..],
            &400i32.to_le_bytes(),
            string,
        ]
        .concat()
    };
    // Non-zero padding after a 1-byte string: reported where it starts.
    let e = registry
        .decode_boxed(&rpc_error(&[1, b'x', 0, 7]))
        .unwrap_err();
    assert_eq!(e.offset, 10, "{e}");
    assert!(e.message.contains("non-zero padding"), "{e}");
    // The 4-byte length form for a 4-byte string.
    let long = [254, 4, 0, 0, b'a', b'b', b'c', b'd'];
    let e = registry.decode_boxed(&rpc_error(&long)).unwrap_err();
    assert_eq!(e.offset, 8, "{e}");
    assert!(e.message.contains("long length prefix for 4 bytes"), "{e}");
    // The canonical forms decode and encode back.
    for string in [&[1, b'x', 0, 0][..], &[0, 0, 0, 0]] {
        let bytes = rpc_error(string);
        let json = registry.decode_boxed(&bytes).unwrap();
        assert_eq!(registry.encode_boxed(&json).unwrap(), bytes);
    }
}

/// Found by the dynamic fuzz target: a NaN with other bits than the usual
/// one came back as the usual one. Every double now round-trips bit for bit.
#[test]
fn every_nan_keeps_its_bits() {
    let registry = registry(1 << 10);
    for bits in [
        f64::NAN.to_bits(),
        0xffff_ffff_cb43_acde,
        0x7ff0_0000_0000_0001,
    ] {
        let bytes = [
            &0xcb43acdeu32.to_le_bytes()[..],
            &0.5f64.to_le_bytes(),
            &bits.to_le_bytes(),
        ]
        .concat();
        let json = registry.decode_boxed(&bytes).unwrap();
        assert_eq!(registry.encode_boxed(&json).unwrap(), bytes, "{json}");
        // And through JSON text too.
        let text: serde_json::Value = serde_json::from_str(&json.to_string()).unwrap();
        assert_eq!(registry.encode_boxed(&text).unwrap(), bytes, "{json}");
    }
}

// ---------------------------------------------------------------------------
// Both layers' schemas, as `tlc decode` loads them

const PONG: u32 = 0x347773c5;
const MSGS_ACK: u32 = 0x62d6b459;
const RPC_ERROR: u32 = 0x2144ca19;
const VECTOR: u32 = 0x1cb5c415;
const TEXT_BOLD: u32 = 0x6724abc4;
const TEXT_EMPTY: u32 = 0xdc3d824f;

fn both_layers() -> Registry {
    let service = tl_parser::parse(include_str!("../../schema/mtproto.tl"))
        .unwrap()
        .schema;
    let api = tl_parser::parse(include_str!("../../schema/api.tl"))
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
    let registry = both_layers();
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
    let bomb = gzip_packed(&vec![0u8; 1 << 20], flate2::Compression::default());
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

/// [`nested_gzip_bomb`] against both layers' schemas: the cap must hold
/// for all levels together there too.
#[test]
fn dynamic_codec_caps_nested_gzip_together() {
    let input = nested_gzip_bomb();
    let registry = both_layers().with_options(Options {
        max_inflated: NESTED_BOMB_CAP,
        ..Options::default()
    });
    // The outer level inflates to about 40 KiB, which leaves less than the
    // next level needs: refused, though each level alone is under the cap.
    let e = registry.decode_boxed(&input).unwrap_err();
    assert!(e.message.contains("gzip bomb"), "{e}");
}
