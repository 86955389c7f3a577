//! The whole authorization-key exchange, both roles in one process, and
//! its split: factorizing `pq`, RSA_PAD encryption (client) and decryption
//! (server), and one 2048-bit exponentiation (each side does two). Beside
//! them, grammers-mtproto 0.11.0's client steps as far as they run offline:
//! `step1` and `step2` (factorization and RSA against Telegram's recorded
//! test-DC `resPQ`); its `step3` needs a live server's answer encrypted
//! under its own random `new_nonce`, and its `do_step*` replay functions
//! are private, so that is where it stops. Our client's first two steps
//! on the same recorded `resPQ` are measured for the like-for-like figure.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grammers_tl_types::{self as gt, Deserializable};
use mtproto::auth::{
    Client, ClientConfig, RsaPrivateKey, Server, ServerConfig, ServerStep, Step, TELEGRAM_DH_PRIME,
};
use mtproto::crypto::{factorize, mod_pow, rsa_pad_encrypt};
use mtproto::msg_id::UnixTime;
use mtproto::random::{RandomSource, SplitMix64};
use mtproto_test_support::fuzz::auth_transcript;

const PEM: &str = include_str!("../tests/data/auth/test_server_key.pem");
const GRAMMERS: &str = include_str!("../tests/data/auth/grammers_handshake.txt");
const NOW: u64 = 1_700_000_000;

/// A named hex line of the recorded grammers handshake.
fn recorded(name: &str) -> Vec<u8> {
    let line = GRAMMERS
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim_start().strip_prefix('='))
        .unwrap_or_else(|| panic!("{name} recorded"));
    let hex: Vec<u8> = line.bytes().filter(u8::is_ascii_hexdigit).collect();
    hex.chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// `pq` from a `resPQ` body: constructor (4), nonce (16), server_nonce
/// (16), then the TL bytes of an 8-byte big-endian number.
fn pq_of(res_pq: &[u8]) -> u64 {
    assert_eq!(res_pq[36], 8, "an 8-byte pq");
    u64::from_be_bytes(res_pq[37..45].try_into().unwrap())
}

/// Client and server from the start to the shared key.
fn full_exchange(server_config: &ServerConfig, client_config: &ClientConfig) -> i64 {
    let (mut rng, mut server_rng) = (SplitMix64::new(1), SplitMix64::new(2));
    let now = UnixTime::from_secs(NOW);
    let mut server = Server::new(server_config.clone());
    let (mut client, mut request) = Client::start(client_config.clone(), &mut rng).unwrap();
    loop {
        match server.handle(&request, now, &mut server_rng).unwrap() {
            ServerStep::Send(answer) => match client.handle(&answer, now, &mut rng).unwrap() {
                Step::Send(next) => request = next,
                Step::Done(_) => unreachable!("only dh_gen_ok ends it"),
            },
            ServerStep::Done { body, accepted } => {
                let Step::Done(done) = client.handle(&body, now, &mut rng).unwrap() else {
                    unreachable!("dh_gen_ok ends it")
                };
                assert_eq!(done.auth_key.id(), accepted.auth_key.id());
                return done.auth_key.id();
            }
        }
    }
}

fn handshake(c: &mut Criterion) {
    let private = RsaPrivateKey::from_pem(PEM).unwrap();
    let public = private.public_key().clone();
    let server_config = ServerConfig::new(private.clone());
    let client_config = ClientConfig::new(2).with_rsa_key(public.clone());
    // The same exchange, message by message, for each role alone. It is
    // the one `full_exchange` runs: same configs, same seeds.
    let transcript = auth_transcript();
    let now = UnixTime::from_secs(NOW);

    let mut group = c.benchmark_group("handshake");
    group.sample_size(20);
    group.bench_function("ours/full_exchange", |b| {
        b.iter(|| black_box(full_exchange(&server_config, &client_config)))
    });
    group.bench_function("ours/client_alone", |b| {
        b.iter(|| {
            let mut rng = SplitMix64::new(1);
            let (mut client, _) = Client::start(client_config.clone(), &mut rng).unwrap();
            for answer in &transcript.answers {
                black_box(client.handle(answer, now, &mut rng).unwrap());
            }
        })
    });
    group.bench_function("ours/server_alone", |b| {
        b.iter(|| {
            let mut rng = SplitMix64::new(2);
            let mut server = Server::new(server_config.clone());
            for request in &transcript.requests {
                black_box(server.handle(request, now, &mut rng).unwrap());
            }
        })
    });

    // Against Telegram's recorded resPQ: our client's start and its
    // answer (factorization, RSA_PAD with the built-in test-DC key) beside
    // grammers' step1 and step2 doing the same work.
    let res_pq = recorded("step1_response");
    group.bench_function("ours/client_req_pq_and_req_dh", |b| {
        b.iter(|| {
            // The recorded resPQ echoes grammers' recorded nonce, so the
            // client must draw that nonce first.
            let mut rng = SplitMix64::new(3);
            let nonce = recorded_nonce(&res_pq);
            let mut first = true;
            let mut source = |buf: &mut [u8]| {
                if std::mem::take(&mut first) {
                    buf.copy_from_slice(&nonce);
                } else {
                    rng.fill_bytes(buf);
                }
            };
            let (mut client, _) = Client::start(ClientConfig::new(10002), &mut source).unwrap();
            black_box(client.handle(&res_pq, now, &mut source).unwrap())
        })
    });
    group.bench_function("grammers/step1", |b| {
        b.iter(|| black_box(grammers_mtproto::authentication::step1().unwrap()))
    });
    group.bench_function("grammers/step1_and_step2", |b| {
        b.iter(|| {
            let (request, data) = grammers_mtproto::authentication::step1().unwrap();
            // step1 draws its own nonce; the recorded answer is given it.
            let mut answer = res_pq.clone();
            answer[4..20].copy_from_slice(&request.nonce);
            let answer = gt::enums::ResPq::from_bytes(&answer).unwrap();
            black_box(grammers_mtproto::authentication::step2(data, answer).unwrap())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("handshake_split");
    // Telegram's recorded pq, and the one our server chose in the
    // transcript.
    for (name, pq) in [
        ("telegram_pq", pq_of(&res_pq)),
        ("our_server_pq", pq_of(&transcript.answers[0])),
    ] {
        let (p, q) = factorize(pq);
        assert_eq!(p * q, pq);
        assert_eq!(grammers_crypto::factorize(pq), (p, q));
        group.bench_function(format!("ours/factorize/{name}"), |b| {
            b.iter(|| black_box(factorize(black_box(pq))))
        });
        group.bench_function(format!("grammers/factorize/{name}"), |b| {
            b.iter(|| black_box(grammers_crypto::factorize(black_box(pq))))
        });
    }

    // RSA_PAD over a p_q_inner_data_dc-sized payload, then the server
    // undoing it with the private exponent.
    let inner = vec![0x42u8; 96];
    let mut rng = SplitMix64::new(4);
    group.bench_function("ours/rsa_pad_encrypt", |b| {
        b.iter(|| black_box(rsa_pad_encrypt(&public, black_box(&inner), &mut rng)))
    });
    let encrypted = rsa_pad_encrypt(&public, &inner, &mut rng);
    assert_eq!(private.decrypt_pad(&encrypted).unwrap()[..96], inner[..]);
    group.bench_function("ours/rsa_decrypt_pad", |b| {
        b.iter(|| black_box(private.decrypt_pad(black_box(&encrypted)).unwrap()))
    });

    // One of the four DH exponentiations: g^secret mod dh_prime.
    let mut g = [0u8; 256];
    g[255] = 3;
    let mut secret = [0u8; 256];
    rng.fill_bytes(&mut secret);
    group.bench_function("ours/mod_pow_2048", |b| {
        b.iter(|| black_box(mod_pow(&g, black_box(&secret), &TELEGRAM_DH_PRIME).unwrap()))
    });
    group.finish();
}

/// The nonce a recorded `resPQ` echoes (bytes 4..20).
fn recorded_nonce(res_pq: &[u8]) -> [u8; 16] {
    res_pq[4..20].try_into().unwrap()
}

criterion_group!(benches, handshake);
criterion_main!(benches);
