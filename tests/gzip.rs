//! gzip_packed payloads: round trips, a real gzip bomb, and broken streams.

use std::io::{self, Read, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use mtproto::gzip::{
    compress_if_smaller, gzip_packed_len, inflate, inflate_into, GzipError,
    DEFAULT_COMPRESS_THRESHOLD, DEFAULT_MAX_INFLATED,
};
use mtproto::random::{RandomSource, SplitMix64};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Text-like data that compresses, as TL objects with repeated
/// constructors and strings do.
fn compressible(len: usize) -> Vec<u8> {
    b"messages.sendMessage peer:inputPeerUser message:\"hello, world\" "
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

/// 64 MiB of zeros as a genuine gzip stream: about 64 KiB, a ratio above
/// 1000:1. Writing the zeros in 1 MiB pieces keeps memory low.
fn bomb() -> (Vec<u8>, usize) {
    const SIZE: usize = 64 << 20;
    let zeros = vec![0u8; 1 << 20];
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    for _ in 0..SIZE / zeros.len() {
        enc.write_all(&zeros).unwrap();
    }
    (enc.finish().unwrap(), SIZE)
}

/// Counts bytes written and throws them away.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn round_trip_sizes_around_the_edges() {
    let mut rng = SplitMix64::new(11);
    for len in [0, 1, 253, 254, 4096, 65536, 1 << 20] {
        let mut data = compressible(len);
        // Sprinkle noise so the stream has literals too.
        for b in data.iter_mut().step_by(97) {
            let mut r = [0u8];
            rng.fill_bytes(&mut r);
            *b = r[0];
        }
        let packed = gzip(&data);
        assert_eq!(
            inflate(&packed, DEFAULT_MAX_INFLATED).unwrap(),
            data,
            "{len}"
        );
        // The exact cap is enough; one byte less is not.
        assert_eq!(inflate(&packed, len).unwrap(), data);
        if len > 0 {
            assert!(matches!(
                inflate(&packed, len - 1),
                Err(GzipError::TooLarge { inflated, .. }) if inflated == len
            ));
        }
    }
}

#[test]
fn a_gzip_bomb_is_stopped_at_the_cap() {
    let (bomb, size) = bomb();
    assert!(
        bomb.len() * 1000 < size,
        "a real bomb: {} bytes inflate to {size}",
        bomb.len()
    );
    // It really is 64 MiB of valid gzip.
    let mut counter = Counter(0);
    io::copy(&mut flate2::read::GzDecoder::new(&bomb[..]), &mut counter).unwrap();
    assert_eq!(counter.0, size);

    let cap = DEFAULT_MAX_INFLATED;
    let mut out = Vec::new();
    let err = inflate_into(&bomb, cap, &mut out).unwrap_err();
    let GzipError::TooLarge {
        max,
        inflated,
        consumed,
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(max, cap);
    // Counted, not timed: decompression stopped within 64 KiB of the cap,
    // the buffer never grew past that, and most of the input was never
    // even read.
    assert!(inflated > cap && inflated <= cap + 64 * 1024, "{inflated}");
    assert_eq!(out.len(), inflated);
    assert!(out.capacity() <= cap + 64 * 1024, "{}", out.capacity());
    assert!(
        consumed < bomb.len() / 2,
        "read {consumed} of {}",
        bomb.len()
    );

    // With a trailer that claims a small size, the buffer starts small and
    // grows by doubling; the growth is capped too.
    let mut lying = bomb.clone();
    let n = lying.len();
    lying[n - 4..].copy_from_slice(&1000u32.to_le_bytes());
    let mut out = Vec::new();
    let err = inflate_into(&lying, cap, &mut out).unwrap_err();
    assert!(matches!(err, GzipError::TooLarge { .. }), "{err}");
    assert!(out.capacity() <= cap + 64 * 1024, "{}", out.capacity());

    // A small cap stops it even sooner, with a small buffer.
    let mut out = Vec::new();
    let err = inflate_into(&bomb, 100_000, &mut out).unwrap_err();
    assert!(
        matches!(
            err,
            GzipError::TooLarge {
                inflated: 100_001,
                ..
            }
        ),
        "{err}"
    );
    assert!(out.capacity() <= 100_001 + 64 * 1024);
}

#[test]
fn a_lying_size_trailer_does_not_allocate_the_cap() {
    // 4 bytes of data whose trailer claims 4 GiB - 1: the capacity guess is
    // bounded by what the input can expand to, and the lie is caught.
    let mut packed = gzip(&[1, 2, 3, 4]);
    let n = packed.len();
    packed[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut out = Vec::new();
    let err = inflate_into(&packed, DEFAULT_MAX_INFLATED, &mut out).unwrap_err();
    assert_eq!(
        err,
        GzipError::SizeMismatch {
            expected: u32::MAX,
            actual: 4
        }
    );
    assert!(out.capacity() < 64 * 1024, "{}", out.capacity());
}

#[test]
fn truncated_streams_are_errors_at_every_cut() {
    let data = compressible(10_000);
    let packed = gzip(&data);
    for cut in 0..packed.len() {
        match inflate(&packed[..cut], DEFAULT_MAX_INFLATED) {
            Err(GzipError::Truncated { offset, .. }) => assert_eq!(offset, cut),
            // Cutting into the trailer can also leave a wrong crc or size.
            Err(GzipError::CrcMismatch { .. } | GzipError::SizeMismatch { .. }) => {
                assert!(cut >= packed.len() - 8, "cut {cut}")
            }
            other => panic!("cut {cut} of {}: {other:?}", packed.len()),
        }
    }
}

#[test]
fn trailing_garbage_is_rejected() {
    let data = compressible(1000);
    let mut packed = gzip(&data);
    let end = packed.len();
    packed.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        inflate(&packed, DEFAULT_MAX_INFLATED),
        Err(GzipError::TrailingData {
            offset: end,
            count: 3
        })
    );
    // A second gzip member is trailing data too: gzip_packed holds one.
    let mut two = gzip(&data);
    two.extend_from_slice(&gzip(&data));
    assert!(matches!(
        inflate(&two, DEFAULT_MAX_INFLATED),
        Err(GzipError::TrailingData { .. })
    ));
}

#[test]
fn garbage_and_corruption() {
    assert!(matches!(
        inflate(b"definitely not gzip", DEFAULT_MAX_INFLATED),
        Err(GzipError::Header { offset: 0, .. })
    ));
    assert!(matches!(
        inflate(&[0x1f], 1024),
        Err(GzipError::Truncated { .. })
    ));
    assert!(matches!(
        inflate(&[0x00], 1024),
        Err(GzipError::Header { .. })
    ));
    let packed = gzip(&compressible(5000));
    let mut method = packed.clone();
    method[2] = 7;
    assert!(matches!(
        inflate(&method, 1 << 20),
        Err(GzipError::Header { offset: 2, .. })
    ));
    let mut flags = packed.clone();
    flags[3] = 0x20;
    assert!(matches!(
        inflate(&flags, 1 << 20),
        Err(GzipError::Header { offset: 3, .. })
    ));
    // Invalid block type 3 right after the header.
    let mut bad_block = packed[..10].to_vec();
    bad_block.extend_from_slice(&[0xff; 32]);
    assert!(matches!(
        inflate(&bad_block, 1 << 20),
        Err(GzipError::Corrupt { .. })
    ));
    // A flipped bit in the trailer's crc.
    let mut crc = packed.clone();
    let n = crc.len();
    crc[n - 8] ^= 1;
    assert!(matches!(
        inflate(&crc, 1 << 20),
        Err(GzipError::CrcMismatch { .. })
    ));
    // Flip every bit of the body: never a panic, never a wrong success.
    let data = compressible(5000);
    for at in 10..packed.len() {
        for bit in [0, 3, 7] {
            let mut bad = packed.clone();
            bad[at] ^= 1 << bit;
            if let Ok(out) = inflate(&bad, 1 << 20) {
                assert_eq!(out, data, "a corrupted stream inflated to something else");
            }
        }
    }
    // Random garbage behind a valid header.
    let mut rng = SplitMix64::new(9);
    for _ in 0..500 {
        let mut junk = packed[..10].to_vec();
        let mut tail = vec![0u8; (rng.next_u64() % 300) as usize];
        rng.fill_bytes(&mut tail);
        junk.extend_from_slice(&tail);
        assert!(inflate(&junk, 1 << 16).is_err());
    }
}

#[test]
fn inflate_into_appends() {
    let packed = gzip(b"abcd");
    let mut out = b"xy".to_vec();
    inflate_into(&packed, 4, &mut out).unwrap();
    assert_eq!(out, b"xyabcd");
}

#[test]
fn compress_if_smaller_decides_by_the_whole_gzip_packed_size() {
    // Small bodies are left alone whatever they contain.
    assert_eq!(
        compress_if_smaller(&[0; 512], DEFAULT_COMPRESS_THRESHOLD),
        None
    );
    // Large compressible bodies are packed, and the result inflates back.
    let body = compressible(4096);
    let packed = compress_if_smaller(&body, DEFAULT_COMPRESS_THRESHOLD).unwrap();
    assert!(gzip_packed_len(packed.len()) < body.len());
    assert_eq!(inflate(&packed, body.len()).unwrap(), body);
    // Incompressible data is declined.
    let mut noise = vec![0u8; 4096];
    SplitMix64::new(1).fill_bytes(&mut noise);
    assert_eq!(
        compress_if_smaller(&noise, DEFAULT_COMPRESS_THRESHOLD),
        None
    );
}

#[test]
fn compress_if_smaller_counts_the_tl_overhead() {
    // Find a body whose raw gzip is smaller than the body but whose
    // gzip_packed object (id + length prefix + padding) is not: it must be
    // declined, so a rule comparing only the gzip length would fail here.
    let mut rng = SplitMix64::new(5);
    let mut found = false;
    for len in (64..2048).step_by(4) {
        let mut body = vec![0u8; len];
        rng.fill_bytes(&mut body[..len * 9 / 10]);
        let raw = gzip(&body).len();
        let result = compress_if_smaller(&body, 0);
        assert_eq!(result.is_some(), gzip_packed_len(raw) < len, "len {len}");
        if raw < len && gzip_packed_len(raw) >= len {
            assert_eq!(result, None);
            found = true;
        }
    }
    assert!(found, "no borderline body in the sample");
    // The result is standard gzip.
    let body = compressible(2000);
    let packed = compress_if_smaller(&body, 0).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, body);
}
