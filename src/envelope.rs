//! MTProto message envelopes: what a transport packet holds.
//!
//! * [`PlainMessage`]: an unencrypted message, used while creating an auth
//!   key: `auth_key_id:long (0) | message_id:long | message_data_length:int |
//!   message_data`.
//! * [`EncryptedEnvelope`]: the outside of an encrypted (MTProto 2.0)
//!   message: `auth_key_id:long | msg_key:int128 | encrypted_data`.
//! * [`EncryptedPlaintext`]: the inside of `encrypted_data` once decrypted:
//!   `salt:long | session_id:long | message_id:long | seq_no:int |
//!   message_data_length:int | message_data | padding`, with 12..=1024
//!   bytes of padding and a total that is a multiple of 16.
//!
//! Decoding borrows the body from the input and checks every length; errors
//! say what is wrong and at which byte offset of the decoded buffer.
//! The cryptography (`msg_key`, AES-IGE) is not here: an encryption layer
//! encodes an [`EncryptedPlaintext`], encrypts it, and wraps the result in an
//! [`EncryptedEnvelope`]; decoding runs the other way.
//!
//! All integers are little-endian. Message bodies are TL serializations and
//! so multiples of 4 bytes; both directions enforce that.

use crate::random::RandomSource;

/// Why an envelope could not be decoded or encoded. Offsets are byte
/// positions in the buffer given to the decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The buffer ends inside the fixed header.
    #[error("{what}: {len} bytes are too short for the {needed}-byte header")]
    Truncated {
        /// Which layout was being decoded.
        what: &'static str,
        /// The buffer's length.
        len: usize,
        /// The bytes the header needs.
        needed: usize,
    },
    /// An unencrypted message carries a non-zero `auth_key_id`.
    #[error("unencrypted message: auth_key_id at offset 0 must be 0, found {found:#018x}")]
    NonZeroAuthKeyId {
        /// The `auth_key_id` found.
        found: u64,
    },
    /// An encrypted message carries a zero `auth_key_id`.
    #[error("encrypted message: auth_key_id at offset 0 is 0, which marks an unencrypted message")]
    ZeroAuthKeyId,
    /// `message_data_length` is negative or runs past the buffer.
    #[error("{what}: message_data_length {declared} at offset {offset} does not fit the {available} bytes after the header")]
    BadLength {
        /// Which layout was being decoded.
        what: &'static str,
        /// Offset of the `message_data_length` field.
        offset: usize,
        /// The declared length.
        declared: i32,
        /// The bytes after the header.
        available: usize,
    },
    /// `message_data_length` is not a multiple of 4.
    #[error("{what}: message_data_length {declared} at offset {offset} is not a multiple of 4")]
    UnalignedLength {
        /// Which layout was being decoded.
        what: &'static str,
        /// Offset of the `message_data_length` field.
        offset: usize,
        /// The declared length.
        declared: i32,
    },
    /// Bytes follow the message where none may.
    #[error("{what}: {count} unexpected trailing bytes at offset {offset}")]
    TrailingBytes {
        /// Which layout was being decoded.
        what: &'static str,
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
    /// The padding after the body is outside 12..=1024 bytes.
    #[error("encrypted plaintext: {len} bytes of padding at offset {offset}, expected 12..=1024")]
    BadPadding {
        /// Where the padding starts.
        offset: usize,
        /// Its length.
        len: usize,
    },
    /// A length that must be a multiple of 16 (AES blocks) is not.
    #[error("{what}: {len} bytes are not a multiple of 16")]
    NotBlockAligned {
        /// Which buffer.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A body to encode is not a multiple of 4 or too long for an `int` length.
    #[error("{what}: cannot encode a body of {len} bytes: {reason}")]
    BadBody {
        /// Which layout was being encoded.
        what: &'static str,
        /// The body's length.
        len: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

const PLAIN: &str = "unencrypted message";
const OUTER: &str = "encrypted message";
const INNER: &str = "encrypted plaintext";

fn le32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> i64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    i64::from_le_bytes(w)
}

/// Checks a body length for encoding and returns it as the `int` field.
fn body_len_field(what: &'static str, body: &[u8]) -> Result<i32, EnvelopeError> {
    let bad = |reason| EnvelopeError::BadBody {
        what,
        len: body.len(),
        reason,
    };
    if body.len() % 4 != 0 {
        return Err(bad("not a multiple of 4"));
    }
    i32::try_from(body.len()).map_err(|_| bad("longer than an int length can say"))
}

/// Reads `message_data_length` at `offset` and returns the body it
/// announces, which must fit in `buf` after the field.
fn body_at<'a>(
    what: &'static str,
    buf: &'a [u8],
    offset: usize,
) -> Result<&'a [u8], EnvelopeError> {
    let declared = le32(buf, offset);
    let start = offset + 4;
    let available = buf.len() - start;
    let len = usize::try_from(declared)
        .ok()
        .filter(|len| *len <= available)
        .ok_or(EnvelopeError::BadLength {
            what,
            offset,
            declared,
            available,
        })?;
    if len % 4 != 0 {
        return Err(EnvelopeError::UnalignedLength {
            what,
            offset,
            declared,
        });
    }
    Ok(&buf[start..start + len])
}

/// An unencrypted message: `auth_key_id (0) | message_id | length | body`.
///
/// ```
/// use mtproto::envelope::PlainMessage;
///
/// let body = [1, 2, 3, 4];
/// let msg = PlainMessage { msg_id: 0x5e0b_700a_0000_0000, body: &body };
/// let mut packet = Vec::new();
/// msg.encode(&mut packet).unwrap();
/// assert_eq!(packet.len(), PlainMessage::HEADER_LEN + 4);
/// assert_eq!(PlainMessage::decode(&packet).unwrap(), msg);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainMessage<'a> {
    /// `message_id`.
    pub msg_id: i64,
    /// `message_data`: a TL-serialized object.
    pub body: &'a [u8],
}

impl<'a> PlainMessage<'a> {
    /// Bytes before the body.
    pub const HEADER_LEN: usize = 20;

    /// The encoded length.
    pub fn encoded_len(&self) -> usize {
        Self::HEADER_LEN + self.body.len()
    }

    /// Appends the message to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
        let len = body_len_field(PLAIN, self.body)?;
        out.reserve(self.encoded_len());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&self.msg_id.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(self.body);
        Ok(())
    }

    /// Decodes a packet that holds exactly one unencrypted message.
    pub fn decode(packet: &'a [u8]) -> Result<Self, EnvelopeError> {
        let (msg, rest) = Self::decode_prefix(packet)?;
        if !rest.is_empty() {
            return Err(EnvelopeError::TrailingBytes {
                what: PLAIN,
                offset: packet.len() - rest.len(),
                count: rest.len(),
            });
        }
        Ok(msg)
    }

    /// Decodes an unencrypted message at the start of `packet` and returns
    /// the bytes after it, for transports that pad packets (padded
    /// intermediate).
    pub fn decode_prefix(packet: &'a [u8]) -> Result<(Self, &'a [u8]), EnvelopeError> {
        if packet.len() < Self::HEADER_LEN {
            return Err(EnvelopeError::Truncated {
                what: PLAIN,
                len: packet.len(),
                needed: Self::HEADER_LEN,
            });
        }
        let auth_key_id = le64(packet, 0);
        if auth_key_id != 0 {
            return Err(EnvelopeError::NonZeroAuthKeyId {
                found: auth_key_id as u64,
            });
        }
        let body = body_at(PLAIN, packet, 16)?;
        let msg = PlainMessage {
            msg_id: le64(packet, 8),
            body,
        };
        Ok((msg, &packet[Self::HEADER_LEN + body.len()..]))
    }
}

/// The outside of an encrypted message:
/// `auth_key_id | msg_key | encrypted_data`.
///
/// `auth_key_id` is the low 64 bits of SHA-1 of the auth key, kept as the
/// `long` it is on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedEnvelope<'a> {
    /// `auth_key_id`, never 0.
    pub auth_key_id: i64,
    /// `msg_key`: the middle 128 bits of the SHA-256 that authenticates the
    /// plaintext.
    pub msg_key: [u8; 16],
    /// The AES-IGE ciphertext of an [`EncryptedPlaintext`], a multiple of 16
    /// bytes.
    pub encrypted_data: &'a [u8],
}

impl<'a> EncryptedEnvelope<'a> {
    /// Bytes before `encrypted_data`.
    pub const HEADER_LEN: usize = 24;

    /// The encoded length.
    pub fn encoded_len(&self) -> usize {
        Self::HEADER_LEN + self.encrypted_data.len()
    }

    /// Appends the envelope to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EnvelopeError> {
        if self.auth_key_id == 0 {
            return Err(EnvelopeError::ZeroAuthKeyId);
        }
        check_blocks(OUTER, self.encrypted_data.len())?;
        out.reserve(self.encoded_len());
        out.extend_from_slice(&self.auth_key_id.to_le_bytes());
        out.extend_from_slice(&self.msg_key);
        out.extend_from_slice(self.encrypted_data);
        Ok(())
    }

    /// Decodes a packet that holds exactly one encrypted message.
    pub fn decode(packet: &'a [u8]) -> Result<Self, EnvelopeError> {
        let env = Self::split(packet)?;
        check_blocks(OUTER, env.encrypted_data.len())?;
        Ok(env)
    }

    /// Decodes an encrypted message followed by up to 15 bytes of transport
    /// padding (padded intermediate): `encrypted_data` is cut to a multiple
    /// of 16.
    pub fn decode_padded(packet: &'a [u8]) -> Result<Self, EnvelopeError> {
        let mut env = Self::split(packet)?;
        let data = env.encrypted_data;
        env.encrypted_data = &data[..data.len() - data.len() % 16];
        Ok(env)
    }

    fn split(packet: &'a [u8]) -> Result<Self, EnvelopeError> {
        // The smallest plaintext is 48 bytes: a 32-byte header, an empty
        // body and 16 bytes of padding.
        let needed = Self::HEADER_LEN + 48;
        if packet.len() < needed {
            return Err(EnvelopeError::Truncated {
                what: OUTER,
                len: packet.len(),
                needed,
            });
        }
        let auth_key_id = le64(packet, 0);
        if auth_key_id == 0 {
            return Err(EnvelopeError::ZeroAuthKeyId);
        }
        let mut msg_key = [0u8; 16];
        msg_key.copy_from_slice(&packet[8..24]);
        Ok(Self {
            auth_key_id,
            msg_key,
            encrypted_data: &packet[Self::HEADER_LEN..],
        })
    }
}

fn check_blocks(what: &'static str, len: usize) -> Result<(), EnvelopeError> {
    if len % 16 != 0 {
        return Err(EnvelopeError::NotBlockAligned { what, len });
    }
    Ok(())
}

/// Which kind of envelope a packet holds, told by its `auth_key_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope<'a> {
    /// `auth_key_id` is 0.
    Plain(PlainMessage<'a>),
    /// `auth_key_id` is not 0.
    Encrypted(EncryptedEnvelope<'a>),
}

impl<'a> Envelope<'a> {
    /// Decodes a packet of either kind, exactly (no trailing bytes).
    pub fn decode(packet: &'a [u8]) -> Result<Self, EnvelopeError> {
        if packet.len() >= 8 && le64(packet, 0) != 0 {
            EncryptedEnvelope::decode(packet).map(Envelope::Encrypted)
        } else {
            PlainMessage::decode(packet).map(Envelope::Plain)
        }
    }
}

/// The plaintext of an encrypted MTProto 2.0 message, before encryption or
/// after decryption.
///
/// ```
/// use mtproto::envelope::EncryptedPlaintext;
/// use mtproto::random::SplitMix64;
///
/// let body = [0u8; 8];
/// let msg = EncryptedPlaintext {
///     salt: 1, session_id: 2, msg_id: 3 << 32, seq_no: 1, body: &body,
/// };
/// let mut plaintext = Vec::new();
/// msg.encode(&mut SplitMix64::new(9), &mut plaintext).unwrap();
/// assert_eq!(plaintext.len() % 16, 0);
/// assert_eq!(EncryptedPlaintext::decode(&plaintext).unwrap(), msg);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedPlaintext<'a> {
    /// `salt`: the server salt in force.
    pub salt: i64,
    /// `session_id`.
    pub session_id: i64,
    /// `message_id`.
    pub msg_id: i64,
    /// `seq_no`.
    pub seq_no: i32,
    /// `message_data`: a TL-serialized object.
    pub body: &'a [u8],
}

impl<'a> EncryptedPlaintext<'a> {
    /// Bytes before the body.
    pub const HEADER_LEN: usize = 32;
    /// The least padding allowed.
    pub const MIN_PADDING: usize = 12;
    /// The most padding allowed.
    pub const MAX_PADDING: usize = 1024;

    /// The smallest valid padding for `body_len`: 12..=27 bytes, making the
    /// total a multiple of 16.
    pub fn min_padding(body_len: usize) -> usize {
        let unpadded = Self::HEADER_LEN + body_len + Self::MIN_PADDING;
        Self::MIN_PADDING + (16 - unpadded % 16) % 16
    }

    /// Appends the plaintext with the smallest valid padding, filled from
    /// `rng`. The padding feeds `msg_key`, so production code should pass a
    /// cryptographically secure source.
    pub fn encode(
        &self,
        rng: &mut impl RandomSource,
        out: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        let mut padding = [0u8; 27];
        let padding = &mut padding[..Self::min_padding(self.body.len())];
        rng.fill_bytes(padding);
        self.encode_with_padding(padding, out)
    }

    /// Appends the plaintext followed by exactly `padding`, which must be
    /// 12..=1024 bytes and make the total a multiple of 16. Longer padding
    /// (in extra 16-byte steps) hides the body's length better.
    pub fn encode_with_padding(
        &self,
        padding: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        let len = body_len_field(INNER, self.body)?;
        let total = Self::HEADER_LEN + self.body.len() + padding.len();
        if !(Self::MIN_PADDING..=Self::MAX_PADDING).contains(&padding.len()) {
            return Err(EnvelopeError::BadPadding {
                offset: Self::HEADER_LEN + self.body.len(),
                len: padding.len(),
            });
        }
        check_blocks(INNER, total)?;
        out.reserve(total);
        out.extend_from_slice(&self.salt.to_le_bytes());
        out.extend_from_slice(&self.session_id.to_le_bytes());
        out.extend_from_slice(&self.msg_id.to_le_bytes());
        out.extend_from_slice(&self.seq_no.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(self.body);
        out.extend_from_slice(padding);
        Ok(())
    }

    /// Decodes a decrypted plaintext, checking that it is a multiple of 16
    /// bytes, that `message_data_length` fits and is a multiple of 4, and
    /// that 12..=1024 bytes of padding follow the body.
    ///
    /// The checks come after authentication in a real receiver: compare
    /// `msg_key` first, since an attacker must not learn which check failed.
    pub fn decode(plaintext: &'a [u8]) -> Result<Self, EnvelopeError> {
        let needed = Self::HEADER_LEN + Self::MIN_PADDING;
        if plaintext.len() < needed {
            return Err(EnvelopeError::Truncated {
                what: INNER,
                len: plaintext.len(),
                needed,
            });
        }
        check_blocks(INNER, plaintext.len())?;
        let body = body_at(INNER, plaintext, 28)?;
        let padding_at = Self::HEADER_LEN + body.len();
        let padding = plaintext.len() - padding_at;
        if !(Self::MIN_PADDING..=Self::MAX_PADDING).contains(&padding) {
            return Err(EnvelopeError::BadPadding {
                offset: padding_at,
                len: padding,
            });
        }
        Ok(Self {
            salt: le64(plaintext, 0),
            session_id: le64(plaintext, 8),
            msg_id: le64(plaintext, 16),
            seq_no: le32(plaintext, 24),
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_padding_is_12_to_27_and_aligns() {
        for body_len in (0..200).step_by(4) {
            let p = EncryptedPlaintext::min_padding(body_len);
            assert!((12..=27).contains(&p), "{body_len}: {p}");
            assert_eq!((32 + body_len + p) % 16, 0);
        }
    }

    #[test]
    fn plain_layout_is_exact() {
        let mut out = Vec::new();
        PlainMessage {
            msg_id: 0x0102_0304_0506_0708,
            body: &[0xaa; 4],
        }
        .encode(&mut out)
        .unwrap();
        assert_eq!(
            out,
            [0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1, 4, 0, 0, 0, 0xaa, 0xaa, 0xaa, 0xaa]
        );
    }
}
