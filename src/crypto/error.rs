//! [`CryptoError`]: every way an encrypted packet or an RSA key can be
//! rejected, one variant per check, so callers and tests can tell them apart.

/// Why [`decrypt_message`](super::decrypt_message) rejected a packet or
/// [`RsaPublicKey`](super::RsaPublicKey) rejected a key.
///
/// Packet checks run in the order the variants are listed; the first that
/// fails is reported. Offsets are in the packet (`auth_key_id`, `msg_key`)
/// or in the decrypted plaintext (`message_data_length`, padding).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The packet is shorter than `auth_key_id` (8) + `msg_key` (16) + one
    /// AES block (16); checked before any AES work.
    #[error("encrypted packet of {len} bytes is shorter than the 40-byte minimum (8 auth_key_id + 16 msg_key + one 16-byte block)")]
    PacketTooShort {
        /// The packet length.
        len: usize,
    },
    /// The ciphertext after the 24-byte header is not whole AES blocks;
    /// checked before any AES work.
    #[error("encrypted packet of {len} bytes: the {} bytes after the 24-byte header are not a multiple of 16", len - 24)]
    PacketMisaligned {
        /// The packet length.
        len: usize,
    },
    /// Bytes 0..8 of the packet name another key.
    #[error("auth_key_id at packet bytes 0..8 is {got}, ours is {expected}")]
    AuthKeyIdMismatch {
        /// Our key's id.
        expected: i64,
        /// The id in the packet.
        got: i64,
    },
    /// `msg_key` (packet bytes 8..24) differs from the one recomputed over
    /// the whole decrypted plaintext: another key or direction, or the packet
    /// was altered. Compared in constant time.
    #[error("msg_key at packet bytes 8..24 does not match SHA-256 of the decrypted plaintext (wrong key or direction, or altered packet)")]
    MsgKeyMismatch,
    /// The plaintext cannot hold the 32-byte header (salt, session_id,
    /// msg_id, seq_no, message_data_length).
    #[error("decrypted plaintext of {len} bytes is shorter than its 32-byte header")]
    PlaintextTooShort {
        /// The plaintext length.
        len: usize,
    },
    /// `message_data_length` (plaintext bytes 28..32) runs past the end of
    /// the plaintext.
    #[error("message_data_length {len} at plaintext bytes 28..32 exceeds the {available} bytes after the 32-byte header")]
    MessageLengthOutOfBounds {
        /// The declared body length (read as an unsigned LE integer).
        len: u32,
        /// Plaintext bytes after the header.
        available: usize,
    },
    /// The padding after the body is outside 12..=1024 bytes.
    #[error("padding of {padding} bytes after the message body (plaintext bytes {start}..) is outside 12..=1024")]
    PaddingOutOfRange {
        /// The padding length.
        padding: usize,
        /// Where the padding starts in the plaintext.
        start: usize,
    },
    /// `message_data_length` (plaintext bytes 28..32) is not a multiple of 4,
    /// which no TL body can be.
    #[error("message_data_length {len} at plaintext bytes 28..32 is not a multiple of 4")]
    MessageLengthUnaligned {
        /// The declared body length.
        len: u32,
    },
    /// The PEM text has no `RSA PUBLIC KEY` or `PUBLIC KEY` block, or its
    /// base64 is invalid.
    #[error("invalid PEM: {0}")]
    InvalidPem(&'static str),
    /// The DER inside the PEM is not a PKCS#1 `RSAPublicKey` or an SPKI
    /// `SubjectPublicKeyInfo` with the rsaEncryption algorithm.
    #[error("invalid DER in RSA public key: {0}")]
    InvalidDer(&'static str),
    /// The RSA modulus is not a 2048-bit odd number or the exponent is not
    /// in `3..n`; RSA_PAD's 256-byte blocks need a 2048-bit modulus.
    #[error("unsupported RSA key: {0}")]
    UnsupportedRsaKey(&'static str),
}
