//! The 2048-bit authorization key that the key exchange produces and that
//! every encrypted message is keyed with, plus the two identifiers derived
//! from it (`auth_key_id`, `aux_hash`).

use std::fmt;

use sha1::{Digest, Sha1};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// An MTProto authorization key: exactly 256 bytes (the big-endian `g_ab`,
/// left-padded with zeros by whoever computed it).
///
/// The bytes are wiped from memory when the key is dropped, and `Debug`
/// prints only [`AuthKey::id`], so logging a key never leaks it.
///
/// ```
/// use mtproto::crypto::AuthKey;
///
/// let key = AuthKey::from_bytes([7; 256]);
/// assert_eq!(key.to_bytes(), [7; 256]);
/// assert_eq!(format!("{key:?}"), format!("AuthKey {{ id: {} }}", key.id()));
/// ```
#[derive(Clone)]
pub struct AuthKey {
    data: [u8; 256],
    id: i64,
    aux_hash: i64,
}

impl Drop for AuthKey {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

/// Marks that dropping an [`AuthKey`] wipes it (see the `Drop` impl).
impl ZeroizeOnDrop for AuthKey {}

impl AuthKey {
    /// Wraps 256 key bytes and computes the key's id and `aux_hash` (one SHA1).
    pub fn from_bytes(mut data: [u8; 256]) -> Self {
        let sha = Sha1::digest(data);
        let key = Self {
            data,
            id: i64::from_le_bytes(sha[12..20].try_into().expect("8 bytes")),
            aux_hash: i64::from_le_bytes(sha[0..8].try_into().expect("8 bytes")),
        };
        // `data` was copied into the key; the argument's copy must go too.
        data.zeroize();
        key
    }

    /// The key bytes, e.g. to store them; the caller owns the copy and
    /// should wipe it when done.
    pub fn to_bytes(&self) -> [u8; 256] {
        self.data
    }

    /// `auth_key_id`: the low 64 bits of `SHA1(auth_key)` (bytes 12..20),
    /// read little-endian; the first 8 bytes of every encrypted packet.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// `aux_hash`: the high 64 bits of `SHA1(auth_key)` (bytes 0..8), read
    /// little-endian; the key exchange hashes it into `new_nonce_hash1..3`.
    pub fn aux_hash(&self) -> i64 {
        self.aux_hash
    }

    /// The raw bytes for the key derivation in this module.
    pub(crate) fn data(&self) -> &[u8; 256] {
        &self.data
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthKey").field("id", &self.id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_aux_hash_are_the_two_ends_of_sha1() {
        let bytes: [u8; 256] = core::array::from_fn(|i| i as u8);
        let sha = Sha1::digest(bytes);
        let key = AuthKey::from_bytes(bytes);
        assert_eq!(key.id().to_le_bytes(), sha[12..20]);
        assert_eq!(key.aux_hash().to_le_bytes(), sha[0..8]);
        assert_eq!(key.to_bytes(), bytes);
    }

    #[test]
    fn debug_shows_the_id_only() {
        let key = AuthKey::from_bytes([0xab; 256]);
        let shown = format!("{key:?}");
        assert_eq!(shown, format!("AuthKey {{ id: {} }}", key.id()));
        assert!(
            !shown.contains("171"),
            "no key byte (0xab = 171) in {shown}"
        );
    }

    #[test]
    fn zeroize_wipes_the_bytes() {
        // `drop` runs this same call; memory after a drop cannot be read
        // without `unsafe`, so this checks the call itself overwrites.
        let mut key = AuthKey::from_bytes([0x5a; 256]);
        key.data.zeroize();
        assert_eq!(key.to_bytes(), [0; 256]);
    }
}
