//! AES-256 in IGE mode (Infinite Garble Extension), the cipher mode of every
//! MTProto encryption: messages, the key exchange's answers and RSA_PAD.
//!
//! Built on the RustCrypto `aes` block cipher (AES-NI picked at run time).
//! Crates checked for the mode itself: `ige` 0.1.1 (RustCrypto/block-modes,
//! `cipher` 0.4, MSRV 1.56) fits this `aes` 0.8; `ige` 0.2 needs `cipher`
//! 0.5 / `aes` 0.9 (MSRV 1.85+); no other maintained IGE crate exists on
//! crates.io. The mode is kept here as a dozen lines over `encrypt_block`
//! because `ige` 0.1 works on `GenericArray` blocks: feeding it a `&mut
//! [u8]` without `unsafe` means one call per block (or `cipher`'s
//! `block-padding` path), and it is checked byte for byte against
//! grammers-crypto in `tests/crypto.rs` either way.
//!
//! With `iv = iv1 || iv2` and 16-byte blocks:
//! `c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}` with `c_0 = iv1`, `p_0 = iv2`.
//! Both directions are sequential by construction, so the floor is one AES
//! block operation per block; the loops below keep the chaining values in
//! registers (`u128`) and the key schedule is expanded once per call.

use aes::cipher::consts::U16;
use aes::cipher::{BlockBackend, BlockClosure, BlockDecrypt, BlockEncrypt, BlockSizeUser, KeyInit};
use aes::{Aes256, Block};

/// Encrypts `data` in place with AES-256-IGE; `iv` is `iv1 || iv2`.
///
/// # Panics
///
/// If `data.len()` is not a multiple of 16: IGE has no padding of its own,
/// and every MTProto caller pads first, so a misaligned buffer is a bug.
///
/// ```
/// use mtproto::crypto::{aes_ige_decrypt, aes_ige_encrypt};
///
/// let (key, iv) = ([7u8; 32], [9u8; 32]);
/// let mut data = *b"sixteen byte blk, and 32 in all!";
/// aes_ige_encrypt(&mut data, &key, &iv);
/// assert_ne!(&data, b"sixteen byte blk, and 32 in all!");
/// aes_ige_decrypt(&mut data, &key, &iv);
/// assert_eq!(&data, b"sixteen byte blk, and 32 in all!");
/// ```
pub fn aes_ige_encrypt(data: &mut [u8], key: &[u8; 32], iv: &[u8; 32]) {
    // `aes` is built with `zeroize`, so the expanded key is wiped on drop.
    let cipher = Aes256::new(key.into());
    ige_encrypt_with(&cipher, data, iv);
}

/// Decrypts `data` in place with AES-256-IGE; `iv` is `iv1 || iv2`.
///
/// # Panics
///
/// If `data.len()` is not a multiple of 16 (see [`aes_ige_encrypt`]).
pub fn aes_ige_decrypt(data: &mut [u8], key: &[u8; 32], iv: &[u8; 32]) {
    let cipher = Aes256::new(key.into());
    ige_decrypt_with(&cipher, data, iv);
}

/// [`aes_ige_encrypt`] with an already expanded key, for callers that encrypt
/// several buffers under one key.
///
/// # Panics
///
/// If `data.len()` is not a multiple of 16.
pub fn ige_encrypt_with(cipher: &Aes256, data: &mut [u8], iv: &[u8; 32]) {
    check_len(data);
    // The closure receives the AES-NI (or software) backend once, so the
    // CPU-feature dispatch happens per message, not per block.
    cipher.encrypt_with_backend(Ige {
        data,
        iv,
        decrypt: false,
    });
}

/// [`aes_ige_decrypt`] with an already expanded key.
///
/// # Panics
///
/// If `data.len()` is not a multiple of 16.
pub fn ige_decrypt_with(cipher: &Aes256, data: &mut [u8], iv: &[u8; 32]) {
    check_len(data);
    cipher.decrypt_with_backend(Ige {
        data,
        iv,
        decrypt: true,
    });
}

fn check_len(data: &[u8]) {
    assert!(
        data.len() % 16 == 0,
        "AES-IGE input of {} bytes is not a multiple of 16",
        data.len()
    );
}

/// One IGE pass over `data`, run inside the cipher's backend.
struct Ige<'a> {
    data: &'a mut [u8],
    iv: &'a [u8; 32],
    decrypt: bool,
}

impl BlockSizeUser for Ige<'_> {
    type BlockSize = U16;
}

impl BlockClosure for Ige<'_> {
    #[inline(always)]
    fn call<B: BlockBackend<BlockSize = U16>>(self, backend: &mut B) {
        // Encryption: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}. Decryption swaps the
        // roles: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}. So one loop serves both,
        // with `before` the chaining value XORed in and `after` the one
        // XORed out; the backend is E or D as chosen by the caller.
        let (iv1, iv2) = split_iv(self.iv);
        let (mut before, mut after) = if self.decrypt { (iv2, iv1) } else { (iv1, iv2) };
        let mut block = Block::default();
        for chunk in self.data.chunks_exact_mut(16) {
            let input = load(chunk);
            block.copy_from_slice(&(input ^ before).to_ne_bytes());
            backend.proc_block((&mut block).into());
            let output = load(&block) ^ after;
            chunk.copy_from_slice(&output.to_ne_bytes());
            before = output;
            after = input;
        }
    }
}

/// The two chaining values as integers: XOR is byte-wise, so native byte
/// order is fine as long as loads and stores agree.
fn split_iv(iv: &[u8; 32]) -> (u128, u128) {
    (load(&iv[..16]), load(&iv[16..]))
}

#[inline(always)]
fn load(bytes: &[u8]) -> u128 {
    let mut array = [0u8; 16];
    array.copy_from_slice(bytes);
    u128::from_ne_bytes(array)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AES-256-IGE with key, iv and input all `0..32`, pinned from
    /// grammers-crypto's `verify_ige_encryption`/`verify_ige_decryption`
    /// tests (the OpenSSL `igetest.c` vectors are AES-128 only).
    #[test]
    fn pinned_vectors() {
        let bytes: [u8; 32] = core::array::from_fn(|i| i as u8);
        let mut data = bytes;
        aes_ige_encrypt(&mut data, &bytes, &bytes);
        let encrypted = [
            226, 129, 18, 165, 62, 92, 137, 199, 177, 234, 128, 113, 193, 51, 105, 159, 212, 232,
            107, 38, 196, 186, 201, 252, 90, 241, 171, 140, 226, 122, 68, 164,
        ];
        assert_eq!(data, encrypted);
        aes_ige_decrypt(&mut data, &bytes, &bytes);
        assert_eq!(data, bytes);

        let mut data = bytes;
        aes_ige_decrypt(&mut data, &bytes, &bytes);
        let decrypted = [
            229, 119, 122, 250, 205, 123, 44, 22, 247, 172, 64, 202, 230, 30, 246, 3, 254, 230, 9,
            143, 184, 168, 134, 10, 185, 238, 103, 44, 215, 229, 186, 204,
        ];
        assert_eq!(data, decrypted);
    }

    #[test]
    fn empty_input_is_a_no_op() {
        let mut data = [];
        aes_ige_encrypt(&mut data, &[1; 32], &[2; 32]);
        aes_ige_decrypt(&mut data, &[1; 32], &[2; 32]);
    }

    #[test]
    #[should_panic(expected = "not a multiple of 16")]
    fn misaligned_input_panics() {
        aes_ige_encrypt(&mut [0u8; 17], &[0; 32], &[0; 32]);
    }

    #[test]
    fn a_changed_block_garbles_everything_after_it() {
        let (key, iv) = ([3u8; 32], [4u8; 32]);
        let mut a = [0u8; 64];
        let mut b = a;
        b[20] ^= 1;
        aes_ige_encrypt(&mut a, &key, &iv);
        aes_ige_encrypt(&mut b, &key, &iv);
        assert_eq!(a[..16], b[..16]);
        for block in 1..4 {
            assert_ne!(a[block * 16..][..16], b[block * 16..][..16]);
        }
    }
}
