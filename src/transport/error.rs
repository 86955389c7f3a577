//! Why a transport gave up: on an incoming stream ([`TransportError`],
//! final for that stream) or on one outgoing frame ([`EncodeError`], after
//! which the encoder is still usable).

use super::{Kind, Side};

/// Why a decoder gave up on a stream. Offsets count bytes from the start of
/// the stream, including the connection's first bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// A server decoder expected the transport's first bytes and got others.
    #[error("{transport}: the connection must start with {expected:02x?}, byte {offset} is {found:#04x}")]
    BadPrefix {
        /// The transport.
        transport: Kind,
        /// The first bytes the transport starts with.
        expected: &'static [u8],
        /// The stream offset of the first byte that differs.
        offset: u64,
        /// That byte.
        found: u8,
    },
    /// A frame claims a length above the decoder's limit; detected from the
    /// header alone, before any of the body is awaited.
    #[error("{transport}: the packet at offset {offset} claims {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// The transport.
        transport: Kind,
        /// Stream offset of the frame's header.
        offset: u64,
        /// The claimed payload length.
        len: u64,
        /// The decoder's limit.
        max: usize,
    },
    /// A frame's length field is impossible for this transport.
    #[error("{transport}: the packet at offset {offset} has invalid length {len}: {reason}")]
    BadLength {
        /// The transport.
        transport: Kind,
        /// Stream offset of the frame's header.
        offset: u64,
        /// The length field's value, in bytes.
        len: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A full-transport packet's crc32 does not match its bytes.
    #[error("full: crc32 mismatch in the packet at offset {offset}: it carries {expected:#010x}, its bytes give {computed:#010x}")]
    CrcMismatch {
        /// Stream offset of the packet's length field.
        offset: u64,
        /// The crc32 the packet carries.
        expected: u32,
        /// The crc32 of the packet's length, seq and payload.
        computed: u32,
    },
    /// A full-transport packet's sequence number is not the next one.
    #[error("full: the packet at offset {offset} has seq {found}, expected {expected}")]
    SeqMismatch {
        /// Stream offset of the packet's length field.
        offset: u64,
        /// The next sequence number of this direction.
        expected: u32,
        /// The one the packet carries.
        found: u32,
    },
    /// The server sent a transport error code instead of a packet. It closes
    /// the connection after it.
    #[error("the server reported transport error {code} ({}) in the packet at offset {offset}", describe_server_code(*.code))]
    Server {
        /// The (negative) code: -404, -429, -444, ...
        code: i32,
        /// Stream offset of the packet's header.
        offset: u64,
    },
}

impl TransportError {
    /// The server's transport error code, for [`TransportError::Server`].
    pub fn server_code(&self) -> Option<i32> {
        match self {
            TransportError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

fn describe_server_code(code: i32) -> &'static str {
    match code {
        -404 => "auth key not found, or a message that could not be routed",
        -429 => "too many connections or transport flood",
        -444 => "invalid DC",
        _ => "unknown code",
    }
}

/// Why an encoder refused to frame something. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Transports carry no empty packets (decoders reject them as a sign of
    /// a desynchronised stream).
    #[error("{transport}: cannot frame an empty packet")]
    Empty {
        /// The transport.
        transport: Kind,
    },
    /// The transport counts length in 4-byte words.
    #[error("{transport}: a packet of {len} bytes is not a multiple of 4")]
    Unaligned {
        /// The transport.
        transport: Kind,
        /// The packet's length.
        len: usize,
    },
    /// The length does not fit the transport's length field.
    #[error("{transport}: a packet of {len} bytes exceeds the transport's maximum of {max}")]
    TooLong {
        /// The transport.
        transport: Kind,
        /// The packet's length.
        len: usize,
        /// The largest payload the length field can describe.
        max: usize,
    },
    /// The operation belongs to the other end of the connection.
    #[error("{}: only a {allowed} may {what}", .transport.map_or("transport", Kind::name))]
    WrongSide {
        /// The transport; `None` for the check every [`Encode`](super::Encode)
        /// shares before sending a transport error, which does not know it.
        transport: Option<Kind>,
        /// What was attempted.
        what: &'static str,
        /// The side that may do it.
        allowed: Side,
    },
    /// Transport error codes are negative.
    #[error("transport error codes are negative, {code} is not")]
    BadErrorCode {
        /// The rejected code.
        code: i32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages name the transport as they did when it was a string.
    #[test]
    fn messages_name_the_transport() {
        let err = TransportError::BadLength {
            transport: Kind::PaddedIntermediate,
            offset: 8,
            len: 3,
            reason: "shorter than 4 bytes",
        };
        assert_eq!(
            err.to_string(),
            "padded intermediate: the packet at offset 8 has invalid length 3: shorter than 4 bytes"
        );
        let err = EncodeError::WrongSide {
            transport: Some(Kind::Abridged),
            what: "send quick-ack tokens",
            allowed: Side::Server,
        };
        assert_eq!(
            err.to_string(),
            "abridged: only a server may send quick-ack tokens"
        );
        let err = EncodeError::WrongSide {
            transport: None,
            what: "send transport errors",
            allowed: Side::Server,
        };
        assert_eq!(
            err.to_string(),
            "transport: only a server may send transport errors"
        );
    }
}
