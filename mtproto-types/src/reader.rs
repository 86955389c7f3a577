//! A zero-copy reader over TL-serialized bytes.

use crate::error::{Error, ErrorKind, Result};

/// Nesting limit of a [`Reader`] created with [`Reader::new`].
///
/// Deep enough for every real Telegram object (rich text and page blocks
/// nest a handful of levels), shallow enough that a hostile input cannot
/// exhaust the stack of a thread with the 2 MiB default.
pub const DEFAULT_MAX_DEPTH: u32 = 64;

/// Reads TL values out of a borrowed buffer without copying.
///
/// `string`, `bytes` and raw objects come out as slices of the input, so
/// decoded values borrow from it. Every read is bounds-checked and fails with
/// an [`Error`] carrying the absolute offset; nothing ever panics and nothing
/// allocates more than the input can back.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    /// The bytes not yet read. Keeping only these (not the whole input and
    /// a position) makes every read one length check: with a position, each
    /// read also checked that the position was within the input.
    rest: &'a [u8],
    /// Offset of the end of `rest` in the outermost input, so that offsets
    /// (`end - rest.len()`) are absolute in sub-readers too.
    end: usize,
    depth: u32,
    max_depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`, with [`DEFAULT_MAX_DEPTH`].
    #[inline]
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            rest: buf,
            end: buf.len(),
            depth: 0,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// Replaces the nesting limit.
    #[inline]
    pub fn with_max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Absolute offset of the next byte to read.
    #[inline]
    pub fn offset(&self) -> usize {
        self.end - self.rest.len()
    }

    /// Bytes not yet read.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every byte has been read.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// An error of `kind` at the current offset.
    #[inline]
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.offset())
    }

    /// Fails with [`ErrorKind::TrailingBytes`] unless everything was read.
    pub fn finish(&self) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(self.error(ErrorKind::TrailingBytes { count })),
        }
    }

    /// The next `n` bytes, borrowed.
    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        match self.rest.split_at_checked(n) {
            Some((bytes, rest)) => {
                self.rest = rest;
                Ok(bytes)
            }
            None => Err(eof(self.offset(), n, self.remaining())),
        }
    }

    /// Everything not yet read, borrowed; the reader is left empty.
    #[inline]
    pub fn take_rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.rest)
    }

    /// A reader over the next `n` bytes (which this reader skips), keeping
    /// absolute offsets and the current depth.
    #[inline]
    pub fn sub_reader(&mut self, n: usize) -> Result<Reader<'a>> {
        let start = self.offset();
        let buf = self.take(n)?;
        Ok(Reader {
            rest: buf,
            end: start + n,
            depth: self.depth,
            max_depth: self.max_depth,
        })
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// A little-endian `u32` (constructor ids, flags).
    #[inline]
    pub fn read_u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// The next little-endian `u32` without consuming it.
    pub fn peek_u32(&self) -> Result<u32> {
        self.clone().read_u32()
    }

    /// A TL `int`.
    #[inline]
    pub fn read_i32(&mut self) -> Result<i32> {
        self.array().map(i32::from_le_bytes)
    }

    /// A TL `long`.
    #[inline]
    pub fn read_i64(&mut self) -> Result<i64> {
        self.array().map(i64::from_le_bytes)
    }

    /// A TL `double`.
    pub fn read_f64(&mut self) -> Result<f64> {
        self.array().map(f64::from_le_bytes)
    }

    /// A TL `int128`, as raw bytes.
    pub fn read_int128(&mut self) -> Result<[u8; 16]> {
        self.array()
    }

    /// A TL `int256`, as raw bytes.
    pub fn read_int256(&mut self) -> Result<[u8; 32]> {
        self.array()
    }

    /// A TL `bytes` (or `string`) value: its length prefix, data and padding.
    ///
    /// Only the canonical encoding is accepted (short form for lengths up to
    /// 253, zero padding), so that whatever decodes re-encodes to the same bytes.
    pub fn read_tl_bytes(&mut self) -> Result<&'a [u8]> {
        let start = self.offset();
        let first = self.take(1)?[0];
        let (len, header) = if first == 254 {
            let b = self.take(3)?;
            let len = usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16;
            if len < 254 {
                return Err(Error::new(
                    ErrorKind::NonCanonical("long length prefix for a short string"),
                    start,
                ));
            }
            (len, 4)
        } else if first == 255 {
            return Err(Error::new(
                ErrorKind::NonCanonical("length prefix byte 255"),
                start,
            ));
        } else {
            (usize::from(first), 1)
        };
        let data = self.take(len)?;
        let padding = crate::padding_of(header + len);
        let pad = self.take(padding)?;
        if pad.iter().any(|&b| b != 0) {
            return Err(Error::new(
                ErrorKind::NonCanonical("non-zero padding after string"),
                self.offset() - padding,
            ));
        }
        Ok(data)
    }

    /// A TL `string` as UTF-8 text.
    pub fn read_str(&mut self) -> Result<&'a str> {
        let start = self.offset();
        let bytes = self.read_tl_bytes()?;
        // From 64 bytes on, simdutf8: std checks non-ASCII text about a byte
        // at a time, and most of Telegram's text is not ASCII (the codec
        // bench's `strings` group, in BENCHMARKS.md: 91 bytes of Cyrillic
        // 3.4x faster, 4 KB of mixed scripts 11x). Below that simdutf8 has
        // no SIMD path and only adds its dispatch. Both accept exactly the
        // same inputs (tests/utf8.rs).
        let text = if bytes.len() < 64 {
            std::str::from_utf8(bytes).ok()
        } else {
            simdutf8::basic::from_utf8(bytes).ok()
        };
        text.ok_or_else(|| Error::new(ErrorKind::InvalidUtf8, start))
    }

    /// Reads a vector element count and checks that `count` elements of at
    /// least `min_element_len` bytes each fit in what is left, so a hostile
    /// count can never make the caller allocate more than the input backs.
    #[inline]
    pub fn read_vector_len(&mut self, min_element_len: usize) -> Result<usize> {
        let count = self.read_u32()?;
        let needed = (count as usize).saturating_mul(min_element_len.max(1));
        if needed > self.remaining() {
            return Err(vector_too_long(self.offset() - 4, count, self.remaining()));
        }
        Ok(count as usize)
    }

    /// Reads a constructor id that must be `id`, the id of the constructor
    /// `name` (named in the error otherwise).
    #[inline]
    pub fn expect_constructor(&mut self, id: u32, name: &'static str) -> Result<()> {
        let found = self.read_u32()?;
        if found == id {
            Ok(())
        } else {
            Err(unknown_constructor(self.offset() - 4, found, name))
        }
    }

    /// Reads the boxed vector id `0x1cb5c415`.
    #[inline]
    pub fn expect_vector_id(&mut self) -> Result<()> {
        self.expect_constructor(crate::VECTOR_ID, "Vector")
    }

    /// Reads an `Object` whose length `len` came from a preceding field
    /// (`message.bytes`), checking that it fits what is left.
    #[inline]
    pub fn read_sized_object(
        &mut self,
        len: i32,
        field: &'static str,
    ) -> Result<crate::RawObject<'a>> {
        // An object is at least its constructor id; the checks and the
        // error are kept apart so that this stays small enough to inline
        // into every `message` decoder (out of line, it cost containers a
        // call per entry).
        let fits = usize::try_from(len)
            .ok()
            .filter(|&n| n >= 4 && n <= self.remaining());
        match fits {
            Some(n) => {
                let (bytes, rest) = self.rest.split_at(n);
                self.rest = rest;
                Ok(crate::RawObject(std::borrow::Cow::Borrowed(bytes)))
            }
            None => Err(bad_object_len(self.offset(), len, field, self.remaining())),
        }
    }

    /// Enters one level of nesting; fails when the limit is reached. Pair
    /// with [`Reader::leave`].
    #[inline]
    pub fn enter(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(self.error(ErrorKind::TooDeep {
                limit: self.max_depth,
            }));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves one level of nesting entered with [`Reader::enter`].
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

// The errors of the reads that inline into every decoder are built out of
// line, from plain values: given `&Reader`, they took the reader's address,
// and a decoder then kept its reader in memory, storing it back after every
// read (a container's loop did, until this).

/// A read of `needed` bytes at `offset` past the end.
#[cold]
#[inline(never)]
fn eof(offset: usize, needed: usize, available: usize) -> Error {
    Error::new(ErrorKind::UnexpectedEof { needed, available }, offset)
}

/// An unexpected constructor id read at `offset`.
#[cold]
#[inline(never)]
fn unknown_constructor(offset: usize, id: u32, expected: &'static str) -> Error {
    Error::new(ErrorKind::UnknownConstructor { id, expected }, offset)
}

/// A vector count at `offset` whose elements cannot fit in what is left.
#[cold]
#[inline(never)]
fn vector_too_long(offset: usize, count: u32, available: usize) -> Error {
    Error::new(ErrorKind::VectorTooLong { count, available }, offset)
}

/// An object length (from a preceding field) that cannot be.
#[cold]
#[inline(never)]
fn bad_object_len(offset: usize, len: i32, field: &'static str, available: usize) -> Error {
    Error::new(
        ErrorKind::InvalidLength {
            field,
            claimed: i64::from(len),
            available,
        },
        offset,
    )
}
