//! `auth.bindTempAuthKey`: the `encrypted_message` that binds a temporary
//! key to a permanent one, encrypted under the MTProto 1.0 rules with the
//! permanent key (the one place 1.0 is still needed), and its verification
//! on the server side.
//!
//! ```text
//! data = random:16 || msg_id:8 || seq_no=0:4 || msg_len:4 || bind_auth_key_inner
//! msg_key = SHA1(data)[4..20]                      (padding not hashed)
//! encrypted_message = perm_auth_key_id || msg_key || AES-IGE(data || pad 0..15, kdf_v1(perm, msg_key, x = 0))
//! ```

use mtproto_types::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::error::Message;
use super::kdf::kdf_v1;
use super::AuthError;
use crate::crypto::{aes_ige_decrypt, aes_ige_encrypt, AuthKey};
use crate::random::RandomSource;
use crate::service::{enums, types};

/// Length of `bind_auth_key_inner` with its constructor id.
const INNER_LEN: usize = 4 + 8 + 8 + 8 + 8 + 4;

/// Builds the `encrypted_message` of `auth.bindTempAuthKey`. `msg_id` is
/// the id of the outer `auth.bindTempAuthKey` message (sent over the
/// temporary key). Draws the 16 random bytes (salt and session id of the
/// inner message, meaningless here), then the padding to a whole AES block.
pub fn encrypt_bind_message(
    perm: &AuthKey,
    temp_auth_key_id: i64,
    nonce: i64,
    temp_session_id: i64,
    expires_at: i32,
    msg_id: i64,
    rng: &mut impl RandomSource,
) -> Vec<u8> {
    let inner = enums::BindAuthKeyInner::from(types::BindAuthKeyInner {
        nonce,
        temp_auth_key_id,
        perm_auth_key_id: perm.id(),
        temp_session_id,
        expires_at,
    })
    .to_bytes();
    let mut data = Zeroizing::new(Vec::with_capacity(32 + inner.len() + 15));
    data.resize(16, 0);
    rng.fill_bytes(&mut data[..16]);
    data.extend_from_slice(&msg_id.to_le_bytes());
    data.extend_from_slice(&0i32.to_le_bytes());
    data.extend_from_slice(&(inner.len() as u32).to_le_bytes());
    data.extend_from_slice(&inner);
    let msg_key: [u8; 16] = Sha1::digest(&data[..])[4..20].try_into().expect("16 bytes");
    let pad = (16 - data.len() % 16) % 16;
    let start = data.len();
    data.resize(start + pad, 0);
    rng.fill_bytes(&mut data[start..]);
    let (key, iv) = kdf_v1(perm.data(), &msg_key, 0);
    aes_ige_encrypt(&mut data, &key, &iv);
    let mut out = Vec::with_capacity(24 + data.len());
    out.extend_from_slice(&perm.id().to_le_bytes());
    out.extend_from_slice(&msg_key);
    out.extend_from_slice(&data);
    out
}

/// What the server knows when `auth.bindTempAuthKey` arrives over the
/// temporary key, against which the inner message is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindParams {
    /// The id of the temporary key the request came over.
    pub temp_auth_key_id: i64,
    /// `nonce` of the outer request.
    pub nonce: i64,
    /// The session id of the outer message.
    pub temp_session_id: i64,
    /// `expires_at` of the outer request.
    pub expires_at: i32,
    /// The msg_id of the outer message.
    pub msg_id: i64,
}

/// Server side: decrypts `encrypted_message` with the permanent key and
/// checks every field of `bind_auth_key_inner` (and the inner msg_id)
/// against the outer request. `perm` is the key named by the outer
/// `perm_auth_key_id`.
pub fn verify_bind_message(
    perm: &AuthKey,
    encrypted_message: &[u8],
    expected: &BindParams,
) -> Result<(), AuthError> {
    let len = encrypted_message.len();
    // 24-byte header and 32 + 40 bytes of data padded to 80.
    if len < 24 + 80 || (len - 24) % 16 != 0 || len > 24 + 1024 {
        return Err(AuthError::BindFraming(
            "length is not a 24-byte header and 80..=1024 bytes of whole AES blocks",
        ));
    }
    if encrypted_message[..8] != perm.id().to_le_bytes() {
        return Err(AuthError::BindFraming(
            "auth_key_id is not the permanent key's",
        ));
    }
    let msg_key: [u8; 16] = encrypted_message[8..24].try_into().expect("16 bytes");
    let (key, iv) = kdf_v1(perm.data(), &msg_key, 0);
    let mut data = Zeroizing::new(encrypted_message[24..].to_vec());
    aes_ige_decrypt(&mut data, &key, &iv);
    let msg_len = u32::from_le_bytes(data[28..32].try_into().expect("4 bytes")) as usize;
    if msg_len != INNER_LEN || data.len() - 32 - msg_len >= 16 {
        return Err(AuthError::BindFraming(
            "message length is not one bind_auth_key_inner with 0..15 bytes of padding",
        ));
    }
    let hash = Sha1::digest(&data[..32 + msg_len]);
    if !bool::from(hash[4..20].ct_eq(&msg_key)) {
        return Err(AuthError::BindMsgKey);
    }
    if data[16..24] != expected.msg_id.to_le_bytes() {
        return Err(AuthError::BindField("msg_id"));
    }
    if data[24..28] != [0; 4] {
        return Err(AuthError::BindField("seq_no"));
    }
    let enums::BindAuthKeyInner::BindAuthKeyInner(inner) =
        enums::BindAuthKeyInner::from_bytes(&data[32..32 + msg_len]).map_err(|error| {
            AuthError::Malformed {
                message: Message::BindAuthKeyInner,
                error,
            }
        })?;
    let checks = [
        (inner.nonce == expected.nonce, "nonce"),
        (
            inner.temp_auth_key_id == expected.temp_auth_key_id,
            "temp_auth_key_id",
        ),
        (inner.perm_auth_key_id == perm.id(), "perm_auth_key_id"),
        (
            inner.temp_session_id == expected.temp_session_id,
            "temp_session_id",
        ),
        (inner.expires_at == expected.expires_at, "expires_at"),
    ];
    for (ok, field) in checks {
        if !ok {
            return Err(AuthError::BindField(field));
        }
    }
    Ok(())
}
