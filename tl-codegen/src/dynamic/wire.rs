//! The TL binary encoding of primitives: a bounds-checked reader that knows
//! its absolute offset (for error messages) and the matching writers.

use super::DecodeError;

/// A cursor over a bounded slice. `base` is the absolute offset of `buf[0]`
/// in the input the user gave, so errors point into that input even when
/// the reader was narrowed to a `message` body.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// The absolute offset of the next byte.
    pub(super) fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn error(&self, at: usize, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: at,
            message: message.into(),
        }
    }

    /// Takes `n` bytes; `what` names the value for the truncation error.
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.error(
                self.offset(),
                format!(
                    "input truncated: {what} needs {n} bytes, {} left",
                    self.remaining()
                ),
            ));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// A reader over the next `n` bytes, which this reader skips.
    pub(super) fn sub(&mut self, n: usize, what: &str) -> Result<Reader<'a>, DecodeError> {
        let base = self.offset();
        let buf = self.take(n, what)?;
        Ok(Reader::new(buf, base))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(super) fn i32(&mut self, what: &str) -> Result<i32, DecodeError> {
        self.u32(what).map(|v| v as i32)
    }

    pub(super) fn i64(&mut self, what: &str) -> Result<i64, DecodeError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }

    /// A `string`/`bytes` payload: the length prefix, the data and the
    /// padding to a multiple of 4. Returns the data's absolute offset too, so
    /// errors about the content (invalid UTF-8, bad gzip) can point at it.
    pub(super) fn tl_bytes(&mut self, what: &str) -> Result<(usize, &'a [u8]), DecodeError> {
        let start = self.offset();
        let first = self.take(1, what)?[0];
        let (len, header) = if first == 254 {
            let b = self.take(3, what)?;
            let len = usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16;
            // Only the canonical encoding is accepted, as in the generated
            // decoders, so that what decodes encodes back to the same bytes.
            if len < 254 {
                return Err(self.error(
                    start,
                    format!("{what}: long length prefix for {len} bytes (non-canonical)"),
                ));
            }
            (len, 4)
        } else if first == 255 {
            return Err(self.error(start, format!("{what}: invalid length prefix 0xff")));
        } else {
            (usize::from(first), 1)
        };
        let padding = (4 - (header + len) % 4) % 4;
        if len + padding > self.remaining() {
            return Err(self.error(
                start,
                format!(
                    "input truncated: {what} claims {len} bytes (+{padding} padding), {} left",
                    self.remaining()
                ),
            ));
        }
        let at = self.offset();
        let data = self.take(len, what)?;
        if self.take(padding, what)?.iter().any(|&b| b != 0) {
            return Err(self.error(
                at + len,
                format!("{what}: non-zero padding (non-canonical)"),
            ));
        }
        Ok((at, data))
    }
}

pub(super) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Writes `data` as TL `bytes`/`string`; `None` when it is longer than the
/// 24-bit length a TL string can carry.
pub(super) fn put_bytes(out: &mut Vec<u8>, data: &[u8]) -> Option<()> {
    let len = data.len();
    let header = if len <= 253 {
        out.push(len as u8);
        1
    } else if len < 1 << 24 {
        out.push(254);
        out.extend_from_slice(&(len as u32).to_le_bytes()[..3]);
        4
    } else {
        return None;
    };
    out.extend_from_slice(data);
    let padding = (4 - (header + len) % 4) % 4;
    out.extend(std::iter::repeat(0).take(padding));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_at_the_length_boundaries() {
        for len in [0, 1, 3, 4, 253, 254, 255, 1000, 70_000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut out = Vec::new();
            put_bytes(&mut out, &data).unwrap();
            assert_eq!(out.len() % 4, 0, "len {len}");
            let mut r = Reader::new(&out, 0);
            assert_eq!(r.tl_bytes("x").unwrap().1, &data[..]);
            assert_eq!(r.remaining(), 0);
        }
    }

    #[test]
    fn a_hostile_length_is_an_error_at_the_prefix() {
        let mut r = Reader::new(&[0, 0, 0, 0, 254, 255, 255, 255, 1, 2], 0);
        r.u32("pad").unwrap();
        let e = r.tl_bytes("field").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("truncated"), "{}", e.message);
    }
}
