//! The one error type of TL decoding: what failed, and at which byte offset.

use std::fmt;

/// A decoding failure, with the byte offset (from the start of the buffer the
/// [`Reader`](crate::Reader) was created on) where it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Byte offset into the input where decoding failed.
    pub offset: usize,
}

/// What went wrong while decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input ended: `needed` more bytes were required, `available` were left.
    UnexpectedEof {
        /// Bytes the value needed.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// A constructor id that the expected type does not have.
    UnknownConstructor {
        /// The id read from the input.
        id: u32,
        /// The TL type that was being decoded.
        expected: &'static str,
    },
    /// A vector claims more elements than the remaining input can hold.
    VectorTooLong {
        /// The claimed element count.
        count: u32,
        /// Bytes left in the input after the count.
        available: usize,
    },
    /// A `string` field that is not valid UTF-8.
    InvalidUtf8,
    /// The padding after a `string`/`bytes` field is not zero, or a long
    /// length prefix encodes a length that fits the short form.
    NonCanonical(&'static str),
    /// A length field (such as `message.bytes`) disagrees with the input.
    InvalidLength {
        /// The field carrying the length.
        field: &'static str,
        /// The value it claimed.
        claimed: i64,
        /// Bytes that were actually available.
        available: usize,
    },
    /// A value was decoded but bytes were left over.
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// Nested values went deeper than the reader allows.
    TooDeep {
        /// The reader's nesting limit.
        limit: u32,
    },
    /// A structural rule of the protocol does not hold (a message over the
    /// container limits, a nested container…).
    Invalid(&'static str),
}

impl Error {
    /// An error of `kind` at `offset`.
    #[inline]
    pub fn new(kind: ErrorKind, offset: usize) -> Self {
        Error { kind, offset }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::UnexpectedEof { needed, available } => write!(
                f,
                "unexpected end of input: needed {needed} bytes, {available} left"
            ),
            ErrorKind::UnknownConstructor { id, expected } => {
                write!(f, "unknown constructor id {id:#010x} for type {expected}")
            }
            ErrorKind::VectorTooLong { count, available } => write!(
                f,
                "vector claims {count} elements but only {available} bytes are left"
            ),
            ErrorKind::InvalidUtf8 => f.write_str("string is not valid UTF-8"),
            ErrorKind::NonCanonical(what) => write!(f, "non-canonical encoding: {what}"),
            ErrorKind::InvalidLength {
                field,
                claimed,
                available,
            } => write!(
                f,
                "field `{field}` claims {claimed} bytes but {available} are available"
            ),
            ErrorKind::TrailingBytes { count } => {
                write!(f, "{count} trailing bytes after the value")
            }
            ErrorKind::TooDeep { limit } => {
                write!(f, "values nested deeper than the limit of {limit}")
            }
            ErrorKind::Invalid(what) => f.write_str(what),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte offset {}", self.kind, self.offset)
    }
}

impl std::error::Error for Error {}

/// Shorthand for decoding results.
pub type Result<T> = std::result::Result<T, Error>;
