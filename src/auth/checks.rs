//! The Diffie-Hellman checks of the key exchange: `dh_prime` is a 2048-bit
//! safe prime, `g` is in 2..=7 and generates the subgroup of order
//! `(p-1)/2`, `g_a`/`g_b` lie strictly inside
//! `(2^(2048-64), dh_prime - 2^(2048-64))`; and the `new_nonce_hash`es.
//!
//! Everything works on fixed 256-byte big-endian arrays, so no leading zero
//! is ever lost between a TL `bytes` and a number.

use std::sync::Mutex;

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, U2048};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::AuthError;

/// Telegram's DH prime (big-endian), used with `g = 3`. An answer carrying
/// it is accepted by equality, without a primality test.
pub const TELEGRAM_DH_PRIME: [u8; 256] = hex256(
    "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f\
     48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37\
     20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64\
     2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4\
     a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754\
     fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4\
     e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f\
     0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b",
);

/// Miller-Rabin rounds on `(p-1)/2`. With bases derived from the input by
/// SHA-256 (so a sender cannot choose them), each round lets a composite
/// through with probability at most 1/4: 4^-40 = 2^-80 overall.
pub const MILLER_RABIN_ROUNDS: usize = 40;

/// How many proven primes the process remembers (by SHA-256). Servers use
/// one or two primes, so a handful suffices and bounds the memory.
const CACHE_SIZE: usize = 8;

/// SHA-256 of primes proven safe, and of numbers rejected with the error
/// they got: a hostile server repeating a bad prime costs one lookup, not
/// another 40 rounds.
static PROVEN_PRIMES: Mutex<Vec<[u8; 32]>> = Mutex::new(Vec::new());
static REJECTED_PRIMES: Mutex<Vec<([u8; 32], AuthError)>> = Mutex::new(Vec::new());

const fn hex256(text: &str) -> [u8; 256] {
    let bytes = text.as_bytes();
    let mut out = [0u8; 256];
    let (mut i, mut n) = (0, 0);
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => continue, // the line-continuation whitespace
        };
        out[n / 2] |= if n % 2 == 0 { v << 4 } else { v };
        n += 1;
    }
    assert!(n == 512, "256 bytes of hex");
    out
}

/// How [`check_dh_prime`] accepted a prime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimeCheck {
    /// It is [`TELEGRAM_DH_PRIME`].
    Telegram,
    /// It was proven earlier in this process and remembered.
    Cached,
    /// It was tested now (and is remembered from now on).
    Proven,
}

/// `bytes` as a 256-byte big-endian number: leading zero bytes beyond 256
/// are dropped, shorter input is left-padded. `None` if the value needs more
/// than 256 bytes.
pub(crate) fn to_fixed_256(bytes: &[u8]) -> Option<[u8; 256]> {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let value = &bytes[first..];
    if value.len() > 256 {
        return None;
    }
    let mut out = [0u8; 256];
    out[256 - value.len()..].copy_from_slice(value);
    Some(out)
}

/// `value mod m` for a big-endian number and a small modulus.
pub(crate) fn mod_small(value: &[u8], m: u32) -> u32 {
    value
        .iter()
        .fold(0u64, |acc, &b| ((acc << 8) | u64::from(b)) % u64::from(m)) as u32
}

/// Checks that `p` (as received, any length) is a 2048-bit safe prime:
/// equality with [`TELEGRAM_DH_PRIME`], else a remembered earlier proof,
/// else trial division, [`MILLER_RABIN_ROUNDS`] Miller-Rabin rounds on
/// `q = (p-1)/2`, and Pocklington's criterion for `p` (given `q` prime and
/// `p = 2q + 1`, `3^(p-1) = 1 mod p` proves `p` prime), one exponentiation
/// that is a proof rather than another probabilistic round. Overall error
/// probability: at most 2^-80 that a composite `q` passes. Numbers that
/// fail are remembered too (with their error), up to 8 of each.
///
/// ```
/// use mtproto::auth::{check_dh_prime, PrimeCheck, TELEGRAM_DH_PRIME};
///
/// assert_eq!(check_dh_prime(&TELEGRAM_DH_PRIME), Ok(PrimeCheck::Telegram));
/// ```
pub fn check_dh_prime(p: &[u8]) -> Result<PrimeCheck, AuthError> {
    let bits = match p.iter().position(|&b| b != 0) {
        None => 0,
        Some(i) => 8 * (p.len() - i) - p[i].leading_zeros() as usize,
    };
    if bits != 2048 {
        return Err(AuthError::DhPrimeSize { bits });
    }
    let p: [u8; 256] = to_fixed_256(p).expect("2048 bits fit");
    if p == TELEGRAM_DH_PRIME {
        return Ok(PrimeCheck::Telegram);
    }
    let digest: [u8; 32] = Sha256::digest(p).into();
    if lock(&PROVEN_PRIMES).contains(&digest) {
        return Ok(PrimeCheck::Cached);
    }
    if let Some((_, error)) = lock(&REJECTED_PRIMES).iter().find(|(d, _)| *d == digest) {
        return Err(error.clone());
    }
    if let Err(error) = check_safe_prime(&p) {
        let mut rejected = lock(&REJECTED_PRIMES);
        if rejected.len() == CACHE_SIZE {
            rejected.remove(0);
        }
        rejected.push((digest, error.clone()));
        return Err(error);
    }
    let mut cache = lock(&PROVEN_PRIMES);
    if !cache.contains(&digest) {
        if cache.len() == CACHE_SIZE {
            cache.remove(0);
        }
        cache.push(digest);
    }
    Ok(PrimeCheck::Proven)
}

fn lock<T>(cache: &'static Mutex<Vec<T>>) -> std::sync::MutexGuard<'static, Vec<T>> {
    // A panic while holding the lock cannot leave the list inconsistent
    // (push/remove are atomic from the reader's view), so poison is ignored.
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Small primes for trial division: most random composites have a small
/// factor, and dividing costs nothing next to one exponentiation.
const SMALL_PRIMES: [u32; 24] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
];

fn check_safe_prime(p: &[u8; 256]) -> Result<(), AuthError> {
    // Whether p is prime is settled first, so a composite is always
    // reported as composite and a non-safe prime as not safe.
    if p[255] & 1 == 0 || SMALL_PRIMES.iter().any(|&r| mod_small(p, r) == 0) {
        return Err(AuthError::DhPrimeComposite);
    }
    let p_num = U2048::from_be_bytes(*p);
    // 3^(p-1) = 1 (mod p): a Fermat test now, and together with q prime
    // below, Pocklington's proof that p is prime (gcd(3^2 - 1, p) = 1 for
    // odd p).
    let params = DynResidueParams::new(&p_num);
    let three = DynResidue::new(&U2048::from_u64(3), params);
    let p_minus_1 = p_num.wrapping_sub(&U2048::ONE);
    if three.pow(&p_minus_1).retrieve() != U2048::ONE {
        return Err(AuthError::DhPrimeComposite);
    }
    // q = (p-1)/2 must be odd (p = 3 mod 4) and have no small factor r,
    // i.e. p != 1 mod r; then Miller-Rabin.
    if p[255] & 3 != 3 || SMALL_PRIMES.iter().any(|&r| mod_small(p, r) == 1) {
        return Err(AuthError::DhPrimeNotSafe);
    }
    if !miller_rabin(&p_num.shr_vartime(1), p) {
        return Err(AuthError::DhPrimeNotSafe);
    }
    Ok(())
}

/// Miller-Rabin on odd `n > 3` with [`MILLER_RABIN_ROUNDS`] bases derived
/// from `seed` by SHA-256 (deterministic for a given input, not choosable
/// by whoever sent it).
fn miller_rabin(n: &U2048, seed: &[u8; 256]) -> bool {
    let n_minus_1 = n.wrapping_sub(&U2048::ONE);
    let s = n_minus_1.trailing_zeros();
    let d = n_minus_1.shr_vartime(s);
    let params = DynResidueParams::new(n);
    let one = DynResidue::one(params);
    let minus_one = DynResidue::new(&n_minus_1, params);
    let n_bits = n.bits();
    for round in 0..MILLER_RABIN_ROUNDS as u32 {
        // A base in [2, n-2]: 32 bytes of SHA-256(seed, round) stretched
        // and cut below n's bit length, then lifted past 0 and 1.
        let mut base_bytes = [0u8; 256];
        for (i, chunk) in base_bytes.chunks_mut(32).enumerate() {
            let block = Sha256::new()
                .chain_update(b"mtproto-auth-mr")
                .chain_update(seed)
                .chain_update(round.to_le_bytes())
                .chain_update((i as u32).to_le_bytes())
                .finalize();
            chunk.copy_from_slice(&block);
        }
        let mut base = U2048::from_be_bytes(base_bytes).shr_vartime(2048 - (n_bits - 1));
        if base < U2048::from_u64(2) {
            base = U2048::from_u64(2);
        }
        let mut x = DynResidue::new(&base, params).pow(&d);
        if x == one || x == minus_one {
            continue;
        }
        let mut witness = true;
        for _ in 1..s {
            x = x.square();
            if x == minus_one {
                witness = false;
                break;
            }
        }
        if witness {
            return false;
        }
    }
    true
}

/// Checks `g` against `p`: `g` in 2..=7 and `p` in the residue class that
/// makes `g` a quadratic residue generating the order-`(p-1)/2` subgroup.
pub fn check_g(g: i32, p: &[u8; 256]) -> Result<(), AuthError> {
    let (modulus, allowed): (u32, &[u32]) = match g {
        2 => (8, &[7]),
        3 => (3, &[2]),
        4 => return Ok(()),
        5 => (5, &[1, 4]),
        6 => (24, &[19, 23]),
        7 => (7, &[3, 5, 6]),
        _ => return Err(AuthError::GOutOfRange { g }),
    };
    let residue = mod_small(p, modulus);
    if allowed.contains(&residue) {
        Ok(())
    } else {
        Err(AuthError::GResidue {
            g,
            modulus,
            residue,
        })
    }
}

/// Checks `2^(2048-64) < value < p - 2^(2048-64)` for `g_a` / `g_b`
/// (`name`), received as `bytes` of any length. Returns the value as 256
/// fixed bytes. This range also implies the spec's `1 < value < p - 1`.
pub fn check_dh_value(
    name: &'static str,
    value: &[u8],
    p: &[u8; 256],
) -> Result<[u8; 256], AuthError> {
    let fixed = to_fixed_256(value).ok_or(AuthError::DhValueLength {
        value: name,
        len: value.len(),
    })?;
    let v = U2048::from_be_bytes(fixed);
    let bound = U2048::ONE.shl_vartime(2048 - 64);
    if v <= bound {
        return Err(AuthError::DhValueTooSmall { value: name });
    }
    let upper = U2048::from_be_bytes(*p).wrapping_sub(&bound);
    if v >= upper {
        return Err(AuthError::DhValueTooLarge { value: name });
    }
    Ok(fixed)
}

/// `new_nonce_hashN = SHA1(new_nonce || N || aux_hash)[4..20]`, with
/// `aux_hash` as its 8 little-endian bytes (N: 1 ok, 2 retry, 3 fail).
pub fn new_nonce_hash(new_nonce: &[u8; 32], n: u8, aux_hash: i64) -> [u8; 16] {
    let sha = Sha1::new()
        .chain_update(new_nonce)
        .chain_update([n])
        .chain_update(aux_hash.to_le_bytes())
        .finalize();
    sha[4..20].try_into().expect("16 bytes")
}

/// The `new_nonce_hash` of `server_DH_params_fail`: `SHA1(new_nonce)[4..20]`.
pub fn params_fail_hash(new_nonce: &[u8; 32]) -> [u8; 16] {
    Sha1::digest(new_nonce)[4..20].try_into().expect("16 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3526 group 14, a 2048-bit safe prime with g = 2 (p = 7 mod 8).
    pub(crate) const RFC3526_2048: [u8; 256] =
        hex256(include_str!("../../tests/data/auth/rfc3526_2048.hex"));

    #[test]
    fn telegram_prime_facts() {
        assert_eq!(mod_small(&TELEGRAM_DH_PRIME, 8), 3);
        assert_eq!(mod_small(&TELEGRAM_DH_PRIME, 3), 2);
        assert_eq!(check_g(3, &TELEGRAM_DH_PRIME), Ok(()));
        assert!(matches!(
            check_g(2, &TELEGRAM_DH_PRIME),
            Err(AuthError::GResidue { g: 2, .. })
        ));
        // The equality shortcut must not hide a wrong constant: prove it.
        assert_eq!(check_safe_prime(&TELEGRAM_DH_PRIME), Ok(()));
    }

    #[test]
    fn other_safe_prime_is_proven_then_cached() {
        let first = check_dh_prime(&RFC3526_2048).unwrap();
        assert!(matches!(first, PrimeCheck::Proven | PrimeCheck::Cached));
        assert_eq!(check_dh_prime(&RFC3526_2048), Ok(PrimeCheck::Cached));
        assert_eq!(check_g(2, &RFC3526_2048), Ok(()));
    }

    /// The residue table agrees with Euler's criterion (g is a quadratic
    /// residue mod a safe prime p iff g^((p-1)/2) = 1), for both primes.
    #[test]
    fn residue_rules_match_euler_criterion() {
        for p in [TELEGRAM_DH_PRIME, RFC3526_2048] {
            let p_num = U2048::from_be_bytes(p);
            let params = DynResidueParams::new(&p_num);
            let half = p_num.shr_vartime(1);
            for g in 2..=7u64 {
                let euler = DynResidue::new(&U2048::from_u64(g), params)
                    .pow(&half)
                    .retrieve();
                assert_eq!(
                    check_g(g as i32, &p).is_ok(),
                    euler == U2048::ONE,
                    "g = {g}"
                );
            }
        }
    }

    #[test]
    fn small_value_miller_rabin() {
        // 2^127 - 1 is prime; (2^127 - 1) * 3 is not; 561 is a Carmichael number.
        let mut m127 = [0u8; 256];
        m127[240..].copy_from_slice(&(u128::MAX >> 1).to_be_bytes());
        assert!(miller_rabin(&U2048::from_be_bytes(m127), &m127));
        let carmichael = U2048::from_u64(561);
        assert!(!miller_rabin(&carmichael, &m127));
        let composite = U2048::from_be_bytes(m127).wrapping_mul(&U2048::from_u64(3));
        assert!(!miller_rabin(&composite, &m127));
    }

    #[test]
    fn rejected_numbers_are_remembered_with_their_error() {
        // p + 2 (p = 3 mod 4, so this flips bit 1): composite.
        let mut composite = TELEGRAM_DH_PRIME;
        composite[255] ^= 2;
        for _ in 0..2 {
            assert_eq!(check_dh_prime(&composite), Err(AuthError::DhPrimeComposite));
        }
        let digest: [u8; 32] = Sha256::digest(composite).into();
        assert!(lock(&REJECTED_PRIMES).iter().any(|(d, _)| *d == digest));
        // Dropping the top byte leaves 0x1c... : 255 bytes, 3 leading zero bits.
        assert_eq!(
            check_dh_prime(&TELEGRAM_DH_PRIME[1..]),
            Err(AuthError::DhPrimeSize { bits: 2037 })
        );
    }

    #[test]
    fn fixed_width_keeps_leading_zeros() {
        assert_eq!(to_fixed_256(&[0, 0, 1]).unwrap()[253..], [0, 0, 1]);
        assert_eq!(to_fixed_256(&[0u8; 300]), Some([0u8; 256]));
        assert_eq!(to_fixed_256(&[1u8; 257]), None);
    }
}
