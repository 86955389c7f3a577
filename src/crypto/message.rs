//! MTProto 2.0 message encryption: the SHA-256 key derivation, the packet
//! `auth_key_id | msg_key | AES-256-IGE(plaintext)`, every receiver check
//! that needs no session state, and the quick-ack token.
//!
//! The plaintext handed in is already padded (12..=1024 random bytes to a
//! multiple of 16); choosing padding is the envelope's job, since its length
//! policy is a traffic-analysis decision, not a cryptographic one.

use aes::cipher::KeyInit;
use aes::Aes256;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::ige::{ige_decrypt_with, ige_encrypt_with};
use super::{AuthKey, CryptoError};
use crate::Side;

/// Bytes before the ciphertext: `auth_key_id` (8) and `msg_key` (16).
pub const PACKET_HEADER_LEN: usize = 24;

/// Bytes of the plaintext header: salt, session_id, msg_id (8 each),
/// seq_no and message_data_length (4 each).
pub const PLAINTEXT_HEADER_LEN: usize = 32;

/// The padding bounds MTProto 2.0 requires of every plaintext.
pub const PADDING_RANGE: std::ops::RangeInclusive<usize> = 12..=1024;

/// The key-derivation offset `x`: 0 for what the client encrypts, 8 for
/// what the server encrypts.
fn x(sender: Side) -> usize {
    match sender {
        Side::Client => 0,
        Side::Server => 8,
    }
}

/// `msg_key_large = SHA256(auth_key[88+x .. 120+x] || plaintext)`, over the
/// whole padded plaintext; `msg_key` is its bytes 8..24.
pub fn msg_key_large(key: &AuthKey, sender: Side, padded_plaintext: &[u8]) -> [u8; 32] {
    let x = x(sender);
    Sha256::new()
        .chain_update(&key.data()[88 + x..120 + x])
        .chain_update(padded_plaintext)
        .finalize()
        .into()
}

/// The quick-ack token for a packet whose `msg_key_large` is given: its
/// first four bytes as a little-endian `u32` with the top bit set. The
/// server answers a quick-ack request with this value, so the client keeps
/// it per sent packet (see [`encrypt_message_in_place`], which returns it).
pub fn quick_ack_token(msg_key_large: &[u8; 32]) -> u32 {
    u32::from_le_bytes([
        msg_key_large[0],
        msg_key_large[1],
        msg_key_large[2],
        msg_key_large[3],
    ]) | 0x8000_0000
}

/// The AES key and IV for one message (MTProto 2.0 KDF). Both come back in
/// `Zeroizing` wrappers, and the intermediate hashes are wiped here.
fn derive_aes(key: &AuthKey, sender: Side, msg_key: &[u8; 16]) -> Zeroizing<[[u8; 32]; 2]> {
    let x = x(sender);
    let data = key.data();
    let a = Zeroizing::new(<[u8; 32]>::from(
        Sha256::new()
            .chain_update(msg_key)
            .chain_update(&data[x..x + 36])
            .finalize(),
    ));
    let b = Zeroizing::new(<[u8; 32]>::from(
        Sha256::new()
            .chain_update(&data[40 + x..76 + x])
            .chain_update(msg_key)
            .finalize(),
    ));
    let mut out = Zeroizing::new([[0u8; 32]; 2]);
    let [aes_key, aes_iv] = &mut *out;
    aes_key[..8].copy_from_slice(&a[..8]);
    aes_key[8..24].copy_from_slice(&b[8..24]);
    aes_key[24..].copy_from_slice(&a[24..]);
    aes_iv[..8].copy_from_slice(&b[..8]);
    aes_iv[8..24].copy_from_slice(&a[8..24]);
    aes_iv[24..].copy_from_slice(&b[24..]);
    out
}

/// The expanded AES key and IV for one message; the `aes` crate's
/// `zeroize` feature wipes the key schedule when the cipher is dropped.
fn message_cipher(
    key: &AuthKey,
    sender: Side,
    msg_key: &[u8; 16],
) -> (Aes256, Zeroizing<[u8; 32]>) {
    let derived = derive_aes(key, sender, msg_key);
    let cipher = Aes256::new((&derived[0]).into());
    (cipher, Zeroizing::new(derived[1]))
}

/// Encrypts a padded plaintext into a packet:
/// `auth_key_id (8) | msg_key (16) | AES-256-IGE(padded_plaintext)`.
///
/// `sender` is the side doing the encryption (`Client` uses `x = 0`,
/// `Server` `x = 8`). The plaintext is encrypted as given, whatever its
/// header and padding say, so tests can build hostile packets; producing
/// well-formed plaintexts is the envelope's job.
///
/// # Panics
///
/// If `padded_plaintext.len()` is not a multiple of 16.
pub fn encrypt_message(key: &AuthKey, sender: Side, padded_plaintext: &[u8]) -> Vec<u8> {
    let mut packet = Vec::with_capacity(PACKET_HEADER_LEN + padded_plaintext.len());
    packet.resize(PACKET_HEADER_LEN, 0);
    packet.extend_from_slice(padded_plaintext);
    encrypt_message_in_place(key, sender, &mut packet);
    packet
}

/// [`encrypt_message`] without allocating: `packet[24..]` holds the padded
/// plaintext, which is encrypted in place, and `packet[..24]` is overwritten
/// with `auth_key_id | msg_key`. Returns the packet's quick-ack token.
///
/// # Panics
///
/// If `packet` is shorter than 24 bytes or `packet[24..]` is not a
/// multiple of 16 bytes long.
pub fn encrypt_message_in_place(key: &AuthKey, sender: Side, packet: &mut [u8]) -> u32 {
    assert!(
        packet.len() >= PACKET_HEADER_LEN,
        "packet buffer of {} bytes has no room for the 24-byte header",
        packet.len()
    );
    let (header, body) = packet.split_at_mut(PACKET_HEADER_LEN);
    let large = msg_key_large(key, sender, body);
    let msg_key: [u8; 16] = large[8..24].try_into().expect("16 bytes");
    let (cipher, iv) = message_cipher(key, sender, &msg_key);
    ige_encrypt_with(&cipher, body, &iv);
    header[..8].copy_from_slice(&key.id().to_le_bytes());
    header[8..].copy_from_slice(&msg_key);
    quick_ack_token(&large)
}

/// Decrypts a packet and returns the padded plaintext (header, body and
/// padding, as encrypted).
///
/// `sender` is the side that encrypted it (a client decrypts with
/// `Side::Server`). Every check that needs no session state is made, each
/// its own [`CryptoError`], in this order: length at least 40 and
/// block-aligned after the 24-byte header (before any AES); `auth_key_id`;
/// `msg_key` recomputed over the whole plaintext and compared in constant
/// time; the plaintext holds its 32-byte header; `message_data_length`
/// fits; padding in 12..=1024; `message_data_length` a multiple of 4.
/// Salt, session_id and msg_id are the session's to check.
pub fn decrypt_message(key: &AuthKey, sender: Side, packet: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_packet_shape(key, packet)?;
    let mut plaintext = packet[PACKET_HEADER_LEN..].to_vec();
    let header: &[u8; 24] = packet[..PACKET_HEADER_LEN].try_into().expect("24 bytes");
    decrypt_body(key, sender, header, &mut plaintext)?;
    Ok(plaintext)
}

/// [`decrypt_message`] without allocating: decrypts `packet[24..]` in place
/// and returns it as the padded plaintext. On error the buffer may hold
/// partly decrypted bytes and must be discarded.
pub fn decrypt_message_in_place<'p>(
    key: &AuthKey,
    sender: Side,
    packet: &'p mut [u8],
) -> Result<&'p mut [u8], CryptoError> {
    check_packet_shape(key, packet)?;
    let (header, body) = packet.split_at_mut(PACKET_HEADER_LEN);
    let header: &[u8; 24] = (&*header).try_into().expect("24 bytes");
    decrypt_body(key, sender, header, body)?;
    Ok(body)
}

/// The checks made before any AES: length, alignment and key id.
fn check_packet_shape(key: &AuthKey, packet: &[u8]) -> Result<(), CryptoError> {
    let len = packet.len();
    if len < PACKET_HEADER_LEN + 16 {
        return Err(CryptoError::PacketTooShort { len });
    }
    if (len - PACKET_HEADER_LEN) % 16 != 0 {
        return Err(CryptoError::PacketMisaligned { len });
    }
    let got = i64::from_le_bytes(packet[..8].try_into().expect("8 bytes"));
    if got != key.id() {
        return Err(CryptoError::AuthKeyIdMismatch {
            expected: key.id(),
            got,
        });
    }
    Ok(())
}

/// Decrypts `body` in place and makes the checks on the plaintext.
fn decrypt_body(
    key: &AuthKey,
    sender: Side,
    header: &[u8; 24],
    body: &mut [u8],
) -> Result<(), CryptoError> {
    let msg_key: [u8; 16] = header[8..].try_into().expect("16 bytes");
    let (cipher, iv) = message_cipher(key, sender, &msg_key);
    ige_decrypt_with(&cipher, body, &iv);

    let ours = msg_key_large(key, sender, body);
    // Constant time, so a forger learns nothing from how long the
    // rejection took about how many leading bytes matched.
    if !bool::from(ours[8..24].ct_eq(&msg_key)) {
        return Err(CryptoError::MsgKeyMismatch);
    }

    let len = body.len();
    if len < PLAINTEXT_HEADER_LEN {
        return Err(CryptoError::PlaintextTooShort { len });
    }
    let data_len = u32::from_le_bytes(body[28..32].try_into().expect("4 bytes"));
    let available = len - PLAINTEXT_HEADER_LEN;
    if data_len as usize > available {
        return Err(CryptoError::MessageLengthOutOfBounds {
            len: data_len,
            available,
        });
    }
    let padding = available - data_len as usize;
    if !PADDING_RANGE.contains(&padding) {
        return Err(CryptoError::PaddingOutOfRange {
            padding,
            start: PLAINTEXT_HEADER_LEN + data_len as usize,
        });
    }
    if data_len % 4 != 0 {
        return Err(CryptoError::MessageLengthUnaligned { len: data_len });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_key() -> AuthKey {
        AuthKey::from_bytes(core::array::from_fn(|i| i as u8))
    }

    /// Key derivation pinned against grammers-crypto's `calc_client_key`
    /// and `calc_server_key` tests (auth key 0..256, msg_key 0..16).
    #[test]
    fn kdf_matches_pinned_vectors() {
        let msg_key: [u8; 16] = core::array::from_fn(|i| i as u8);
        let pinned: [(Side, [[u8; 32]; 2]); 2] = [
            (
                Side::Client,
                [
                    [
                        112, 78, 208, 156, 139, 65, 102, 138, 232, 249, 157, 36, 71, 56, 247, 29,
                        189, 220, 68, 70, 155, 107, 189, 74, 168, 87, 61, 208, 66, 189, 5, 158,
                    ],
                    [
                        77, 38, 96, 0, 165, 80, 237, 171, 191, 76, 124, 228, 15, 208, 4, 60, 201,
                        34, 48, 24, 76, 211, 23, 165, 204, 156, 36, 130, 253, 59, 147, 24,
                    ],
                ],
            ),
            (
                Side::Server,
                [
                    [
                        33, 119, 37, 121, 155, 36, 88, 6, 69, 129, 116, 161, 252, 251, 200, 131,
                        144, 104, 7, 177, 80, 51, 253, 208, 234, 43, 77, 105, 207, 156, 54, 78,
                    ],
                    [
                        102, 154, 101, 56, 145, 122, 79, 165, 108, 163, 35, 96, 164, 49, 201, 22,
                        11, 228, 173, 136, 113, 64, 152, 13, 171, 145, 206, 123, 220, 71, 255, 188,
                    ],
                ],
            ),
        ];
        for (side, [key, iv]) in pinned {
            let derived = derive_aes(&test_key(), side, &msg_key);
            assert_eq!(derived[0], key, "{side} key");
            assert_eq!(derived[1], iv, "{side} iv");
        }
    }

    #[test]
    fn quick_ack_token_sets_the_top_bit() {
        let mut large = [0u8; 32];
        large[..4].copy_from_slice(&[0x78, 0x56, 0x34, 0x12]);
        assert_eq!(quick_ack_token(&large), 0x9234_5678);
        large[3] = 0xff;
        assert_eq!(quick_ack_token(&large), 0xff34_5678);
    }

    #[test]
    fn in_place_round_trip_returns_the_token_of_the_plaintext() {
        let key = test_key();
        let mut plaintext = vec![0u8; 64];
        plaintext[28..32].copy_from_slice(&16u32.to_le_bytes());
        let mut packet = vec![0u8; 24];
        packet.extend_from_slice(&plaintext);
        let token = encrypt_message_in_place(&key, Side::Client, &mut packet);
        assert_eq!(
            token,
            quick_ack_token(&msg_key_large(&key, Side::Client, &plaintext))
        );
        assert_eq!(packet, encrypt_message(&key, Side::Client, &plaintext));
        let decrypted = decrypt_message_in_place(&key, Side::Client, &mut packet).unwrap();
        assert_eq!(decrypted, &plaintext[..]);
    }

    #[test]
    fn the_direction_matters() {
        let key = test_key();
        let mut plaintext = vec![0u8; 64];
        plaintext[28..32].copy_from_slice(&16u32.to_le_bytes());
        let packet = encrypt_message(&key, Side::Client, &plaintext);
        assert_eq!(
            decrypt_message(&key, Side::Server, &packet),
            Err(CryptoError::MsgKeyMismatch)
        );
    }
}
