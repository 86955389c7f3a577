//! obfuscated2 and MTProxy secrets against independent bytes: a header
//! and stream computed with Python's `cryptography` (and the header's tail
//! again with `openssl enc -aes-256-ctr`), grammers-mtproto 0.11.0's
//! obfuscated transport both ways, streams split at every byte, and a table
//! of hostile inputs that must each give a typed error.

use aes::cipher::{KeyIvInit, StreamCipher};
use grammers_crypto::DequeBuffer;
use grammers_mtproto::transport::{self as gt, Transport};
use mtproto::random::{RandomSource, SplitMix64};
use mtproto::transport::mtproxy::{Secret, SecretError};
use mtproto::transport::obfuscated::{ForbiddenStart, Obfuscation, ObfuscationError};
use mtproto::transport::{intermediate, Detected, Frame, Kind, TransportError};

/// A source that hands out the given bytes, then panics: proves how many
/// draws a header took.
struct Replay(Vec<u8>);

impl RandomSource for Replay {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        assert!(self.0.len() >= dest.len(), "drew more than was recorded");
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// init[i] = 7i + 3, tag intermediate, dc 2; computed by
/// `cryptography`'s AES-CTR (header tail checked with openssl too).
#[test]
fn pinned_vector_from_an_independent_implementation() {
    let init: Vec<u8> = (0..64u32).map(|i| (i * 7 + 3) as u8).collect();
    let cases = [
        (
            None,
            "27a3e26acbdb9f1d",
            "98a57ab4dc9c96796ceddc1b",
            "2864aaf64ae224ee55fa59fc",
        ),
        (
            Some(std::array::from_fn::<u8, 16, _>(|i| 0x10 + i as u8)),
            "d6013098b2164f86",
            "94f5469ff15d5fbf8fa6c3a1",
            "2aaaf5d1281ed47b7d59c300",
        ),
    ];
    for (secret, tail, up, down) in cases {
        let (obf, header) = Obfuscation::client(
            &mut Replay(init.clone()),
            Kind::Intermediate,
            Some(2),
            secret.as_ref(),
        );
        assert_eq!(&header[..56], &init[..56]);
        assert_eq!(header[56..].to_vec(), hex(tail));
        let (mut tx, mut rx) = obf
            .into_client(
                header,
                intermediate::Encoder::client(),
                intermediate::Decoder::client(),
            )
            .unwrap();
        let mut wire = Vec::new();
        tx.encode_packet(&[1, 2, 3, 4, 5, 6, 7, 8], false, &mut wire)
            .unwrap();
        assert_eq!(wire[64..].to_vec(), hex(up));
        rx.feed(&hex(down));
        assert_eq!(
            rx.next_frame().unwrap(),
            Some(Frame::packet(
                &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08][..]
            ))
        );
        // And the server reads the same header the same way.
        let (_, kind, dc) = Obfuscation::server(&header, secret.as_ref()).unwrap();
        assert_eq!((kind, dc), (Kind::Intermediate, Some(2)));
    }
}

/// grammers' whole header: the plain 56 bytes, and the 8 it encrypted,
/// decrypted again to recover the random init it drew.
fn grammers_init(header: &[u8]) -> Vec<u8> {
    let mut ctr = ctr::Ctr128BE::<aes::Aes256>::new(header[8..40].into(), header[40..56].into());
    // CTR is its own inverse: the keystream at 56..64 undoes the encryption.
    let mut init = header[..64].to_vec();
    let mut tail = [0u8; 64];
    tail[56..].copy_from_slice(&header[56..64]);
    ctr.apply_keystream(&mut tail);
    init[56..].copy_from_slice(&tail[56..]);
    init
}

fn grammers_pack(t: &mut impl Transport, payload: &[u8]) -> Vec<u8> {
    let mut buf = DequeBuffer::with_capacity(payload.len(), 128);
    buf.extend(payload);
    t.pack(&mut buf);
    buf.as_ref().to_vec()
}

fn payloads() -> Vec<Vec<u8>> {
    let mut rng = SplitMix64::new(77);
    [4usize, 8, 124, 128, 1020, 4096, 40_000]
        .iter()
        .map(|&n| {
            let mut p = vec![0; n];
            rng.fill_bytes(&mut p);
            p
        })
        .collect()
}

/// Ours, given the 64 bytes grammers drew, writes grammers' byte stream.
#[test]
fn same_init_same_stream_as_grammers() {
    for _ in 0..8 {
        let mut theirs = gt::Obfuscated::new(gt::Intermediate::new());
        let mut their_wire = Vec::new();
        for p in payloads() {
            their_wire.extend(grammers_pack(&mut theirs, &p));
        }
        let init = grammers_init(&their_wire);
        assert_eq!(&init[56..60], &[0xee; 4]);
        let (obf, header) = Obfuscation::client(&mut Replay(init), Kind::Intermediate, None, None);
        let (mut tx, _) = obf
            .into_client(
                header,
                intermediate::Encoder::client(),
                intermediate::Decoder::client(),
            )
            .unwrap();
        let mut our_wire = Vec::new();
        for p in payloads() {
            tx.encode_packet(&p, false, &mut our_wire).unwrap();
        }
        assert_eq!(our_wire, their_wire);
    }
}

/// grammers' client to our server decoder, and our server's answers to
/// grammers' client decoder, fed in uneven pieces.
#[test]
fn grammers_client_talks_to_our_server() {
    for (kind, abridged_inner) in [(Kind::Intermediate, false), (Kind::Abridged, true)] {
        let mut client: Box<dyn Transport> = if abridged_inner {
            Box::new(gt::Obfuscated::new(gt::Abridged::new()))
        } else {
            Box::new(gt::Obfuscated::new(gt::Intermediate::new()))
        };
        let mut wire = Vec::new();
        for p in payloads() {
            let mut buf = DequeBuffer::with_capacity(p.len(), 128);
            buf.extend(&p);
            client.pack(&mut buf);
            wire.extend_from_slice(buf.as_ref());
        }
        let (server, found, _) = Obfuscation::server(wire[..64].try_into().unwrap(), None).unwrap();
        assert_eq!(found, kind);
        let (mut tx, mut rx) = server.into_server_boxed(SplitMix64::new(1));
        let mut got = Vec::new();
        for (i, piece) in wire[64..].chunks(777).enumerate() {
            // Alternate both ways in: copying feed and read_buf/filled.
            if i % 2 == 0 {
                rx.feed(piece);
            } else {
                rx.read_buf(piece.len())[..piece.len()].copy_from_slice(piece);
                rx.filled(piece.len());
            }
            while let Some(frame) = rx.next_frame().unwrap() {
                got.push(match frame {
                    Frame::Packet { payload, .. } => payload.to_vec(),
                    Frame::QuickAck(_) => panic!("a client sends no tokens"),
                });
            }
        }
        assert_eq!(got, payloads());

        // grammers reads every 4-byte packet as a transport error, and
        // compares a claimed length with the buffer without its 4-byte
        // header (slicing past the end when a frame is 1..4 bytes short),
        // so answers skip the 4-byte packet and arrive whole.
        let answers_sent = &payloads()[1..];
        let mut back = Vec::new();
        for p in answers_sent {
            tx.encode_packet(p, false, &mut back).unwrap();
        }
        let mut received = Vec::new();
        let mut answers = Vec::new();
        {
            received.extend_from_slice(&back);
            loop {
                match client.unpack(&mut received) {
                    Ok(offset) => {
                        answers.push(received[offset.data_range.clone()].to_vec());
                        received.drain(..offset.next_offset);
                    }
                    Err(gt::Error::MissingBytes) => break,
                    Err(err) => panic!("{err}"),
                }
            }
        }
        assert_eq!(answers, answers_sent);
    }
}

/// A client and a server stream, every byte boundary a split point, both
/// through `feed` and through `read_buf`: the keystream advances only by
/// what arrived (the partial-read regression of another implementation).
#[test]
fn every_split_point_of_both_directions() {
    let packets: Vec<Vec<u8>> = vec![vec![1; 4], vec![2; 8], vec![3; 12]];
    for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
        let (client, header) =
            Obfuscation::client(&mut SplitMix64::new(3), kind, Some(-1), Some(&[9; 16]));
        let (mut tx, _) = client.into_client_boxed(header, SplitMix64::new(1));
        let mut wire = Vec::new();
        for p in &packets {
            tx.encode_packet(p, false, &mut wire).unwrap();
        }
        for split in 0..=wire.len() {
            for via_read_buf in [false, true] {
                let got = server_reads(&wire, &[split], via_read_buf);
                assert_eq!(got.len(), 3, "{kind:?} split at {split}");
                for (g, p) in got.iter().zip(&packets) {
                    assert!(g.starts_with(p), "{kind:?} split at {split}");
                }
            }
        }
        // And every piece one byte long.
        let ones: Vec<usize> = (1..wire.len()).collect();
        assert_eq!(server_reads(&wire, &ones, true).len(), 3);
    }
}

/// The server reading `wire` cut at `cuts`; header bytes are gathered
/// first, as a server does with `Kind::detect_obfuscated`.
fn server_reads(wire: &[u8], cuts: &[usize], via_read_buf: bool) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut last = 0;
    for &cut in cuts.iter().chain(std::iter::once(&wire.len())) {
        pieces.push(&wire[last..cut]);
        last = cut;
    }
    let mut first = Vec::new();
    let mut rx = None;
    let mut got = Vec::new();
    for piece in pieces {
        let piece = match &mut rx {
            Some(_) => piece,
            None => {
                first.extend_from_slice(piece);
                if first.len() < 64 {
                    continue;
                }
                assert_eq!(Kind::detect_obfuscated(&first), Detected::Obfuscated);
                let (server, _, dc) =
                    Obfuscation::server(first[..64].try_into().unwrap(), Some(&[9; 16])).unwrap();
                assert_eq!(dc, Some(-1));
                rx = Some(server.into_server_boxed(SplitMix64::new(1)).1);
                &first[64..]
            }
        };
        let rx = rx.as_mut().unwrap();
        if via_read_buf {
            rx.read_buf(piece.len())[..piece.len()].copy_from_slice(piece);
            rx.filled(piece.len());
        } else {
            rx.feed(piece);
        }
        while let Some(frame) = rx.next_frame().unwrap() {
            if let Frame::Packet { payload, .. } = frame {
                got.push(payload.to_vec());
            }
        }
    }
    got
}

/// Headers a client would never send and the server must refuse.
#[test]
fn hostile_headers_are_typed_errors() {
    let good = |kind| Obfuscation::client(&mut SplitMix64::new(8), kind, None, None).1;
    let base = good(Kind::Intermediate);
    let with = |range: std::ops::Range<usize>, bytes: &[u8]| {
        let mut h = base;
        h[range].copy_from_slice(bytes);
        h
    };
    let forbidden = [
        (with(0..1, &[0xef]), ForbiddenStart::AbridgedByte),
        (with(0..4, b"HEAD"), ForbiddenStart::Word(*b"HEAD")),
        (with(0..4, b"POST"), ForbiddenStart::Word(*b"POST")),
        (with(0..4, b"GET "), ForbiddenStart::Word(*b"GET ")),
        (with(0..4, b"OPTI"), ForbiddenStart::Word(*b"OPTI")),
        (
            with(0..4, &[0x16, 3, 1, 2]),
            ForbiddenStart::Word([0x16, 3, 1, 2]),
        ),
        (with(0..4, &[0xdd; 4]), ForbiddenStart::Word([0xdd; 4])),
        (with(0..4, &[0xee; 4]), ForbiddenStart::Word([0xee; 4])),
        (with(4..8, &[0; 4]), ForbiddenStart::ZeroSecondWord),
    ];
    for (header, start) in forbidden {
        assert_eq!(
            Obfuscation::server(&header, None).unwrap_err(),
            ObfuscationError::ForbiddenStart(start)
        );
    }
    // Tags: flip the encrypted tag bytes so they decrypt to another word;
    // `0c 00 00 00` is what a plain full transport's length would be.
    for target in [
        [0; 4],
        [0x0c, 0, 0, 0],
        [0xef, 0xee, 0xee, 0xee],
        [0xee, 0xee, 0xee, 0xdd],
        [0x16, 3, 1, 2],
    ] {
        let mut header = base;
        for i in 0..4 {
            header[56 + i] ^= 0xee ^ target[i];
        }
        assert_eq!(
            Obfuscation::server(&header, None).unwrap_err(),
            ObfuscationError::UnknownTag { tag: target }
        );
    }
    // A wrong secret, a secret the client did not use, none where it did.
    let with_secret = Obfuscation::client(
        &mut SplitMix64::new(8),
        Kind::Abridged,
        None,
        Some(&[5; 16]),
    )
    .1;
    for (header, secret) in [
        (base, Some([1u8; 16])),
        (with_secret, Some([6; 16])),
        (with_secret, None),
    ] {
        assert!(matches!(
            Obfuscation::server(&header, secret.as_ref()),
            Err(ObfuscationError::UnknownTag { .. })
        ));
    }
}

/// Secrets as pasted, wrong in every way the parser tells apart.
#[test]
fn hostile_secrets_are_typed_errors() {
    let key = "00112233445566778899aabbccddeeff";
    let cases: Vec<(String, SecretError)> = vec![
        (String::new(), SecretError::Empty),
        ("   ".into(), SecretError::Empty),
        (key[..30].into(), SecretError::BadLength { len: 15 }),
        (format!("{key}00"), SecretError::BadPrefix { prefix: 0x00 }),
        (format!("ab{key}"), SecretError::BadPrefix { prefix: 0xab }),
        (format!("dd{key}0011"), SecretError::BadLength { len: 19 }),
        (format!("dd{key}00"), SecretError::BadLength { len: 18 }),
        (format!("ee{key}"), SecretError::MissingDomain),
        (
            format!("ee{key}2061"),
            SecretError::BadDomain {
                found: 0x20,
                position: 0,
            },
        ),
        (
            format!("ee{key}61ff"),
            SecretError::BadDomain {
                found: 0xff,
                position: 1,
            },
        ),
        (
            format!("{key}!"),
            SecretError::BadCharacter {
                found: '!',
                position: 32,
            },
        ),
        (
            "ABEiM0RVZneImaq7zN3u_w.".into(),
            SecretError::BadCharacter {
                found: '.',
                position: 22,
            },
        ),
        ("ABEiM".into(), SecretError::BadBase64Length { len: 5 }),
        ("ABEi".into(), SecretError::BadLength { len: 3 }),
        (format!("0x{key}"), SecretError::BadLength { len: 25 }),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<Secret>(), Err(expected.clone()), "{text:?}");
        assert!(!expected.to_string().is_empty());
    }
}

/// Misuse on the client side: typed errors, not panics.
#[test]
fn hostile_client_setups_are_typed_errors() {
    let mut rng = SplitMix64::new(1);
    assert_eq!(
        Obfuscation::try_client(&mut rng, Kind::Full, None, None).unwrap_err(),
        ObfuscationError::FullTransport
    );
    let padded: Secret = "dd00112233445566778899aabbccddeeff".parse().unwrap();
    assert_eq!(
        padded.kind(Kind::Intermediate),
        Ok(Kind::PaddedIntermediate)
    );
    assert_eq!(
        padded.kind(Kind::Full),
        Err(ObfuscationError::FullTransport)
    );
    let (obf, header) =
        Obfuscation::client(&mut rng, Kind::PaddedIntermediate, None, Some(padded.key()));
    assert_eq!(
        obf.into_client(
            header,
            intermediate::Encoder::client(),
            intermediate::Decoder::client()
        )
        .unwrap_err(),
        ObfuscationError::KindMismatch {
            header: Kind::PaddedIntermediate,
            given: Kind::Intermediate
        }
    );
}

/// Garbage after a valid header fails in the inner transport, typed.
#[test]
fn garbage_after_the_header_is_a_transport_error() {
    let (_, header) = Obfuscation::client(&mut SplitMix64::new(2), Kind::Intermediate, None, None);
    let (server, _, _) = Obfuscation::server(&header, None).unwrap();
    let (_, mut rx) = server.into_server_boxed(SplitMix64::new(1));
    // Encrypted garbage decrypts to a random length: too large, unaligned
    // or zero, all refused.
    rx.feed(&[0x55; 16]);
    let err = rx.next_frame().unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::TooLarge { .. } | TransportError::BadLength { .. }
        ),
        "{err}"
    );
    assert_eq!(rx.next_frame().unwrap_err(), err, "final");
}

#[cfg(feature = "tokio")]
mod tokio_codec {
    use super::*;
    use bytes::{Bytes, BytesMut};
    use mtproto::transport::obfuscated::{Codec, CodecError, ServerCodec};
    use tokio_util::codec::{Decoder as _, Encoder as _};

    fn client_codec() -> Codec<intermediate::Encoder, intermediate::Decoder> {
        let (obf, header) =
            Obfuscation::client(&mut SplitMix64::new(6), Kind::Intermediate, Some(4), None);
        let (e, d) = obf
            .into_client(
                header,
                intermediate::Encoder::client(),
                intermediate::Decoder::client(),
            )
            .unwrap();
        Codec::new(e, d)
    }

    fn drain(
        server: &mut ServerCodec<SplitMix64>,
        buf: &mut BytesMut,
        got: &mut Vec<Frame<Bytes>>,
    ) {
        while let Some(frame) = server.decode(buf).unwrap() {
            got.push(frame);
        }
    }

    /// Our client codec's stream into the server codec split at every
    /// byte, then the answers back one byte at a time.
    #[test]
    fn server_codec_reads_every_split_and_answers() {
        let packets = [vec![1u8; 4], vec![2; 64]];
        let expected: Vec<Frame<Bytes>> = packets
            .iter()
            .map(|p| Frame::packet(Bytes::from(p.clone())))
            .collect();
        let mut client = client_codec();
        let mut wire = BytesMut::new();
        for p in &packets {
            client.encode(Frame::packet(&p[..]), &mut wire).unwrap();
        }
        let mut last = None;
        for split in 0..=wire.len() {
            let mut server = ServerCodec::new(None, SplitMix64::new(1));
            let (mut buf, mut got) = (BytesMut::new(), Vec::new());
            for piece in [&wire[..split], &wire[split..]] {
                buf.extend_from_slice(piece);
                drain(&mut server, &mut buf, &mut got);
            }
            assert_eq!(server.decode_eof(&mut buf).unwrap(), None);
            assert_eq!(server.accepted(), Some((Kind::Intermediate, Some(4))));
            assert_eq!(got, expected, "split at {split}");
            last = Some(server);
        }
        let mut server = last.unwrap();
        let mut back = BytesMut::new();
        server
            .encode(Frame::<&[u8]>::QuickAck(0x8000_0001), &mut back)
            .unwrap();
        server
            .encode(Frame::packet(&[9u8; 8][..]), &mut back)
            .unwrap();
        let (mut buf, mut got) = (BytesMut::new(), Vec::new());
        for byte in back.iter() {
            buf.extend_from_slice(&[*byte]);
            while let Some(frame) = client.decode(&mut buf).unwrap() {
                got.push(frame);
            }
        }
        assert_eq!(
            got,
            [
                Frame::QuickAck(0x8000_0001),
                Frame::packet(Bytes::from_static(&[9; 8]))
            ]
        );
    }

    /// grammers' client into our server codec, in reads of odd sizes.
    #[test]
    fn grammers_client_into_server_codec() {
        let mut client = gt::Obfuscated::new(gt::Intermediate::new());
        let mut wire = Vec::new();
        for p in payloads() {
            wire.extend(grammers_pack(&mut client, &p));
        }
        let mut server = ServerCodec::new(None, SplitMix64::new(1));
        let (mut buf, mut got) = (BytesMut::new(), Vec::new());
        for piece in wire.chunks(61) {
            buf.extend_from_slice(piece);
            drain(&mut server, &mut buf, &mut got);
        }
        let got: Vec<Vec<u8>> = got
            .into_iter()
            .map(|f| match f {
                Frame::Packet { payload, .. } => payload.to_vec(),
                Frame::QuickAck(_) => panic!("no tokens from a client"),
            })
            .collect();
        assert_eq!(got, payloads());
    }

    #[test]
    fn truncated_and_refused_headers_and_early_sends_are_errors() {
        for len in [1usize, 8, 63] {
            let mut server = ServerCodec::new(None, SplitMix64::new(1));
            let mut buf = BytesMut::from(&vec![0x42u8; len][..]);
            assert_eq!(server.decode(&mut buf).unwrap(), None);
            match server.decode_eof(&mut buf) {
                Err(CodecError::Obfuscation(ObfuscationError::TruncatedHeader { got })) => {
                    assert_eq!(got, len)
                }
                other => panic!("{other:?}"),
            }
        }
        let mut server = ServerCodec::new(None, SplitMix64::new(1));
        assert!(matches!(
            server.encode(Frame::packet(&[1u8; 4][..]), &mut BytesMut::new()),
            Err(CodecError::HeaderPending)
        ));
        let mut buf = BytesMut::from(&[0xefu8; 64][..]);
        assert!(matches!(
            server.decode(&mut buf),
            Err(CodecError::Obfuscation(ObfuscationError::ForbiddenStart(
                ForbiddenStart::AbridgedByte
            )))
        ));
        assert!(server.decode(&mut buf).is_err(), "final");
    }
}
