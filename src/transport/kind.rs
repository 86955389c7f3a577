//! [`Kind`]: the four transports as a value, for telling them apart on a
//! server's first bytes, choosing one at run time, and naming the one an
//! error comes from.

use std::fmt;

use super::{abridged, full, intermediate, padded, Decode, Encode, Side};
use crate::random::RandomSource;

/// The four transports, for choosing one at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`abridged`]
    Abridged,
    /// [`intermediate`]
    Intermediate,
    /// [`padded`]
    PaddedIntermediate,
    /// [`full`]
    Full,
}

/// The result of [`Kind::detect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// The connection uses this transport.
    Kind(Kind),
    /// At least this many more first bytes are needed to tell.
    NeedMore(usize),
    /// An obfuscated connection: the first 64 bytes are the header for
    /// [`Obfuscation::server`](super::obfuscated::Obfuscation::server).
    /// Only [`Kind::detect_obfuscated`] says this.
    Obfuscated,
}

impl Kind {
    /// The transport's name, as error messages print it.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Abridged => "abridged",
            Kind::Intermediate => "intermediate",
            Kind::PaddedIntermediate => "padded intermediate",
            Kind::Full => "full",
        }
    }

    /// The bytes a client sends first on a connection of this kind.
    pub const fn prefix(self) -> &'static [u8] {
        match self {
            Kind::Abridged => abridged::PREFIX,
            Kind::Intermediate => intermediate::PREFIX,
            Kind::PaddedIntermediate => padded::PREFIX,
            Kind::Full => &[],
        }
    }

    /// Tells the transport from a connection's first bytes (server side).
    ///
    /// This is unambiguous: a full-transport length is a multiple of 4, so
    /// its first byte is never `0xef`, and a length of `0xeeeeeeee` or
    /// `0xdddddddd` would be far over any limit. The server decoder of the
    /// detected kind is then fed the same bytes, first bytes included.
    ///
    /// ```
    /// use mtproto::transport::{Detected, Kind};
    /// assert_eq!(Kind::detect(&[0xef, 0x05]), Detected::Kind(Kind::Abridged));
    /// assert_eq!(Kind::detect(&[0xee, 0xee]), Detected::NeedMore(2));
    /// assert_eq!(Kind::detect(&[0x10, 0, 0, 0]), Detected::Kind(Kind::Full));
    /// ```
    pub fn detect(first: &[u8]) -> Detected {
        match first {
            [] => Detected::NeedMore(1),
            [0xef, ..] => Detected::Kind(Kind::Abridged),
            [b @ (0xee | 0xdd), rest @ ..] => {
                let kind = if *b == 0xee {
                    Kind::Intermediate
                } else {
                    Kind::PaddedIntermediate
                };
                let seen = rest.iter().take(3).take_while(|x| *x == b).count();
                if seen == 3 {
                    Detected::Kind(kind)
                } else if seen == rest.len() {
                    Detected::NeedMore(3 - seen)
                } else {
                    Detected::Kind(Kind::Full)
                }
            }
            _ => Detected::Kind(Kind::Full),
        }
    }

    /// Tells the plain transports and obfuscation apart from a
    /// connection's first bytes (server side), for a server that accepts
    /// both.
    ///
    /// The plain prefixes win as in [`detect`](Self::detect); any other
    /// start needs 8 bytes: a plain full transport's first packet has
    /// sequence number 0, so its second word is zero, which an obfuscation
    /// header never has (clients redraw it, as they redraw every plain
    /// prefix).
    ///
    /// ```
    /// use mtproto::transport::{Detected, Kind};
    /// assert_eq!(Kind::detect_obfuscated(&[0xef]), Detected::Kind(Kind::Abridged));
    /// assert_eq!(Kind::detect_obfuscated(&[0x10, 0, 0, 0]), Detected::NeedMore(4));
    /// assert_eq!(Kind::detect_obfuscated(&[0x10, 0, 0, 0, 0, 0, 0, 0]), Detected::Kind(Kind::Full));
    /// assert_eq!(Kind::detect_obfuscated(&[0x10, 0, 0, 0, 1, 0, 0, 0]), Detected::Obfuscated);
    /// ```
    pub fn detect_obfuscated(first: &[u8]) -> Detected {
        match Self::detect(first) {
            Detected::Kind(Kind::Full) => match first.get(4..8) {
                None => Detected::NeedMore(8 - first.len()),
                Some([0, 0, 0, 0]) => Detected::Kind(Kind::Full),
                Some(_) => Detected::Obfuscated,
            },
            other => other,
        }
    }

    /// A boxed encoder of this kind; `rng` is used only by the padded
    /// transport.
    pub fn encoder<R: RandomSource + Send + 'static>(
        self,
        side: Side,
        rng: R,
    ) -> Box<dyn Encode + Send> {
        match self {
            Kind::Abridged => Box::new(abridged::Encoder::new(side)),
            Kind::Intermediate => Box::new(intermediate::Encoder::new(side)),
            Kind::PaddedIntermediate => Box::new(padded::Encoder::new(side, rng)),
            Kind::Full => Box::new(full::Encoder::new(side)),
        }
    }

    /// A boxed decoder of this kind with the default packet limit.
    pub fn decoder(self, side: Side) -> Box<dyn Decode + Send> {
        match self {
            Kind::Abridged => Box::new(abridged::Decoder::new(side)),
            Kind::Intermediate => Box::new(intermediate::Decoder::new(side)),
            Kind::PaddedIntermediate => Box::new(padded::Decoder::new(side)),
            Kind::Full => Box::new(full::Decoder::new(side)),
        }
    }
}

/// The names error messages print.
impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_every_prefix_and_partial_prefix() {
        assert_eq!(Kind::detect(&[]), Detected::NeedMore(1));
        assert_eq!(Kind::detect(&[0xef]), Detected::Kind(Kind::Abridged));
        assert_eq!(Kind::detect(&[0xee]), Detected::NeedMore(3));
        assert_eq!(Kind::detect(&[0xee, 0xee, 0xee]), Detected::NeedMore(1));
        assert_eq!(
            Kind::detect(&[0xee, 0xee, 0xee, 0xee]),
            Detected::Kind(Kind::Intermediate)
        );
        assert_eq!(
            Kind::detect(&[0xdd, 0xdd, 0xdd, 0xdd, 1]),
            Detected::Kind(Kind::PaddedIntermediate)
        );
        assert_eq!(
            Kind::detect(&[0xdd, 0xdd, 0x00]),
            Detected::Kind(Kind::Full)
        );
        assert_eq!(Kind::detect(&[0x0c, 0, 0, 0]), Detected::Kind(Kind::Full));
        for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
            assert_eq!(Kind::detect(kind.prefix()), Detected::Kind(kind));
        }
    }

    #[test]
    fn detect_obfuscated_keeps_plain_prefixes_and_waits_for_8_bytes() {
        for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
            assert_eq!(Kind::detect_obfuscated(kind.prefix()), Detected::Kind(kind));
        }
        assert_eq!(Kind::detect_obfuscated(&[]), Detected::NeedMore(1));
        assert_eq!(
            Kind::detect_obfuscated(&[0xee, 0xee]),
            Detected::NeedMore(2)
        );
        // A partial plain prefix that turns out not to be one is decided by
        // the second word, like any other start.
        assert_eq!(
            Kind::detect_obfuscated(&[0xee, 0xee, 0x00]),
            Detected::NeedMore(5)
        );
        assert_eq!(
            Kind::detect_obfuscated(&[0xee, 0xee, 0, 1, 2, 3, 4, 5]),
            Detected::Obfuscated
        );
        assert_eq!(
            Kind::detect_obfuscated(&[0x0c, 0, 0, 0, 0, 0, 0, 0, 9]),
            Detected::Kind(Kind::Full)
        );
    }
}
