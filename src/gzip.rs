//! The payload of `gzip_packed#3072cfa1 packed_data:bytes = Object`.
//!
//! [`inflate`] unpacks `packed_data` with a hard cap on the output, so a
//! gzip bomb (1 GB of zeros packs into about 1 MB) costs at most the cap in
//! memory and time: decompression stops as soon as the output would exceed
//! it. [`compress_if_smaller`] packs an outgoing body only when the whole
//! `gzip_packed` object would be smaller than the body itself.
//!
//! The TL wrapping (constructor id and `bytes` length prefix) belongs to the
//! generated `gzip_packed` type; this module works on the bytes inside it.
//!
//! ```
//! use mtproto::gzip::{compress_if_smaller, inflate, DEFAULT_MAX_INFLATED};
//!
//! let body = vec![0u8; 4096];
//! let packed = compress_if_smaller(&body, 512).expect("zeros compress well");
//! assert_eq!(inflate(&packed, DEFAULT_MAX_INFLATED).unwrap(), body);
//! ```

use std::io::Read;

use flate2::{Compression, Decompress, FlushDecompress, Status};

/// The default cap on inflated output: 16 MiB, far above any legitimate
/// MTProto object (file parts are at most 512 KiB), far below what a bomb
/// would like to claim.
pub const DEFAULT_MAX_INFLATED: usize = 16 * 1024 * 1024;

/// Bodies up to this size are not worth compressing, by default.
pub const DEFAULT_COMPRESS_THRESHOLD: usize = 512;

/// The constructor id of `gzip_packed`.
pub const GZIP_PACKED_ID: u32 = 0x3072_cfa1;

/// Deflate cannot expand input by more than this factor (258 output bytes
/// per 2-bit code), which bounds the capacity guessed from the trailer.
const MAX_DEFLATE_RATIO: usize = 1032;

/// Why [`inflate`] failed. Offsets are byte positions in `packed_data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    /// The gzip header is malformed or uses something gzip does not define.
    #[error("gzip header: {reason} (offset {offset})")]
    Header {
        /// Where the problem is.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The input ends before the stream does.
    #[error("gzip stream truncated: {part} missing at offset {offset}")]
    Truncated {
        /// Where the input ends.
        offset: usize,
        /// What was still expected.
        part: &'static str,
    },
    /// The compressed data is not valid deflate.
    #[error("corrupt deflate data near offset {offset}: {message}")]
    Corrupt {
        /// How far the decompressor got.
        offset: usize,
        /// The decompressor's description.
        message: String,
    },
    /// The output would exceed the cap: a gzip bomb, or a cap set too low.
    #[error("inflated data exceeds the cap of {max} bytes (stopped after {inflated} bytes from {consumed} input bytes)")]
    TooLarge {
        /// The cap.
        max: usize,
        /// Bytes produced when decompression stopped (at most `max + 1`).
        inflated: usize,
        /// Input bytes read by then.
        consumed: usize,
    },
    /// The trailer's crc32 does not match the inflated data.
    #[error(
        "gzip crc32 mismatch: the trailer says {expected:#010x}, the data gives {computed:#010x}"
    )]
    CrcMismatch {
        /// The trailer's crc32.
        expected: u32,
        /// The crc32 of what was inflated.
        computed: u32,
    },
    /// The trailer's size does not match the inflated data.
    #[error(
        "gzip size mismatch: the trailer says {expected} bytes (mod 2^32), {actual} were inflated"
    )]
    SizeMismatch {
        /// The trailer's size field.
        expected: u32,
        /// Bytes inflated.
        actual: usize,
    },
    /// Bytes follow the end of the gzip stream.
    #[error("{count} bytes of trailing data after the gzip stream at offset {offset}")]
    TrailingData {
        /// Where the extra bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
}

const FTEXT_FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

/// Parses the gzip header (RFC 1952) and returns where the deflate data
/// starts.
fn parse_header(packed: &[u8]) -> Result<usize, GzipError> {
    let truncated = |offset| GzipError::Truncated {
        offset,
        part: "header",
    };
    let header = |offset, reason| GzipError::Header { offset, reason };
    if packed.len() < 10 {
        // Report bad magic even for short garbage.
        if packed.first().is_some_and(|b| *b != 0x1f) || packed.get(1).is_some_and(|b| *b != 0x8b) {
            return Err(header(0, "not gzip data (bad magic)"));
        }
        return Err(truncated(packed.len()));
    }
    if packed[..2] != [0x1f, 0x8b] {
        return Err(header(0, "not gzip data (bad magic)"));
    }
    if packed[2] != 8 {
        return Err(header(2, "compression method is not deflate"));
    }
    let flags = packed[3];
    if flags & FRESERVED != 0 {
        return Err(header(3, "reserved flag bits are set"));
    }
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        let xlen = packed.get(pos..pos + 2).ok_or(truncated(packed.len()))?;
        pos += 2 + usize::from(u16::from_le_bytes([xlen[0], xlen[1]]));
        if pos > packed.len() {
            return Err(truncated(packed.len()));
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = packed[pos..]
                .iter()
                .position(|b| *b == 0)
                .ok_or(truncated(packed.len()))?;
            pos += end + 1;
        }
    }
    if flags & FTEXT_FHCRC != 0 {
        let stored = packed.get(pos..pos + 2).ok_or(truncated(packed.len()))?;
        let stored = u16::from_le_bytes([stored[0], stored[1]]);
        if stored != crc32fast::hash(&packed[..pos]) as u16 {
            return Err(header(pos, "header crc16 mismatch"));
        }
        pos += 2;
    }
    Ok(pos)
}

/// Inflates gzip data, failing once the output would exceed `max_inflated`
/// bytes.
///
/// The result is exact: the input must be one complete gzip member with a
/// matching crc32 and size and nothing after it. Memory stays within
/// `max_inflated + 1` bytes of output buffer, and the initial allocation is
/// bounded by what the input could possibly expand to, so a short input
/// cannot make it allocate the cap up front.
pub fn inflate(packed: &[u8], max_inflated: usize) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::new();
    inflate_into(packed, max_inflated, &mut out)?;
    Ok(out)
}

/// Like [`inflate`], appending to `out` (whose spare capacity is reused);
/// `max_inflated` counts only the appended bytes.
///
/// On error `out` holds what was inflated so far, at most
/// `max_inflated + 1` new bytes, and its capacity grew to at most that.
pub fn inflate_into(
    packed: &[u8],
    max_inflated: usize,
    out: &mut Vec<u8>,
) -> Result<(), GzipError> {
    let start = parse_header(packed)?;
    let data = &packed[start..];
    let base = out.len();
    // One byte past the cap is how "exceeds" is detected.
    let limit = base.saturating_add(max_inflated.saturating_add(1));
    let hint = packed
        .len()
        .checked_sub(4)
        .filter(|at| *at >= start)
        .map(|at| {
            let size = &packed[at..];
            u32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize
        })
        .unwrap_or(0)
        .min(data.len().saturating_mul(MAX_DEFLATE_RATIO))
        .max(64);
    out.reserve_exact(hint.min(limit - base));
    let mut inflater = Decompress::new(false);
    let consumed = |inflater: &Decompress| inflater.total_in() as usize;
    let too_large = |out: &Vec<u8>, inflater: &Decompress| GzipError::TooLarge {
        max: max_inflated,
        inflated: out.len() - base,
        consumed: start + consumed(inflater),
    };
    loop {
        if out.len() >= limit {
            return Err(too_large(out, &inflater));
        }
        if out.len() == out.capacity() {
            let grown = out.capacity().saturating_mul(2).max(4096).min(limit);
            out.reserve_exact(grown - out.len());
        }
        let (in_before, out_before) = (consumed(&inflater), out.len());
        let status = inflater
            .decompress_vec(&data[in_before..], out, FlushDecompress::None)
            .map_err(|err| GzipError::Corrupt {
                offset: start + consumed(&inflater),
                message: err.to_string(),
            })?;
        if status == Status::StreamEnd {
            break;
        }
        if consumed(&inflater) == in_before && out.len() == out_before {
            // There was room for output, so no progress means no input left.
            return Err(GzipError::Truncated {
                offset: packed.len(),
                part: "deflate data",
            });
        }
    }
    if out.len() - base > max_inflated {
        return Err(too_large(out, &inflater));
    }
    let trailer_at = start + consumed(&inflater);
    let Some(trailer) = packed.get(trailer_at..trailer_at + 8) else {
        return Err(GzipError::Truncated {
            offset: packed.len(),
            part: "crc32 and size trailer",
        });
    };
    let inflated = &out[base..];
    let expected = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let computed = crc32fast::hash(inflated);
    if expected != computed {
        return Err(GzipError::CrcMismatch { expected, computed });
    }
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if size != inflated.len() as u32 {
        return Err(GzipError::SizeMismatch {
            expected: size,
            actual: inflated.len(),
        });
    }
    let end = trailer_at + 8;
    if end != packed.len() {
        return Err(GzipError::TrailingData {
            offset: end,
            count: packed.len() - end,
        });
    }
    Ok(())
}

/// The serialized size of `gzip_packed` holding `packed_len` bytes of gzip
/// data: the 4-byte constructor id plus the TL `bytes` encoding (1-byte
/// length up to 253 bytes, else 4 bytes; padded to a multiple of 4).
pub fn gzip_packed_len(packed_len: usize) -> usize {
    let prefix = if packed_len <= 253 { 1 } else { 4 };
    4 + (prefix + packed_len).div_ceil(4) * 4
}

/// Gzips `body` if it is longer than `threshold` bytes and the resulting
/// `gzip_packed` object ([`gzip_packed_len`]) would be smaller than `body`;
/// returns the gzip data to put in `packed_data`, or `None` to send `body`
/// as it is.
pub fn compress_if_smaller(body: &[u8], threshold: usize) -> Option<Vec<u8>> {
    if body.len() <= threshold {
        return None;
    }
    let mut packed = Vec::with_capacity(body.len() / 2);
    // Reading from a slice into a Vec cannot fail; a failure means "don't".
    flate2::read::GzEncoder::new(body, Compression::default())
        .read_to_end(&mut packed)
        .ok()?;
    (gzip_packed_len(packed.len()) < body.len()).then_some(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_packed_len_follows_tl_bytes_encoding() {
        assert_eq!(gzip_packed_len(0), 8);
        assert_eq!(gzip_packed_len(3), 8);
        assert_eq!(gzip_packed_len(4), 12);
        assert_eq!(gzip_packed_len(253), 4 + 256);
        assert_eq!(gzip_packed_len(254), 4 + 260);
        assert_eq!(gzip_packed_len(256), 4 + 260);
        assert_eq!(gzip_packed_len(257), 4 + 264);
    }

    #[test]
    fn header_with_every_optional_field() {
        let body = b"hello hello hello hello";
        let plain = {
            let mut v = Vec::new();
            flate2::read::GzEncoder::new(&body[..], Compression::default())
                .read_to_end(&mut v)
                .unwrap();
            v
        };
        // Rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC.
        let mut header = vec![
            0x1f,
            0x8b,
            8,
            FEXTRA | FNAME | FCOMMENT | FTEXT_FHCRC,
            0,
            0,
            0,
            0,
            0,
            3,
        ];
        header.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        header.extend_from_slice(b"name\0comment\0");
        let crc = crc32fast::hash(&header) as u16;
        header.extend_from_slice(&crc.to_le_bytes());
        let mut full = header.clone();
        full.extend_from_slice(&plain[10..]);
        assert_eq!(inflate(&full, 1024).unwrap(), body);

        let mut bad = full.clone();
        bad[header.len() - 1] ^= 1;
        assert!(matches!(inflate(&bad, 1024), Err(GzipError::Header { .. })));
        for cut in 0..header.len() {
            assert!(
                matches!(
                    inflate(&full[..cut], 1024),
                    Err(GzipError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
    }
}
