//! Replays every fuzz corpus and regression input through the fuzz
//! targets' checks (`mtproto_test_support::fuzz`), on stable Rust with no fuzzing
//! toolchain: `fuzz/corpus/<target>/*` are the seeds and what the fuzzer
//! kept, `fuzz/regressions/<target>/*` the inputs that once failed.
//!
//! One `#[test]` runs everything in sequence, because the allocation bound
//! is measured with a process-wide counting allocator and concurrent tests
//! would add their allocations to it.

use std::path::Path;

use mtproto_test_support::counting::Counting;
use mtproto_test_support::fuzz::{self, TARGETS};

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn every_corpus_and_regression_input_passes_its_target() {
    fuzz::init();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut total = 0;
    for (name, check) in TARGETS {
        let mut count = 0;
        for kind in ["corpus", "regressions"] {
            let dir = root.join(kind).join(name);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                assert_ne!(kind, "corpus", "no seed corpus for target `{name}`");
                continue;
            };
            let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            files.sort();
            for file in files {
                let data = std::fs::read(&file).unwrap();
                let shown = file.display().to_string();
                // Name the input in the failure, whatever the check says.
                let result = std::panic::catch_unwind(|| check(&data));
                if let Err(panic) = result {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    panic!("{shown}: {message}");
                }
                count += 1;
            }
        }
        assert!(count > 0, "target `{name}` has no inputs");
        total += count;
    }
    eprintln!("{total} fuzz inputs replayed");
}

/// Writes the seed corpora under `fuzz/corpus/` from the schemas and from
/// the values of the golden tests. Run by hand after a schema change:
/// `cargo test --all-features --test fuzz_corpus -- --ignored`.
#[test]
#[ignore = "writes files; run by hand to regenerate the seeds"]
fn write_seed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, seeds) in seeds::all() {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), seed).unwrap();
        }
    }
}

mod seeds {
    use std::collections::HashMap;

    use mtproto::container::{ContainerLimits, Numbering, Outbox, OutgoingMessage};
    use mtproto::envelope::PlainMessage;
    use mtproto::msg_id::UnixTime;
    use mtproto::random::SplitMix64;
    use mtproto::service::{functions, types};
    use mtproto::transport::{abridged, full, intermediate, padded, Encode, Side};
    use mtproto_types::{RawObject, Serialize};
    use tl_parser::{Definition, ParamType, Schema, TypeKind, TypeRef};

    use mtproto_test_support::fuzz::{
        auth_transcript, AuthTranscript, API_TL, AUTH_STEPS, MTPROTO_TL,
    };

    pub fn all() -> Vec<(&'static str, Vec<Vec<u8>>)> {
        let service = tl_parser::parse(MTPROTO_TL).unwrap().schema;
        let api = tl_parser::parse(API_TL).unwrap().schema;
        // Any boxed value, for `Object` fields: one both registries know.
        let service_seeds = minimal_values(&service, &types::DestroyAuthKeyOk {}.to_bytes(), 1);
        let api_seeds = minimal_values(&api, &mtproto_types::BOOL_TRUE_ID.to_le_bytes(), 25);
        let mut service_all = service_seeds.clone();
        service_all.extend(golden_service());
        let mut dynamic = service_all.clone();
        dynamic.extend(api_seeds.iter().take(20).cloned());
        dynamic.push(gzip_packed(&functions::Ping { ping_id: 7 }.to_bytes()));
        vec![
            ("parse", parse_seeds()),
            ("service", service_all),
            ("api", api_seeds),
            ("dynamic", dynamic),
            ("transport", transport_seeds()),
            ("container", container_seeds()),
            ("gzip", gzip_seeds()),
            ("session", session_seeds()),
            ("obfuscated", obfuscated_seeds()),
            ("decrypt", decrypt_seeds()),
            ("auth_client", auth_seeds(|t| &t.answers)),
            ("auth_server", auth_seeds(|t| &t.requests)),
        ]
    }

    /// For each step of one role, the honest peer's message there (which
    /// the role must accept), cut one byte short, with a byte flipped in
    /// the middle (inside the encrypted part where there is one), and the
    /// message of the next step instead.
    fn auth_seeds(messages: fn(&AuthTranscript) -> &[Vec<u8>; 3]) -> Vec<Vec<u8>> {
        let honest = messages(auth_transcript());
        let mut seeds = Vec::new();
        for step in 0..AUTH_STEPS {
            let message = &honest[usize::from(step)];
            let with = |body: &[u8]| {
                let mut seed = vec![step];
                seed.extend_from_slice(body);
                seed
            };
            seeds.push(with(message));
            seeds.push(with(&message[..message.len() - 1]));
            let mut flipped = message.clone();
            flipped[message.len() / 2] ^= 0x40;
            seeds.push(with(&flipped));
            seeds.push(with(&honest[usize::from((step + 1) % AUTH_STEPS)]));
        }
        seeds
    }

    /// Packets encrypted by each side from well-formed plaintexts (the
    /// smallest and largest padding, an empty and a longer body), then
    /// each cut short, and one under the other side's keys.
    fn decrypt_seeds() -> Vec<Vec<u8>> {
        use mtproto::crypto::{decrypt_message, encrypt_message};
        use mtproto_test_support::fuzz::decrypt_key;
        let key = decrypt_key();
        let mut seeds = Vec::new();
        for (choice, sender) in [(0u8, Side::Client), (1, Side::Server)] {
            for (body_len, padding) in [(0usize, 16usize), (20, 12), (64, 1024), (4, 28)] {
                let mut plaintext = 0x5a17_i64.to_le_bytes().to_vec();
                plaintext.extend_from_slice(&(-42i64).to_le_bytes());
                plaintext.extend_from_slice(&MSG_ID.to_le_bytes());
                plaintext.extend_from_slice(&3i32.to_le_bytes());
                plaintext.extend_from_slice(&(body_len as u32).to_le_bytes());
                plaintext.extend((0..body_len + padding).map(|i| i as u8));
                assert_eq!(plaintext.len() % 16, 0, "{body_len} + {padding}");
                let packet = encrypt_message(&key, sender, &plaintext);
                // A seed the target accepts, so the replay reaches the
                // re-encryption check.
                assert_eq!(decrypt_message(&key, sender, &packet), Ok(plaintext));
                let mut seed = vec![choice];
                seed.extend_from_slice(&packet);
                seeds.push(seed.clone());
                // Whole blocks short (msg_key no longer matches), and a
                // ragged cut (refused before any AES).
                seeds.push(seed[..seed.len() - 16].to_vec());
                seeds.push(seed[..seed.len() - 5].to_vec());
                // Decrypted as if the other side had sent it.
                seed[0] ^= 1;
                seeds.push(seed);
            }
        }
        seeds
    }

    /// Client streams of each transport, with and without the secret and
    /// split every way the first byte picks, a refused header, and pasted
    /// secrets.
    fn obfuscated_seeds() -> Vec<Vec<u8>> {
        use mtproto::transport::obfuscated::Obfuscation;
        use mtproto::transport::Kind;
        use mtproto_test_support::fuzz::OBFUSCATED_SECRET;
        let mut seeds = Vec::new();
        for (i, kind) in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate]
            .into_iter()
            .enumerate()
        {
            for with_secret in [false, true] {
                let secret = with_secret.then_some(&OBFUSCATED_SECRET);
                let mut rng = SplitMix64::new(i as u64);
                let (obf, header) = Obfuscation::client(&mut rng, kind, Some(2), secret);
                let choice = (i as u8 * 6) << 1 | u8::from(with_secret);
                let mut stream = vec![choice];
                let packets: [&[u8]; 2] = [&[1; 8], &[2; 20]];
                // The padded transport pads from its own generator; the
                // abridged stream also asks for quick acks.
                let (mut tx, _) = obf.into_client_boxed(header, SplitMix64::new(3));
                for p in packets {
                    tx.encode_packet(p, kind == Kind::Abridged, &mut stream)
                        .unwrap();
                }
                seeds.push(stream);
            }
        }
        let mut refused = vec![0u8, 0xef];
        refused.extend_from_slice(&[0x11; 63]);
        seeds.push(refused);
        seeds.push(b"dd00112233445566778899aabbccddeeff".to_vec());
        seeds.push(b"7gABAgMEBQYHCAkKCwwNDg9leGFtcGxlLmNvbQ".to_vec());
        seeds
    }

    fn parse_seeds() -> Vec<Vec<u8>> {
        let mut seeds: Vec<Vec<u8>> = Vec::new();
        // The service schema in pieces of whole lines, about 2 KB each.
        let mut piece = String::new();
        for line in MTPROTO_TL.lines() {
            piece.push_str(line);
            piece.push('\n');
            if piece.len() > 2000 {
                seeds.push(std::mem::take(&mut piece).into_bytes());
            }
        }
        seeds.push(piece.into_bytes());
        // A slice of the API layer with flags and namespaces.
        let api: String = API_TL
            .lines()
            .filter(|l| l.contains("flags.") && l.contains('.'))
            .take(12)
            .map(|l| format!("{l}\n"))
            .collect();
        seeds.push(format!("---types---\n{api}").into_bytes());
        for snippet in [
            "// LAYER 7\nint ? = Int;\nvector {t:Type} # [ t ] = Vector t;\n",
            "foo#deadbeef flags:# a:flags.0?int b:flags.1?true = Foo;\n",
            "---functions---\ninvokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;\n",
            "a x:%Foo y:vector<Foo> = A;\n",
            "foo a:Bar = Foo;\n",
            "/* unterminated\nfoo = Foo;",
            "foo#12g4 = Foo;\n",
        ] {
            seeds.push(snippet.as_bytes().to_vec());
        }
        seeds
    }

    /// One smallest encoding per constructor and function (every `every`-th
    /// of them): flags 0, empty strings and vectors, zero numbers.
    fn minimal_values(schema: &Schema, any_object: &[u8], every: usize) -> Vec<Vec<u8>> {
        let mut by_type: HashMap<String, Vec<&Definition>> = HashMap::new();
        let mut by_name: HashMap<String, &Definition> = HashMap::new();
        for d in schema.constructors() {
            by_type.entry(d.result.name.full()).or_default().push(d);
            by_name.insert(d.name.full(), d);
        }
        let ctx = Ctx {
            by_type,
            by_name,
            any_object,
        };
        schema
            .definitions
            .iter()
            .filter(|d| d.name.full() != "gzip_packed")
            .step_by(every)
            .filter_map(|d| {
                let mut out = d.id.to_le_bytes().to_vec();
                ctx.fields(d, 0, &mut out).then_some(out)
            })
            .collect()
    }

    struct Ctx<'s> {
        by_type: HashMap<String, Vec<&'s Definition>>,
        by_name: HashMap<String, &'s Definition>,
        any_object: &'s [u8],
    }

    impl Ctx<'_> {
        fn fields(&self, d: &Definition, depth: usize, out: &mut Vec<u8>) -> bool {
            if depth > 6 {
                return false;
            }
            let params = &d.params;
            for (i, p) in params.iter().enumerate() {
                match &p.ty {
                    ParamType::Flags => out.extend_from_slice(&0u32.to_le_bytes()),
                    ParamType::Normal { flag: Some(_), .. } => {}
                    ParamType::Normal { ty, flag: None } => {
                        // `bytes:int body:Object` (message): the body's length.
                        let sized = p.name == "bytes"
                            && matches!(params.get(i + 1).map(|n| &n.ty),
                                Some(ParamType::Normal { ty, .. }) if ty.kind == TypeKind::Object);
                        if sized {
                            out.extend_from_slice(&(self.any_object.len() as i32).to_le_bytes());
                        } else if !self.value(ty, depth, out) {
                            return false;
                        }
                    }
                }
            }
            true
        }

        fn value(&self, ty: &TypeRef, depth: usize, out: &mut Vec<u8>) -> bool {
            match ty.kind {
                TypeKind::Int => out.extend_from_slice(&[0; 4]),
                TypeKind::Long | TypeKind::Double => out.extend_from_slice(&[0; 8]),
                TypeKind::String | TypeKind::Bytes => out.extend_from_slice(&[0; 4]),
                TypeKind::Int128 => out.extend_from_slice(&[0; 16]),
                TypeKind::Int256 => out.extend_from_slice(&[0; 32]),
                TypeKind::Bool => {
                    out.extend_from_slice(&mtproto_types::BOOL_FALSE_ID.to_le_bytes())
                }
                TypeKind::True => {}
                TypeKind::Vector => {
                    if !ty.bare {
                        out.extend_from_slice(&mtproto_types::VECTOR_ID.to_le_bytes());
                    }
                    out.extend_from_slice(&[0; 4]);
                }
                TypeKind::Object | TypeKind::Generic => out.extend_from_slice(self.any_object),
                TypeKind::Boxed => {
                    let Some(ctors) = self.by_type.get(&ty.name.full()) else {
                        return false;
                    };
                    return ctors.iter().any(|c| {
                        let mut buf = c.id.to_le_bytes().to_vec();
                        let ok = self.fields(c, depth + 1, &mut buf);
                        if ok {
                            out.extend(buf);
                        }
                        ok
                    });
                }
                TypeKind::BareConstructor => {
                    let name = ty.name.full();
                    let def = self.by_name.get(&name).copied().or_else(|| {
                        self.by_type
                            .get(&name)
                            .and_then(|c| (c.len() == 1).then(|| c[0]))
                    });
                    return def.is_some_and(|d| self.fields(d, depth + 1, out));
                }
                TypeKind::Unresolved => return false,
            }
            true
        }
    }

    const MSG_ID: i64 = 0x5e0b_8000_1234_5678;

    /// The values of `tests/service_golden.rs` that carry more than zeros.
    fn golden_service() -> Vec<Vec<u8>> {
        let ping = functions::Ping {
            ping_id: 0x0123_4567_89ab_cdef,
        };
        vec![
            types::RpcResult {
                req_msg_id: MSG_ID,
                result: RawObject::from_value(&ping),
            }
            .to_bytes(),
            types::RpcError {
                error_code: 420,
                error_message: "FLOOD_WAIT_30".into(),
            }
            .to_bytes(),
            types::MsgsAck {
                msg_ids: vec![MSG_ID, MSG_ID + 4],
            }
            .to_bytes(),
            types::MsgContainer {
                messages: vec![types::Message {
                    msg_id: MSG_ID,
                    seqno: 3,
                    body: RawObject::from_value(&ping),
                }],
            }
            .to_bytes(),
            types::FutureSalts {
                req_msg_id: MSG_ID,
                now: 1_700_000_000,
                salts: vec![types::FutureSalt {
                    valid_since: 1_700_000_000,
                    valid_until: 1_700_001_800,
                    salt: 0x5a17,
                }],
            }
            .to_bytes(),
            gzip_packed(&ping.to_bytes()),
            types::MsgsStateInfo {
                req_msg_id: MSG_ID,
                info: vec![1, 2, 4, 8, 16].into(),
            }
            .to_bytes(),
        ]
    }

    /// gzip data of `data`, whether or not it is smaller.
    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn gzip_packed(body: &[u8]) -> Vec<u8> {
        types::GzipPacked {
            packed_data: gz(body).into(),
        }
        .to_bytes()
    }

    /// One stream per transport and side: two packets (unencrypted messages
    /// and an encrypted-looking one), a quick ack where the side reads one.
    fn transport_seeds() -> Vec<Vec<u8>> {
        let mut plain = Vec::new();
        PlainMessage {
            msg_id: MSG_ID,
            body: &functions::ReqPqMulti { nonce: [7; 16] }.to_bytes(),
        }
        .encode(&mut plain)
        .unwrap();
        let mut encrypted = 0x1122_3344_5566_7788u64.to_le_bytes().to_vec();
        encrypted.extend_from_slice(&[0xab; 16 + 64]);
        let mut seeds = Vec::new();
        for choice in 0u8..8 {
            let reader = if choice & 1 == 0 {
                Side::Client
            } else {
                Side::Server
            };
            let writer = if reader == Side::Client {
                Side::Server
            } else {
                Side::Client
            };
            let mut encoder: Box<dyn Encode> = match choice >> 1 {
                0 => Box::new(abridged::Encoder::new(writer)),
                1 => Box::new(intermediate::Encoder::new(writer)),
                2 => Box::new(padded::Encoder::new(writer, SplitMix64::new(1))),
                _ => Box::new(full::Encoder::new(writer)),
            };
            let mut stream = vec![choice, 2 + 4 * choice];
            encoder
                .encode_packet(&plain, reader == Side::Server, &mut stream)
                .unwrap();
            if reader == Side::Client {
                encoder.encode_quick_ack(0x1234_5678, &mut stream).unwrap();
            }
            encoder
                .encode_packet(&encrypted, false, &mut stream)
                .unwrap();
            seeds.push(stream.clone());
            if reader == Side::Client {
                // A transport error after a packet.
                encoder.encode_transport_error(-404, &mut stream).unwrap();
                stream[1] = 1;
                seeds.push(stream);
            }
        }
        seeds
    }

    fn container_seeds() -> Vec<Vec<u8>> {
        let now = UnixTime::from_secs(1_700_000_000);
        let mut seeds = Vec::new();
        for n in [2i64, 5] {
            let mut numbering = Numbering::new(Side::Server);
            let mut outbox = Outbox::new(ContainerLimits::default());
            for ping_id in 0..n {
                let (msg_id, seq_no) = numbering.next(now, true);
                let body = if ping_id % 2 == 0 {
                    types::Pong { msg_id, ping_id }.to_bytes()
                } else {
                    types::RpcResult {
                        req_msg_id: msg_id,
                        result: RawObject::from_value(&types::RpcError {
                            error_code: 400,
                            error_message: "BAD".into(),
                        }),
                    }
                    .to_bytes()
                };
                outbox.push(OutgoingMessage {
                    msg_id,
                    seq_no,
                    body,
                });
            }
            outbox.ack((12345 << 32) | 1);
            outbox.request_state([(12345 << 32) | 5]);
            let packet = outbox.flush(&mut numbering, now).unwrap();
            let mut seed = packet.msg_id.to_le_bytes().to_vec();
            seed.extend_from_slice(&packet.body);
            seeds.push(seed);
        }
        seeds
    }

    fn gzip_seeds() -> Vec<Vec<u8>> {
        let text = b"rpc_result#f35c6d01 req_msg_id:long result:Object = RpcResult; ".repeat(8);
        let mut seeds = vec![gz(&text), gz(&[0u8; 4096]), gz(&[1, 2, 3])];
        // A header with FNAME set and a stored (uncompressed) block.
        let data = b"hello hello";
        let mut stored = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3];
        stored.extend_from_slice(b"name\0");
        stored.push(1);
        stored.extend_from_slice(&(data.len() as u16).to_le_bytes());
        stored.extend_from_slice(&(!(data.len() as u16)).to_le_bytes());
        stored.extend_from_slice(data);
        stored.extend_from_slice(&crc32(data).to_le_bytes());
        stored.extend_from_slice(&(data.len() as u32).to_le_bytes());
        seeds.push(stored);
        seeds
    }

    fn crc32(data: &[u8]) -> u32 {
        // The gzip trailer's crc32, bit by bit (no extra dependency).
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// Scripts in the op language of `mtproto_test_support::fuzz::session`.
    fn session_seeds() -> Vec<Vec<u8>> {
        let chunk = |body: &[u8]| {
            let mut c = vec![(body.len() / 4) as u8];
            c.extend_from_slice(body);
            c
        };
        let pong = types::Pong {
            msg_id: 0,
            ping_id: 9,
        }
        .to_bytes();
        let rpc_error = types::RpcError {
            error_code: 420,
            error_message: "FLOOD_WAIT_30".into(),
        }
        .to_bytes();
        let new_session = types::NewSessionCreated {
            first_msg_id: 0,
            unique_id: 5,
            server_salt: 77,
        }
        .to_bytes();
        let salts = types::FutureSalts {
            req_msg_id: 0,
            now: 1_700_000_000,
            salts: vec![types::FutureSalt {
                valid_since: 1_700_000_000,
                valid_until: 1_700_001_800,
                salt: 99,
            }],
        }
        .to_bytes();
        let ack = types::MsgsAck { msg_ids: vec![4] }.to_bytes();
        let gz = gzip_packed(&pong);
        let mut seeds = Vec::new();
        // Enqueue a ping, answer it; then an error, a new session.
        let mut s = vec![4, 9, 0, 0, 0, 0, 0, 0, 0, 2, 0];
        s.extend(chunk(&pong));
        s.extend([4, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
        s.extend(chunk(&rpc_error));
        s.push(0);
        s.extend(chunk(&new_session));
        seeds.push(s);
        // Time passes (a keep-alive ping), salts, an ack, gzip, a duplicate.
        let mut s = vec![6, 61, 0];
        s.extend(chunk(&salts));
        s.push(0);
        s.extend(chunk(&ack));
        s.extend([4, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0]);
        s.extend(chunk(&gz));
        s.push(7);
        s.extend(chunk(&ack));
        s.extend([5, 0]);
        seeds.push(s);
        // A container from the server, and a bad_server_salt.
        let container = types::MsgContainer {
            messages: vec![types::Message {
                msg_id: (1_700_000_000i64 << 32) | 1,
                seqno: 1,
                body: RawObject::new(&pong[..]),
            }],
        }
        .to_bytes();
        let mut s = vec![4, 5, 0, 0, 0, 0, 0, 0, 0, 0];
        s.extend(chunk(&container));
        let bad_salt = types::BadServerSalt {
            bad_msg_id: 0,
            bad_msg_seqno: 1,
            error_code: 48,
            new_server_salt: 1234,
        }
        .to_bytes();
        s.push(0);
        s.extend(chunk(&bad_salt));
        seeds.push(s);
        seeds
    }
}
