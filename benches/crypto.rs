//! MTProto 2.0 message encryption and decryption, ours against
//! grammers-crypto 0.11.0 in the same run, with the floor: a chain of
//! AES-256 block encryptions over the same number of blocks (IGE is
//! sequential, so no implementation can beat one block call per block).
//! Plus the big-integer choice: 2048-bit modpow in crypto-bigint (our
//! dependency) against num-bigint, for a secret 2048-bit exponent (the DH
//! step) and for e = 65537 (RSA).

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::{Aes256, Block};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use grammers_crypto::DequeBuffer;
use mtproto::crypto::{decrypt_message_in_place, encrypt_message_in_place, mod_pow, AuthKey};
use mtproto::random::{RandomSource, SplitMix64};
use mtproto::transport::Side;

const SIZES: [(&str, usize); 3] = [("128B", 128), ("4KiB", 4096), ("1MiB", 1 << 20)];

/// A valid plaintext of `total` bytes: header, body, 16 bytes of padding.
fn plaintext(rng: &mut SplitMix64, total: usize) -> Vec<u8> {
    let mut out = vec![0u8; total];
    rng.fill_bytes(&mut out);
    out[28..32].copy_from_slice(&((total - 48) as u32).to_le_bytes());
    out
}

fn messages(c: &mut Criterion) {
    let mut rng = SplitMix64::new(1);
    let mut key_bytes = [0u8; 256];
    rng.fill_bytes(&mut key_bytes);
    let key = AuthKey::from_bytes(key_bytes);
    let theirs_key = grammers_crypto::AuthKey::from_bytes(key_bytes);

    let mut group = c.benchmark_group("message_encrypt_decrypt");
    for (name, size) in SIZES {
        group.throughput(Throughput::Bytes(size as u64));
        let plain = plaintext(&mut rng, size);

        // Ours: encrypt as the server, decrypt as the client would, in place
        // in one reused buffer (the runtime's hot path).
        let mut packet = vec![0u8; 24 + size];
        group.bench_function(BenchmarkId::new("ours", name), |b| {
            b.iter(|| {
                packet[24..].copy_from_slice(&plain);
                encrypt_message_in_place(&key, Side::Server, &mut packet);
                let out = decrypt_message_in_place(&key, Side::Server, &mut packet).unwrap();
                black_box(out.len())
            })
        });

        // grammers: encrypt_data_v2 (client, its own 17..32-byte padding)
        // then decrypt_data_v2 (expects the server's direction); it fails
        // the msg_key check by design, after doing all the same work, so
        // the error is the expected result.
        let unpadded = &plain[..size - 32];
        let mut buffer = DequeBuffer::with_capacity(size + 32, 24);
        group.bench_function(BenchmarkId::new("grammers", name), |b| {
            b.iter(|| {
                buffer.clear();
                buffer.extend(unpadded.iter().copied());
                grammers_crypto::encrypt_data_v2(&mut buffer, &theirs_key);
                let result = grammers_crypto::decrypt_data_v2(&mut buffer[..], &theirs_key);
                black_box(result.is_err())
            })
        });

        // The floor: two chains (encrypt + decrypt) of dependent AES-256
        // block encryptions over the same number of blocks.
        let cipher = Aes256::new(&[7u8; 32].into());
        let blocks = size / 16;
        group.bench_function(BenchmarkId::new("aes_floor", name), |b| {
            b.iter(|| {
                let mut block = Block::default();
                for _ in 0..2 * blocks {
                    cipher.encrypt_block(&mut block);
                }
                black_box(block)
            })
        });
    }
    group.finish();
}

fn modpow(c: &mut Criterion) {
    let mut rng = SplitMix64::new(2);
    let mut modulus = [0u8; 256];
    let mut base = [0u8; 256];
    let mut exponent = [0u8; 256];
    rng.fill_bytes(&mut modulus);
    rng.fill_bytes(&mut base);
    rng.fill_bytes(&mut exponent);
    modulus[0] |= 0x80;
    modulus[255] |= 1;
    let mut e65537 = [0u8; 256];
    e65537[253..].copy_from_slice(&[1, 0, 1]);

    let m = num_bigint::BigUint::from_bytes_be(&modulus);
    let b_big = num_bigint::BigUint::from_bytes_be(&base);
    let e_big = num_bigint::BigUint::from_bytes_be(&exponent);
    let e_small = num_bigint::BigUint::from(65537u32);

    let mut group = c.benchmark_group("modpow_2048");
    group.sample_size(20);
    group.bench_function("crypto_bigint/exp2048", |b| {
        b.iter(|| mod_pow(black_box(&base), &exponent, &modulus))
    });
    group.bench_function("num_bigint/exp2048", |b| {
        b.iter(|| black_box(&b_big).modpow(&e_big, &m))
    });
    let key = mtproto::crypto::RsaPublicKey::production();
    group.bench_function("crypto_bigint/rsa_pad_e65537", |b| {
        let mut rng = SplitMix64::new(3);
        b.iter(|| mtproto::crypto::rsa_pad_encrypt(&key, black_box(&[0u8; 96]), &mut rng))
    });
    group.bench_function("crypto_bigint/exp65537_full_width", |b| {
        b.iter(|| mod_pow(black_box(&base), &e65537, &modulus))
    });
    group.bench_function("num_bigint/e65537", |b| {
        b.iter(|| black_box(&b_big).modpow(&e_small, &m))
    });
    group.finish();
}

criterion_group!(benches, messages, modpow);
criterion_main!(benches);
