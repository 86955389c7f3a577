//! Telegram's RSA public keys and RSA_PAD, the encryption of
//! `p_q_inner_data*` in the key exchange: PEM/DER parsing (PKCS#1
//! `RSA PUBLIC KEY` and SPKI `PUBLIC KEY`), the key fingerprint, and the
//! built-in production and test keys.
//!
//! The DER reader is deliberately tiny: it accepts exactly the two shapes
//! above (definite lengths, positive integers) and nothing else, so it has
//! no dependency and little surface. The modular exponentiation is
//! `crypto-bigint`'s (see [`mod_pow`](super::mod_pow)).

use mtproto_types::{Bytes, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::ige::aes_ige_encrypt;
use super::modpow::mod_pow_bits;
use super::CryptoError;
use crate::random::RandomSource;

/// Telegram's production RSA key (fingerprint -3414540481677951611), as
/// published on my.telegram.org.
pub const PRODUCTION_RSA_KEY_PEM: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----
";

/// Telegram's test-DC RSA key (fingerprint -5595554452916591101), as
/// published on my.telegram.org.
pub const TEST_RSA_KEY_PEM: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB
-----END RSA PUBLIC KEY-----
";

/// An RSA public key with a 2048-bit modulus, as Telegram's servers use.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    /// The modulus, big-endian, exactly 256 bytes with the top bit set.
    n: [u8; 256],
    /// The exponent, big-endian, without leading zero bytes.
    e: Vec<u8>,
    fingerprint: i64,
}

impl std::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl RsaPublicKey {
    /// Parses a PEM block: `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1
    /// `RSAPublicKey`) or `-----BEGIN PUBLIC KEY-----` (SPKI with the
    /// rsaEncryption algorithm). Text around the block is ignored.
    ///
    /// ```
    /// use mtproto::crypto::{RsaPublicKey, PRODUCTION_RSA_KEY_PEM};
    ///
    /// let key = RsaPublicKey::from_pem(PRODUCTION_RSA_KEY_PEM).unwrap();
    /// assert_eq!(key.fingerprint(), -3414540481677951611);
    /// ```
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        for (label, spki) in [("RSA PUBLIC KEY", false), ("PUBLIC KEY", true)] {
            let begin = format!("-----BEGIN {label}-----");
            let end = format!("-----END {label}-----");
            let Some(start) = pem.find(&begin) else {
                continue;
            };
            let body = &pem[start + begin.len()..];
            let stop = body
                .find(&end)
                .ok_or(CryptoError::InvalidPem("no END line after the BEGIN line"))?;
            let der = base64_decode(&body[..stop])?;
            let (n, e) = if spki {
                parse_spki(&der)?
            } else {
                parse_pkcs1(&der)?
            };
            return Self::from_components(n, e);
        }
        Err(CryptoError::InvalidPem(
            "no BEGIN RSA PUBLIC KEY or BEGIN PUBLIC KEY line",
        ))
    }

    /// Builds a key from its big-endian modulus and exponent (leading zero
    /// bytes allowed). The modulus must be an odd 2048-bit number and the
    /// exponent at least 3 and below the modulus.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self, CryptoError> {
        let n = strip_zeros(n);
        let e = strip_zeros(e);
        if n.len() != 256 || n[0] & 0x80 == 0 {
            return Err(CryptoError::UnsupportedRsaKey("modulus is not 2048 bits"));
        }
        if n[255] & 1 == 0 {
            return Err(CryptoError::UnsupportedRsaKey("modulus is even"));
        }
        if e.len() > 256 || (e.len() == 256 && e > n) || e.is_empty() || (e.len() == 1 && e[0] < 3)
        {
            return Err(CryptoError::UnsupportedRsaKey("exponent is not in 3..n"));
        }
        let n: [u8; 256] = n.try_into().expect("256 bytes");
        let fingerprint = fingerprint_of(&n, e);
        Ok(Self {
            n,
            e: e.to_vec(),
            fingerprint,
        })
    }

    /// Telegram's built-in production key.
    pub fn production() -> Self {
        Self::from_pem(PRODUCTION_RSA_KEY_PEM).expect("the built-in production key parses")
    }

    /// Telegram's built-in test-DC key.
    pub fn test() -> Self {
        Self::from_pem(TEST_RSA_KEY_PEM).expect("the built-in test key parses")
    }

    /// The key's fingerprint as `req_DH_params` sends it: the low 64 bits
    /// (bytes 12..20, little-endian) of `SHA1` of the TL serialization
    /// `bytes n, bytes e`.
    pub fn fingerprint(&self) -> i64 {
        self.fingerprint
    }

    /// The modulus, big-endian, 256 bytes.
    pub fn modulus(&self) -> &[u8; 256] {
        &self.n
    }

    /// The public exponent, big-endian, without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }
}

/// RSA_PAD, the encryption of `p_q_inner_data*` (at most 144 bytes) under a
/// server key, as the current spec defines it:
///
/// ```text
/// data_with_padding = data || random(192 - len(data))
/// loop:
///   temp_key          = random(32)
///   data_with_hash    = reverse(data_with_padding) || SHA256(temp_key || data_with_padding)
///   aes_encrypted     = AES256-IGE(data_with_hash, temp_key, iv = 0)
///   key_aes_encrypted = (temp_key XOR SHA256(aes_encrypted)) || aes_encrypted
///   until key_aes_encrypted < n (as a big-endian number)
/// result = key_aes_encrypted ^ e mod n, 256 bytes big-endian
/// ```
///
/// `rng` supplies the padding first, then 32 bytes of `temp_key` per try.
/// Every buffer holding the plaintext or `temp_key` is wiped before
/// returning.
///
/// # Panics
///
/// If `data` is longer than 144 bytes (RSA_PAD has no room for more).
pub fn rsa_pad_encrypt(key: &RsaPublicKey, data: &[u8], rng: &mut impl RandomSource) -> [u8; 256] {
    assert!(
        data.len() <= 144,
        "RSA_PAD data of {} bytes exceeds 144",
        data.len()
    );
    let mut data_with_padding = Zeroizing::new([0u8; 192]);
    data_with_padding[..data.len()].copy_from_slice(data);
    rng.fill_bytes(&mut data_with_padding[data.len()..]);

    let mut temp_key = Zeroizing::new([0u8; 32]);
    let mut key_aes_encrypted = Zeroizing::new([0u8; 256]);
    loop {
        rng.fill_bytes(&mut *temp_key);
        let (temp_key_xor, aes_encrypted) = key_aes_encrypted.split_at_mut(32);
        for (dst, src) in aes_encrypted[..192]
            .iter_mut()
            .zip(data_with_padding.iter().rev())
        {
            *dst = *src;
        }
        let hash = Sha256::new()
            .chain_update(*temp_key)
            .chain_update(*data_with_padding)
            .finalize();
        aes_encrypted[192..].copy_from_slice(&hash);
        aes_ige_encrypt(aes_encrypted, &temp_key, &[0; 32]);
        let mask = Sha256::digest(&*aes_encrypted);
        for ((dst, k), m) in temp_key_xor.iter_mut().zip(temp_key.iter()).zip(mask) {
            *dst = k ^ m;
        }
        // Both are 256-byte big-endian numbers, so byte order is numeric order.
        if key_aes_encrypted[..] < key.n[..] {
            break;
        }
    }

    let mut e = [0u8; 256];
    e[256 - key.e.len()..].copy_from_slice(&key.e);
    let e_bits = 8 * key.e.len() - key.e[0].leading_zeros() as usize;
    mod_pow_bits(&key_aes_encrypted, &e, e_bits, &key.n).expect("the modulus is odd")
}

/// SHA1 of `bytes n, bytes e` in TL encoding, bytes 12..20 as LE `i64`.
fn fingerprint_of(n: &[u8; 256], e: &[u8]) -> i64 {
    let mut sha = Sha1::new();
    sha.update(Bytes::from(n).to_bytes());
    sha.update(Bytes::from(e).to_bytes());
    let sha = sha.finalize();
    i64::from_le_bytes(sha[12..20].try_into().expect("8 bytes"))
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Standard base64 (RFC 4648 alphabet, `=` padding), whitespace ignored.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, CryptoError> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits, mut padding, mut chars) = (0u32, 0u32, 0usize, 0usize);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(CryptoError::InvalidPem("a character outside base64")),
        };
        if padding > 0 {
            return Err(CryptoError::InvalidPem("base64 data after '=' padding"));
        }
        chars += 1;
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // A final group of one character is impossible, padding (when present)
    // completes the last group of four, and the leftover bits are zero fill.
    let padded_ok = padding == 0 || (padding <= 2 && (chars + padding) % 4 == 0);
    if chars % 4 == 1 || !padded_ok || acc & ((1 << bits) - 1) != 0 {
        return Err(CryptoError::InvalidPem("malformed base64 ending"));
    }
    Ok(out)
}

/// A cursor over DER: reads one tag-length-value at a time.
pub(crate) struct Der<'a>(pub(crate) &'a [u8]);

impl<'a> Der<'a> {
    /// Reads an element with the given tag and returns its contents.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], CryptoError> {
        let [got, first, rest @ ..] = self.0 else {
            return Err(CryptoError::InvalidDer("truncated element header"));
        };
        if *got != tag {
            return Err(CryptoError::InvalidDer("unexpected tag"));
        }
        let (len, rest) = match *first {
            short @ 0..=0x7f => (short as usize, rest),
            0x81 | 0x82 => {
                let width = (first & 0x7f) as usize;
                if rest.len() < width {
                    return Err(CryptoError::InvalidDer("truncated length"));
                }
                let len = rest[..width]
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | b as usize);
                (len, &rest[width..])
            }
            _ => return Err(CryptoError::InvalidDer("unsupported length form")),
        };
        if rest.len() < len {
            return Err(CryptoError::InvalidDer("element runs past the end"));
        }
        self.0 = &rest[len..];
        Ok(&rest[..len])
    }

    /// A non-negative INTEGER's magnitude, big-endian.
    pub(crate) fn read_unsigned(&mut self) -> Result<&'a [u8], CryptoError> {
        let value = self.read(0x02)?;
        match value.first() {
            None => Err(CryptoError::InvalidDer("empty INTEGER")),
            Some(b) if b & 0x80 != 0 => Err(CryptoError::InvalidDer("negative INTEGER")),
            Some(_) => Ok(value),
        }
    }

    pub(crate) fn finish(&self) -> Result<(), CryptoError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CryptoError::InvalidDer("trailing bytes"))
        }
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn parse_pkcs1(der: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    let mut outer = Der(der);
    let mut seq = Der(outer.read(0x30)?);
    outer.finish()?;
    let n = seq.read_unsigned()?;
    let e = seq.read_unsigned()?;
    seq.finish()?;
    Ok((n, e))
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { OID rsaEncryption, NULL },
/// BIT STRING (RSAPublicKey) }`.
fn parse_spki(der: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    // 1.2.840.113549.1.1.1
    const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let mut outer = Der(der);
    let mut seq = Der(outer.read(0x30)?);
    outer.finish()?;
    let mut algorithm = Der(seq.read(0x30)?);
    if algorithm.read(0x06)? != RSA_ENCRYPTION {
        return Err(CryptoError::InvalidDer("algorithm is not rsaEncryption"));
    }
    // The parameters are NULL for rsaEncryption; tolerate their absence.
    if !algorithm.0.is_empty() {
        algorithm.read(0x05)?;
    }
    algorithm.finish()?;
    let bits = seq.read(0x03)?;
    seq.finish()?;
    match bits.split_first() {
        Some((0, key)) => parse_pkcs1(key),
        _ => Err(CryptoError::InvalidDer("BIT STRING with unused bits")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_fingerprints() {
        assert_eq!(
            RsaPublicKey::production().fingerprint(),
            -3414540481677951611
        );
        assert_eq!(RsaPublicKey::test().fingerprint(), -5595554452916591101);
        assert_eq!(RsaPublicKey::production().exponent(), [1, 0, 1]);
    }

    #[test]
    fn base64_round_trips_known_strings() {
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert_eq!(base64_decode("TWE=").unwrap(), b"Ma");
        assert_eq!(base64_decode("TQ==").unwrap(), b"M");
        assert_eq!(base64_decode(" T W\nF u ").unwrap(), b"Man");
        assert!(base64_decode("TQ=x").is_err());
        assert!(base64_decode("TR==").is_err(), "non-zero fill bits");
        assert!(base64_decode("T*==").is_err());
    }

    #[test]
    fn der_reader_rejects_malformed_input() {
        assert!(parse_pkcs1(&[]).is_err());
        assert!(
            parse_pkcs1(&[0x30, 0x03, 0x02, 0x01, 0x05, 0x00]).is_err(),
            "trailing"
        );
        assert!(
            parse_pkcs1(&[0x30, 0x05, 0x02, 0x01]).is_err(),
            "runs past the end"
        );
        assert!(
            parse_pkcs1(&[0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x03]).is_err(),
            "negative"
        );
        assert_eq!(
            parse_pkcs1(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]).unwrap(),
            (&[5u8][..], &[3u8][..])
        );
    }
}
