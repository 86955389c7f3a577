//! Target `gzip`: capped inflation of gzip_packed data.

use mtproto::gzip;

use crate::counting::bounded;

/// The cap used by the gzip target: small, so bombs hit it fast.
pub const GZIP_CAP: usize = 256 << 10;

/// Inflation stays within the cap and allocates nothing a claimed size
/// asks for; what inflates survives compression, and a cap one byte short
/// is hit exactly.
pub fn gzip(data: &[u8]) {
    // Only the output (at most cap + 1 bytes), the inflater's own state
    // (tens of KiB) and nothing proportional to a claimed size.
    let limit = GZIP_CAP + 1 + (128 << 10);
    let result = bounded("gzip", limit, || gzip::inflate(data, GZIP_CAP));
    match result {
        Ok(out) => {
            assert!(out.len() <= GZIP_CAP);
            // What inflates, compressed again, inflates to the same bytes.
            if let Some(packed) = gzip::compress_if_smaller(&out, 0) {
                assert_eq!(gzip::inflate(&packed, GZIP_CAP).unwrap(), out);
            }
            // And a cap just below the size is hit, exactly at the cap.
            if let Some(below) = out.len().checked_sub(1) {
                assert!(matches!(
                    gzip::inflate(data, below),
                    Err(gzip::GzipError::TooLarge { max, .. }) if max == below
                ));
            }
        }
        Err(gzip::GzipError::TooLarge { max, inflated, .. }) => {
            assert_eq!(max, GZIP_CAP);
            assert!(inflated <= GZIP_CAP + 1, "inflated {inflated} past the cap");
        }
        Err(_) => {}
    }
}
