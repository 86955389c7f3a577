//! MTProto cryptographic primitives: AES-256-IGE, the authorization key,
//! MTProto 2.0 message encryption with every stateless receiver check,
//! `pq` factorization, RSA keys and RSA_PAD, and 2048-bit modular
//! exponentiation for the key exchange.
//!
//! Sans-IO like the rest of the crate: randomness comes in through
//! [`RandomSource`](crate::random::RandomSource), nothing here draws its own.
//! The cryptography itself is RustCrypto's (`aes` with AES-NI detected at
//! run time, `sha1`, `sha2`, `crypto-bigint`, `subtle`, `zeroize`); this
//! module holds only the MTProto constructions on top.
//!
//! A message round trip: the client encrypts (`x = 0`), the server decrypts
//! naming the client as the sender.
//!
//! ```
//! use mtproto::crypto::{decrypt_message, encrypt_message, AuthKey, CryptoError};
//! use mtproto::transport::Side;
//!
//! let key = AuthKey::from_bytes(core::array::from_fn(|i| (i * 7) as u8));
//! // salt, session_id, msg_id (8 each), seq_no, message_data_length (4 each),
//! // a 4-byte body and 12 bytes of padding: 48 bytes, three AES blocks.
//! let mut plaintext = vec![0u8; 48];
//! plaintext[28..32].copy_from_slice(&4u32.to_le_bytes());
//! plaintext[32..36].copy_from_slice(&0x7abe77ecu32.to_le_bytes());
//!
//! let packet = encrypt_message(&key, Side::Client, &plaintext);
//! assert_eq!(packet.len(), 24 + 48);
//! assert_eq!(packet[..8], key.id().to_le_bytes());
//! assert_eq!(decrypt_message(&key, Side::Client, &packet), Ok(plaintext));
//!
//! // The wrong direction (or key, or a flipped bit) is rejected.
//! assert_eq!(
//!     decrypt_message(&key, Side::Server, &packet),
//!     Err(CryptoError::MsgKeyMismatch)
//! );
//! ```
//!
//! # Choice of big-integer crate
//!
//! `crypto-bigint` 0.5 over `num-bigint` 0.4: its Montgomery exponentiation
//! does not branch on exponent bits (the DH exponent `b` is secret, and
//! `num-bigint`'s `modpow` is variable time), and it costs nothing
//! measurable where it matters. `benches/crypto.rs` group `modpow_2048`
//! (2 shared cores, criterion medians): 2048-bit base, modulus and
//! exponent, the DH step: crypto-bigint 8.1 ms, num-bigint 7.9 ms (within
//! the noise); `e = 65537`: num-bigint 0.36 ms, a whole `rsa_pad_encrypt`
//! on crypto-bigint (17-bit bounded exponent) 0.48 ms. RSA_PAD runs once
//! per key exchange, so the 0.1 ms is not worth a second bignum crate.

mod auth_key;
mod error;
mod factorize;
mod ige;
mod message;
mod modpow;
mod rsa;

pub use auth_key::AuthKey;
pub use error::CryptoError;
pub use factorize::factorize;
pub use ige::{aes_ige_decrypt, aes_ige_encrypt, ige_decrypt_with, ige_encrypt_with};
pub use message::{
    decrypt_message, decrypt_message_in_place, encrypt_message, encrypt_message_in_place,
    msg_key_large, quick_ack_token, PACKET_HEADER_LEN, PADDING_RANGE, PLAINTEXT_HEADER_LEN,
};
pub use modpow::mod_pow;
/// The PEM/DER readers, shared with the key exchange's private-key parser.
pub(crate) use rsa::{base64_decode, Der};
pub use rsa::{rsa_pad_encrypt, RsaPublicKey, PRODUCTION_RSA_KEY_PEM, TEST_RSA_KEY_PEM};

/// The RustCrypto AES-256 block cipher, for [`ige_encrypt_with`] and
/// [`ige_decrypt_with`] callers that expand a key once.
pub use aes::Aes256;
