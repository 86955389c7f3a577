//! 2048-bit modular exponentiation for RSA (public exponent) and for the
//! Diffie-Hellman step of the key exchange (secret exponent `b`), on
//! `crypto-bigint`'s Montgomery arithmetic.
//!
//! Why `crypto-bigint` 0.5 and not `num-bigint`: its exponentiation runs in
//! time that depends on the exponent's bit budget only, never on its bits,
//! which is what a secret `b` needs; `num-bigint`'s `modpow` branches on the
//! exponent and is documented as variable time. The constant time costs
//! nothing measurable at 2048 bits with a 2048-bit exponent (numbers in the
//! `mtproto::crypto` module docs). 0.5 is the newest line whose MSRV (1.65)
//! fits the workspace's 1.80; 0.7 needs 1.87.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, U2048};

/// `base ^ exponent mod modulus` for 256-byte big-endian numbers, in time
/// independent of the exponent's value (all 2048 exponent bits are
/// processed), for secret exponents such as the DH `b`.
///
/// Returns `None` if `modulus` is even (Montgomery form needs it odd; every
/// DH prime and RSA modulus is odd).
pub fn mod_pow(base: &[u8; 256], exponent: &[u8; 256], modulus: &[u8; 256]) -> Option<[u8; 256]> {
    mod_pow_bits(base, exponent, 2048, modulus)
}

/// [`mod_pow`] processing only the low `exponent_bits` bits of `exponent`:
/// the timing depends on `exponent_bits`, so it is for public exponents
/// (RSA's 65537 needs 17 bits instead of 2048).
pub(crate) fn mod_pow_bits(
    base: &[u8; 256],
    exponent: &[u8; 256],
    exponent_bits: usize,
    modulus: &[u8; 256],
) -> Option<[u8; 256]> {
    let modulus = U2048::from_be_bytes(*modulus);
    if !bool::from(crypto_bigint::Integer::is_odd(&modulus)) {
        return None;
    }
    let params = DynResidueParams::new(&modulus);
    let base = DynResidue::new(&U2048::from_be_bytes(*base), params);
    let exponent = U2048::from_be_bytes(*exponent);
    Some(
        base.pow_bounded_exp(&exponent, exponent_bits)
            .retrieve()
            .to_be_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(value: u64) -> [u8; 256] {
        let mut out = [0u8; 256];
        out[248..].copy_from_slice(&value.to_be_bytes());
        out
    }

    #[test]
    fn small_values() {
        assert_eq!(mod_pow(&be(4), &be(13), &be(497)), Some(be(445)));
        assert_eq!(mod_pow(&be(2), &be(0), &be(7)), Some(be(1)));
        assert_eq!(mod_pow_bits(&be(3), &be(65537), 17, &be(1_000_003)), {
            // 3^65537 mod 1000003 by repeated squaring in u128.
            let (mut acc, mut b, mut e) = (1u128, 3u128, 65537u64);
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc * b % 1_000_003;
                }
                b = b * b % 1_000_003;
                e >>= 1;
            }
            Some(be(acc as u64))
        });
    }

    #[test]
    fn even_modulus_is_refused() {
        assert_eq!(mod_pow(&be(2), &be(3), &be(10)), None);
    }
}
