//! MTProxy secrets as users paste them.
//!
//! A secret is hex or base64url (standard base64 and `=` padding are
//! accepted too, as links carry both) and has one of three shapes:
//!
//! | bytes | meaning |
//! | --- | --- |
//! | 16 | [`Secret::Plain`]: obfuscated2 keyed with the secret |
//! | `dd` + 16 | [`Secret::Padded`]: the same, padded intermediate framing forced |
//! | `ee` + 16 + domain | [`Secret::FakeTls`]: obfuscated2 inside fake TLS, the domain as SNI |
//!
//! ```
//! use mtproto::transport::mtproxy::Secret;
//! use mtproto::transport::Kind;
//!
//! let secret: Secret = "dd00112233445566778899aabbccddeeff".parse().unwrap();
//! assert_eq!(secret.key()[0], 0x00);
//! assert_eq!(secret.kind(Kind::Intermediate).unwrap(), Kind::PaddedIntermediate);
//!
//! let secret: Secret = "7gABAgMEBQYHCAkKCwwNDg9leGFtcGxlLmNvbQ".parse().unwrap();
//! assert_eq!(secret, Secret::FakeTls { key: std::array::from_fn(|i| i as u8), domain: "example.com".into() });
//!
//! let err = "dd0011".parse::<Secret>().unwrap_err();
//! assert_eq!(err.to_string(), "MTProxy secret: 3 bytes after decoding, expected 16 bytes, `dd` + 16 bytes, or `ee` + 16 bytes + domain");
//! ```

use std::fmt;
use std::str::FromStr;

use super::obfuscated::ObfuscationError;
use super::Kind;

/// A parsed MTProxy secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// 16 bytes: obfuscated2 with keys hashed with them.
    Plain([u8; 16]),
    /// `dd` + 16 bytes: as [`Plain`](Self::Plain), and the client must use
    /// padded intermediate framing.
    Padded([u8; 16]),
    /// `ee` + 16 bytes + domain: fake TLS.
    FakeTls {
        /// The 16 key bytes.
        key: [u8; 16],
        /// The domain the ClientHello names (SNI).
        domain: String,
    },
}

impl Secret {
    /// The 16 key bytes that go into the obfuscation keys.
    pub fn key(&self) -> &[u8; 16] {
        match self {
            Secret::Plain(key) | Secret::Padded(key) | Secret::FakeTls { key, .. } => key,
        }
    }

    /// The transport to use when `wanted` is asked for: a `dd` secret turns
    /// intermediate and abridged into padded intermediate (the proxy reads
    /// padded framing, and a client that ignored the prefix would fail), and
    /// no secret allows the full transport.
    pub fn kind(&self, wanted: Kind) -> Result<Kind, ObfuscationError> {
        match (self, wanted) {
            (_, Kind::Full) => Err(ObfuscationError::FullTransport),
            (Secret::Padded(_), _) => Ok(Kind::PaddedIntermediate),
            (_, kind) => Ok(kind),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Key bytes stay out of logs.
        match self {
            Secret::Plain(_) => f.write_str("Secret::Plain(..)"),
            Secret::Padded(_) => f.write_str("Secret::Padded(..)"),
            Secret::FakeTls { domain, .. } => f
                .debug_struct("Secret::FakeTls")
                .field("domain", domain)
                .finish_non_exhaustive(),
        }
    }
}

/// Why a pasted secret was refused; each message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Nothing was given.
    #[error("MTProxy secret: empty, expected 32 hex digits (or base64url of 16 bytes), optionally prefixed by dd, or ee with a domain after")]
    Empty,
    /// Neither hex nor base64url.
    #[error("MTProxy secret: {found:?} at position {position} is neither hex nor base64url")]
    BadCharacter {
        /// The offending character.
        found: char,
        /// Its index among the characters.
        position: usize,
    },
    /// A base64 length no byte string has (one character over a group).
    #[error("MTProxy secret: {len} base64 characters cannot encode whole bytes")]
    BadBase64Length {
        /// The number of characters.
        len: usize,
    },
    /// The decoded bytes have none of the three shapes.
    #[error("MTProxy secret: {len} bytes after decoding, expected 16 bytes, `dd` + 16 bytes, or `ee` + 16 bytes + domain")]
    BadLength {
        /// The decoded length.
        len: usize,
    },
    /// A prefix other than `dd` or `ee` before 16 bytes.
    #[error("MTProxy secret: prefix {prefix:#04x} is unknown, expected dd (padded) or ee (fake TLS) before the 16 key bytes")]
    BadPrefix {
        /// The first byte.
        prefix: u8,
    },
    /// An `ee` secret without a domain.
    #[error("MTProxy secret: an ee (fake TLS) secret needs a domain after the 16 key bytes")]
    MissingDomain,
    /// The domain of an `ee` secret is not a host name.
    #[error("MTProxy secret: the fake-TLS domain must be printable ASCII without spaces, byte {position} is {found:#04x}")]
    BadDomain {
        /// The offending byte.
        found: u8,
        /// Its index in the domain.
        position: usize,
    },
}

impl FromStr for Secret {
    type Err = SecretError;

    fn from_str(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SecretError::Empty);
        }
        let bytes = match hex(text) {
            Some(bytes) => bytes,
            None => base64(text)?,
        };
        shape(&bytes)
    }
}

/// The bytes of an even-length all-hex string, or `None` to try base64.
/// A hex secret is never ambiguous: all three shapes in base64 need
/// characters beyond `0-9a-f`, except with astronomically small odds.
fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).expect("checked hex digit") as u8;
    Some(
        text.as_bytes()
            .chunks_exact(2)
            .map(|pair| digit(pair[0]) << 4 | digit(pair[1]))
            .collect(),
    )
}

/// base64url, also accepting the standard alphabet's `+` and `/` and
/// trailing `=` padding.
fn base64(text: &str) -> Result<Vec<u8>, SecretError> {
    let body = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (position, found) in body.chars().enumerate() {
        let value = match found {
            'A'..='Z' => found as u32 - 'A' as u32,
            'a'..='z' => found as u32 - 'a' as u32 + 26,
            '0'..='9' => found as u32 - '0' as u32 + 52,
            '-' | '+' => 62,
            '_' | '/' => 63,
            _ => return Err(SecretError::BadCharacter { found, position }),
        };
        acc = (acc << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if body.len() % 4 == 1 {
        return Err(SecretError::BadBase64Length { len: body.len() });
    }
    Ok(out)
}

fn shape(bytes: &[u8]) -> Result<Secret, SecretError> {
    fn key(rest: &[u8]) -> [u8; 16] {
        rest[..16].try_into().expect("16 bytes")
    }
    match bytes {
        _ if bytes.len() == 16 => Ok(Secret::Plain(key(bytes))),
        [0xdd, rest @ ..] if rest.len() == 16 => Ok(Secret::Padded(key(rest))),
        [0xee, rest @ ..] if rest.len() == 16 => Err(SecretError::MissingDomain),
        [0xee, rest @ ..] if rest.len() > 16 => {
            let domain = &rest[16..];
            if let Some(position) = domain.iter().position(|b| !b.is_ascii_graphic()) {
                return Err(SecretError::BadDomain {
                    found: domain[position],
                    position,
                });
            }
            Ok(Secret::FakeTls {
                key: key(rest),
                domain: String::from_utf8(domain.to_vec()).expect("checked ASCII"),
            })
        }
        [prefix, rest @ ..] if rest.len() == 16 => Err(SecretError::BadPrefix { prefix: *prefix }),
        _ => Err(SecretError::BadLength { len: bytes.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_HEX: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn shapes_in_hex_and_base64() {
        let key: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
        assert_eq!(KEY_HEX.parse(), Ok(Secret::Plain(key)));
        assert_eq!(format!("dd{KEY_HEX}").parse(), Ok(Secret::Padded(key)));
        assert_eq!(
            format!(
                "ee{KEY_HEX}{}",
                "t.me"
                    .bytes()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
            .parse(),
            Ok(Secret::FakeTls {
                key,
                domain: "t.me".into()
            })
        );
        // base64url and standard base64 with padding of the same 16 bytes.
        assert_eq!("ABEiM0RVZneImaq7zN3u_w".parse(), Ok(Secret::Plain(key)));
        assert_eq!("ABEiM0RVZneImaq7zN3u/w==".parse(), Ok(Secret::Plain(key)));
        assert_eq!(format!("  {KEY_HEX}\n").parse(), Ok(Secret::Plain(key)));
    }

    #[test]
    fn the_kind_a_secret_allows() {
        let padded = Secret::Padded([0; 16]);
        assert_eq!(padded.kind(Kind::Abridged), Ok(Kind::PaddedIntermediate));
        assert_eq!(
            Secret::Plain([0; 16]).kind(Kind::Abridged),
            Ok(Kind::Abridged)
        );
        assert_eq!(
            padded.kind(Kind::Full),
            Err(ObfuscationError::FullTransport)
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let secret: Secret = KEY_HEX.parse().unwrap();
        assert!(!format!("{secret:?}").contains("17"));
    }
}
