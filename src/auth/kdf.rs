//! Key derivations of the exchange: the temporary AES key and IV that
//! protect `server_DH_inner_data` / `client_DH_inner_data`, and the MTProto
//! 1.0 message key derivation that `auth.bindTempAuthKey` still uses.

use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// `tmp_aes_key` and `tmp_aes_iv` from the nonces:
///
/// ```text
/// tmp_aes_key = SHA1(new_nonce || server_nonce) || SHA1(server_nonce || new_nonce)[0..12]
/// tmp_aes_iv  = SHA1(server_nonce || new_nonce)[12..20] || SHA1(new_nonce || new_nonce) || new_nonce[0..4]
/// ```
///
/// The nonces are fixed-width arrays hashed as serialized, so a nonce
/// starting with zero bytes derives the same key on both sides.
pub fn tmp_aes_key_iv(
    server_nonce: &[u8; 16],
    new_nonce: &[u8; 32],
) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let ns = Sha1::new()
        .chain_update(new_nonce)
        .chain_update(server_nonce)
        .finalize();
    let sn = Sha1::new()
        .chain_update(server_nonce)
        .chain_update(new_nonce)
        .finalize();
    let nn = Sha1::new()
        .chain_update(new_nonce)
        .chain_update(new_nonce)
        .finalize();
    let mut key = Zeroizing::new([0u8; 32]);
    key[..20].copy_from_slice(&ns);
    key[20..].copy_from_slice(&sn[..12]);
    let mut iv = Zeroizing::new([0u8; 32]);
    iv[..8].copy_from_slice(&sn[12..]);
    iv[8..28].copy_from_slice(&nn);
    iv[28..].copy_from_slice(&new_nonce[..4]);
    (key, iv)
}

/// The MTProto 1.0 key derivation (`x = 0` client to server, `8` the other
/// way) of `aes_key` and `aes_iv` from `msg_key`:
///
/// ```text
/// a = SHA1(msg_key || ak[x..x+32])          b = SHA1(ak[32+x..48+x] || msg_key || ak[48+x..64+x])
/// c = SHA1(ak[64+x..96+x] || msg_key)       d = SHA1(msg_key || ak[96+x..128+x])
/// aes_key = a[0..8] || b[8..20] || c[4..16]
/// aes_iv  = a[8..20] || b[0..8] || c[16..20] || d[0..8]
/// ```
pub fn kdf_v1(
    auth_key: &[u8; 256],
    msg_key: &[u8; 16],
    x: usize,
) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let a = Sha1::new()
        .chain_update(msg_key)
        .chain_update(&auth_key[x..x + 32])
        .finalize();
    let b = Sha1::new()
        .chain_update(&auth_key[32 + x..48 + x])
        .chain_update(msg_key)
        .chain_update(&auth_key[48 + x..64 + x])
        .finalize();
    let c = Sha1::new()
        .chain_update(&auth_key[64 + x..96 + x])
        .chain_update(msg_key)
        .finalize();
    let d = Sha1::new()
        .chain_update(msg_key)
        .chain_update(&auth_key[96 + x..128 + x])
        .finalize();
    let mut key = Zeroizing::new([0u8; 32]);
    key[..8].copy_from_slice(&a[..8]);
    key[8..20].copy_from_slice(&b[8..20]);
    key[20..].copy_from_slice(&c[4..16]);
    let mut iv = Zeroizing::new([0u8; 32]);
    iv[..12].copy_from_slice(&a[8..20]);
    iv[12..20].copy_from_slice(&b[..8]);
    iv[20..24].copy_from_slice(&c[16..20]);
    iv[24..].copy_from_slice(&d[..8]);
    (key, iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An independent implementation (grammers-crypto) derives the same
    /// bytes, leading-zero nonce bytes included.
    #[test]
    fn tmp_key_matches_grammers() {
        let server_nonce: [u8; 16] = core::array::from_fn(|i| i as u8);
        let new_nonce: [u8; 32] = core::array::from_fn(|i| (i * 3) as u8);
        let (key, iv) = tmp_aes_key_iv(&server_nonce, &new_nonce);
        let (gk, giv) = grammers_crypto::generate_key_data_from_nonce(&server_nonce, &new_nonce);
        assert_eq!(*key, gk);
        assert_eq!(*iv, giv);
    }
}
