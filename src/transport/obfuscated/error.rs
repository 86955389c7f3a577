//! Why an obfuscated connection could not be set up.

use std::fmt;

use crate::transport::{Kind, Side};

/// Why an obfuscation header was refused or an obfuscated codec could not
/// be built. Every problem a peer's bytes can cause is one of these, never
/// a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObfuscationError {
    /// The full transport has no protocol tag, so it cannot be obfuscated.
    #[error("obfuscated2: the full transport cannot be obfuscated (it has no protocol tag); use abridged, intermediate or padded intermediate")]
    FullTransport,
    /// The header starts in a way no client draws: a client redraws such
    /// starts because they look like another protocol.
    #[error("obfuscated2: a header may not start with {0}")]
    ForbiddenStart(ForbiddenStart),
    /// The decrypted protocol tag is none of the three; with an MTProxy
    /// secret this is also what a wrong secret gives.
    #[error("obfuscated2: unknown protocol tag {tag:02x?}, expected ef ef ef ef (abridged), ee ee ee ee (intermediate) or dd dd dd dd (padded intermediate); a wrong MTProxy secret also gives this")]
    UnknownTag {
        /// The four decrypted tag bytes (header bytes 56..60).
        tag: [u8; 4],
    },
    /// The stream ended before the 64-byte header was complete.
    #[error("obfuscated2: the stream ended after {got} of the 64 header bytes")]
    TruncatedHeader {
        /// The header bytes received.
        got: usize,
    },
    /// The transport handed to the codec is not the one the header names.
    #[error("obfuscated2: the header names the {header} transport, the codec was given {given}")]
    KindMismatch {
        /// The transport in the header.
        header: Kind,
        /// The transport of the encoder or decoder.
        given: Kind,
    },
    /// An encoder or decoder of the other side was handed in.
    #[error("obfuscated2: the {role} codec needs a {role} encoder and decoder, one of them is for the {found}")]
    WrongSide {
        /// The side being built.
        role: Side,
        /// The side of the encoder or decoder that does not fit.
        found: Side,
    },
    /// The MTProxy secret demands padded intermediate framing (`dd`) and
    /// another transport was asked for.
    #[error(
        "obfuscated2: a `dd` MTProxy secret requires padded intermediate framing, not {given}"
    )]
    PaddingRequired {
        /// The transport that was asked for.
        given: Kind,
    },
}

/// The starts a client never sends, because a middlebox would read them as
/// another protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForbiddenStart {
    /// First byte `0xef`: plain abridged.
    AbridgedByte,
    /// A first word that is an HTTP method, a TLS handshake record, or a
    /// plain intermediate or padded intermediate prefix.
    Word([u8; 4]),
    /// Second word zero: the sequence number of a plain full transport's
    /// first packet.
    ZeroSecondWord,
}

impl fmt::Display for ForbiddenStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForbiddenStart::AbridgedByte => f.write_str("0xef (plain abridged)"),
            ForbiddenStart::Word(word) => {
                let what = match word {
                    b"HEAD" | b"POST" | b"GET " | b"OPTI" => "an HTTP request",
                    [0x16, 0x03, 0x01, 0x02] => "a TLS handshake record",
                    [0xee, 0xee, 0xee, 0xee] => "plain intermediate",
                    [0xdd, 0xdd, 0xdd, 0xdd] => "plain padded intermediate",
                    _ => "a forbidden word",
                };
                write!(f, "{word:02x?} ({what})")
            }
            ForbiddenStart::ZeroSecondWord => {
                f.write_str("a zero second word (plain full transport)")
            }
        }
    }
}
