//! Target `decrypt`: `crypto::decrypt_message` on any packet under a fixed
//! key, as sent by either side.

use mtproto::crypto::{decrypt_message, decrypt_message_in_place, encrypt_message, AuthKey};
use mtproto::Side;

use crate::counting::bounded;

/// The bytes of the key every `decrypt` input is decrypted with; the seeds
/// are encrypted with it.
pub fn decrypt_key() -> AuthKey {
    AuthKey::from_bytes(core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5a))
}

/// The first byte picks the sender (bit 0: server); the rest is the
/// packet. Any packet is refused with a typed error or accepted; an
/// accepted one has a well-formed plaintext, and encrypting that plaintext
/// again gives back the packet byte for byte (MTProto 2.0 derives `msg_key`
/// and the AES key from the padded plaintext alone, so nothing else can
/// have produced it).
pub fn decrypt(data: &[u8]) {
    let Some((&choice, packet)) = data.split_first() else {
        return;
    };
    let sender = if choice & 1 == 1 {
        Side::Server
    } else {
        Side::Client
    };
    let key = decrypt_key();
    // The plaintext copy, the re-encryption and the in-place copy.
    bounded("decrypt", 4 * packet.len() + (4 << 10), || {
        let result = decrypt_message(&key, sender, packet);
        // The in-place variant makes the same decision with the same error.
        let mut copy = packet.to_vec();
        let in_place = decrypt_message_in_place(&key, sender, &mut copy).map(|p| p.to_vec());
        assert_eq!(result, in_place, "in place and copying disagree");
        let Ok(plaintext) = result else {
            return;
        };
        assert_eq!(plaintext.len() % 16, 0, "plaintext not whole blocks");
        assert!(plaintext.len() >= 32 + 12, "no room for header and padding");
        let data_len = u32::from_le_bytes(plaintext[28..32].try_into().expect("4 bytes")) as usize;
        assert_eq!(data_len % 4, 0, "message_data_length not a multiple of 4");
        let padding = plaintext.len() - 32 - data_len;
        assert!(
            (12..=1024).contains(&padding),
            "accepted padding of {padding} bytes"
        );
        assert_eq!(
            encrypt_message(&key, sender, &plaintext),
            packet,
            "re-encrypting the accepted plaintext gives other bytes"
        );
    });
}
