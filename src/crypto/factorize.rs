//! Splitting the key exchange's `pq` (a 64-bit product of two primes) into
//! `p` and `q`: Pollard's rho with Brent's cycle detection and batched gcds,
//! on `u64` with `u128` products, fully deterministic (no randomness, so the
//! same `pq` always takes the same time and gives the same answer).

/// Splits `pq` into `(p, q)` with `p <= q` and `p * q == pq`.
///
/// For Telegram's `pq`, a product of two primes, these are the two primes
/// in ascending order. For any other composite, `p` is the smaller of the
/// first non-trivial divisor found and its cofactor (a valid split, not
/// necessarily into primes). For `pq` that has no split (`0`, `1`, or a
/// prime) it returns `(1, pq)`; the signature has no error, so the key
/// exchange must reject `p == 1` itself (a server sending such a `pq` is
/// broken or hostile).
///
/// ```
/// use mtproto::crypto::factorize;
///
/// assert_eq!(factorize(0x17ED48941A08F981), (1229739323, 1402015859));
/// assert_eq!(factorize(15), (3, 5));
/// assert_eq!(factorize(13), (1, 13), "a prime has no split");
/// ```
pub fn factorize(pq: u64) -> (u64, u64) {
    if pq < 4 || is_prime(pq) {
        return (1, pq);
    }
    let d = if pq % 2 == 0 { 2 } else { rho_divisor(pq) };
    let (p, q) = (d, pq / d);
    (p.min(q), p.max(q))
}

/// `a * b mod n` without overflow.
#[inline]
fn mul_mod(a: u64, b: u64, n: u64) -> u64 {
    ((a as u128 * b as u128) % n as u128) as u64
}

fn pow_mod(mut base: u64, mut exp: u64, n: u64) -> u64 {
    let mut acc = 1 % n;
    base %= n;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_mod(acc, base, n);
        }
        base = mul_mod(base, base, n);
        exp >>= 1;
    }
    acc
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Deterministic Miller-Rabin: the first twelve primes as bases decide
/// every `n < 2^64` (Sorenson and Webster, 2015), so rho never runs on a
/// prime, where it would search forever.
fn is_prime(n: u64) -> bool {
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for p in BASES {
        if n % p == 0 {
            return n == p;
        }
    }
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'bases: for a in BASES {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// A non-trivial divisor of an odd composite `n`: Brent's variant of rho
/// with `f(x) = x^2 + c`, trying `c = 1, 2, ...` until one splits `n`.
fn rho_divisor(n: u64) -> u64 {
    // Products of up to this many differences share one gcd.
    const BATCH: u64 = 128;
    for c in 1..n {
        // In u128: x^2 mod n plus c can exceed u64 when n is near 2^64.
        let f = |x: u64| ((x as u128 * x as u128 + c as u128) % n as u128) as u64;
        let (mut y, mut r, mut q, mut g) = (2u64, 1u64, 1u64, 1u64);
        let (mut x, mut ys) = (y, y);
        while g == 1 {
            x = y;
            for _ in 0..r {
                y = f(y);
            }
            let mut k = 0;
            while k < r && g == 1 {
                ys = y;
                for _ in 0..BATCH.min(r - k) {
                    y = f(y);
                    q = mul_mod(q, x.abs_diff(y), n);
                }
                g = gcd(q, n);
                k += BATCH;
            }
            r *= 2;
        }
        if g == n {
            // The batch overshot: step back one difference at a time.
            loop {
                ys = f(ys);
                g = gcd(x.abs_diff(ys), n);
                if g > 1 {
                    break;
                }
            }
        }
        if g != n {
            return g;
        }
    }
    unreachable!("rho_divisor is only called on odd composites, which some c splits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_pq_values() {
        // The worked example of core.telegram.org/mtproto/samples-auth_key.
        assert_eq!(factorize(0x17ED48941A08F981), (0x494C553B, 0x53911073));
        // Both primes just under 2^32, the largest Telegram uses.
        let (p, q) = (4294967291u64, 4294967279u64);
        assert_eq!(factorize(p * q), (q, p));
    }

    #[test]
    fn small_and_degenerate_values() {
        assert_eq!(factorize(0), (1, 0));
        assert_eq!(factorize(1), (1, 1));
        assert_eq!(factorize(2), (1, 2));
        assert_eq!(factorize(3), (1, 3));
        assert_eq!(factorize(4), (2, 2));
        assert_eq!(factorize(6), (2, 3));
        assert_eq!(factorize(9), (3, 3));
        assert_eq!(factorize(35), (5, 7));
        assert_eq!(factorize(49), (7, 7));
        // 3 * 5 * 17 * 257 * 641 * 65537 * 6700417: any valid split.
        let (p, q) = factorize(u64::MAX);
        assert!(1 < p && p <= q && p.wrapping_mul(q) == u64::MAX && p * q == u64::MAX);
    }

    #[test]
    fn primes_return_one_and_themselves() {
        for p in [5u64, 97, 65537, 1229739323, 18446744073709551557] {
            assert_eq!(factorize(p), (1, p), "{p}");
        }
    }

    #[test]
    fn every_product_of_small_primes_splits() {
        let primes: Vec<u64> = (2..400).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes.len(), 78);
        for &p in &primes {
            for &q in &primes {
                let (a, b) = factorize(p * q);
                assert_eq!((a, b), (p.min(q), p.max(q)), "{p} * {q}");
            }
        }
    }

    #[test]
    fn miller_rabin_agrees_with_trial_division() {
        let slow = |n: u64| n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0);
        for n in 0..20_000 {
            assert_eq!(is_prime(n), slow(n), "{n}");
        }
        // Strong pseudoprimes to several small bases.
        for n in [3215031751u64, 3825123056546413051] {
            assert!(!is_prime(n), "{n}");
        }
    }
}
