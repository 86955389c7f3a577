//! Hostile input for the dynamic codec that the fuzz targets found or that
//! its limits promise to stop.
//!
//! The inflation cap holds for all the gzip_packed values of one input
//! together. Nested ones are all alive at once, so with a cap per
//! value, 64 levels of stored (uncompressed) gzip streams, each as large as
//! the cap, would make a few KB of input hold 64 times the cap.

use std::io::Write;

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

#[test]
fn nested_gzip_packed_share_one_cap() {
    let cap = 64 << 10;
    // 40 KiB at the bottom, three stored levels around it, one compressed
    // level outside: each level alone is under the cap, all four are not.
    let mut value = vec![0u8; 40 << 10];
    for _ in 0..3 {
        value = gzip_packed(&value, flate2::Compression::none());
    }
    let input = gzip_packed(&value, flate2::Compression::best());
    assert!(input.len() < 2048, "{} bytes of input", input.len());
    let e = registry(cap).decode_boxed(&input).unwrap_err();
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
