//! gzip_packed inflation.

use mtproto::gzip::{self, GzipError};

use mtproto_test_support::hex::cat;

use crate::*;

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
