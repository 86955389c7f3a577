//! Transports end to end: every framing, both directions, every way the
//! byte stream can be split, and every kind of bad input.

use mtproto::random::{RandomSource, SplitMix64};
use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Encode, Frame, Kind, Side,
    StreamDecoder, TransportError, DEFAULT_MAX_PACKET_LEN,
};
use proptest::prelude::*;

const KINDS: [Kind; 4] = [
    Kind::Abridged,
    Kind::Intermediate,
    Kind::PaddedIntermediate,
    Kind::Full,
];

type Owned = Frame<Vec<u8>>;

/// A sample of packet sizes around every length-encoding boundary
/// (abridged switches to the 4-byte header at 127 words).
const SIZES: [usize; 7] = [4, 8, 20, 504, 508, 512, 1300];

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn other(side: Side) -> Side {
    match side {
        Side::Client => Side::Server,
        Side::Server => Side::Client,
    }
}

/// A stream of several frames written by `sender`, and what the receiving
/// decoder must report for it.
fn sample_stream(kind: Kind, sender: Side) -> (Vec<u8>, Vec<Owned>) {
    let mut enc = kind.encoder(sender, SplitMix64::new(99));
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    for (i, len) in SIZES.iter().enumerate() {
        let body = payload(*len, i as u8);
        // Clients ask for quick acks on some packets; servers answer with
        // tokens between packets.
        let quick_ack = sender == Side::Client && i % 2 == 1;
        enc.encode_packet(&body, quick_ack, &mut wire).unwrap();
        expected.push(Frame::Packet {
            payload: body,
            quick_ack,
        });
        if sender == Side::Server && i % 3 == 0 {
            let token = 0x8000_0000 | (0x0102_0304 * (i as u32 + 1));
            enc.encode_quick_ack(token, &mut wire).unwrap();
            expected.push(Frame::QuickAck(token));
        }
    }
    (wire, expected)
}

/// Feeds `chunks` one after the other, draining frames after each.
fn run<'a>(
    kind: Kind,
    receiver: Side,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<Owned>, TransportError> {
    let mut dec = StreamDecoder::new(kind.decoder(receiver));
    let mut got = Vec::new();
    for chunk in chunks {
        dec.feed(chunk);
        while let Some(frame) = dec.next_frame()? {
            got.push(frame.map(<[u8]>::to_vec));
        }
    }
    assert_eq!(dec.buffered(), 0, "{kind:?}: bytes left over");
    Ok(got)
}

/// Compares ignoring padding: the padded transport returns payload plus
/// 0..15 random bytes, which the envelope layer strips.
fn assert_frames(kind: Kind, got: &[Owned], expected: &[Owned], what: &str) {
    assert_eq!(got.len(), expected.len(), "{kind:?} {what}: frame count");
    for (g, e) in got.iter().zip(expected) {
        match (g, e) {
            (
                Frame::Packet {
                    payload: gp,
                    quick_ack: gq,
                },
                Frame::Packet {
                    payload: ep,
                    quick_ack: eq,
                },
            ) if kind == Kind::PaddedIntermediate => {
                assert_eq!(gq, eq, "{kind:?} {what}");
                assert!(gp.len() - ep.len() < 16, "{kind:?} {what}: padding");
                assert_eq!(&gp[..ep.len()], &ep[..], "{kind:?} {what}");
            }
            _ => assert_eq!(g, e, "{kind:?} {what}"),
        }
    }
}

#[test]
fn every_transport_every_single_split_point() {
    for kind in KINDS {
        for sender in [Side::Client, Side::Server] {
            let (wire, expected) = sample_stream(kind, sender);
            for split in 0..=wire.len() {
                let (a, b) = wire.split_at(split);
                let got = run(kind, other(sender), [a, b]).unwrap();
                assert_frames(kind, &got, &expected, &format!("split at {split}"));
            }
        }
    }
}

#[test]
fn every_transport_one_byte_at_a_time_and_in_random_chunks() {
    let mut rng = SplitMix64::new(3);
    for kind in KINDS {
        for sender in [Side::Client, Side::Server] {
            let (wire, expected) = sample_stream(kind, sender);
            let got = run(kind, other(sender), wire.chunks(1)).unwrap();
            assert_frames(kind, &got, &expected, "1-byte chunks");
            for round in 0..50 {
                let mut chunks = Vec::new();
                let mut rest = &wire[..];
                while !rest.is_empty() {
                    let n = (rng.next_u64() % 700) as usize + 1;
                    let (a, b) = rest.split_at(n.min(rest.len()));
                    chunks.push(a);
                    rest = b;
                }
                let got = run(kind, other(sender), chunks).unwrap();
                assert_frames(kind, &got, &expected, &format!("random chunks {round}"));
            }
        }
    }
}

/// Reads straight into the decoder's buffer (`read_buf` + `filled`), in
/// reads of random sizes into rooms of random sizes, mixed with `feed`:
/// the same frames as feeding, and the room is never smaller than asked.
#[test]
fn reading_into_the_buffer_gives_the_frames_that_feeding_does() {
    let mut rng = SplitMix64::new(11);
    for kind in KINDS {
        for sender in [Side::Client, Side::Server] {
            let (wire, expected) = sample_stream(kind, sender);
            for round in 0..30 {
                let mut dec = StreamDecoder::new(kind.decoder(other(sender)));
                let mut got = Vec::new();
                let mut rest = &wire[..];
                while !rest.is_empty() {
                    let n = ((rng.next_u64() % 500) as usize + 1).min(rest.len());
                    let taken = if rng.next_u64() % 4 == 0 {
                        dec.feed(&rest[..n]);
                        n
                    } else {
                        let min = (rng.next_u64() % 600) as usize + 1;
                        let room = dec.read_buf(min);
                        assert!(room.len() >= min, "{kind:?}: room {} < {min}", room.len());
                        // A read writes at most the room it was lent.
                        let n = n.min(room.len());
                        room[..n].copy_from_slice(&rest[..n]);
                        dec.filled(n);
                        n
                    };
                    rest = &rest[taken..];
                    while let Some(frame) = dec.next_frame().unwrap() {
                        got.push(frame.map(<[u8]>::to_vec));
                    }
                }
                assert_eq!(dec.buffered(), 0, "{kind:?}: bytes left over");
                assert_frames(kind, &got, &expected, &format!("reads, round {round}"));
            }
        }
    }
}

#[test]
#[should_panic(expected = "lent only 16 bytes")]
fn filled_cannot_claim_more_than_the_room_lent() {
    let mut dec = StreamDecoder::new(intermediate::Decoder::client());
    assert_eq!(dec.read_buf(16).len(), 16);
    dec.filled(17);
}

/// A 4 MiB packet read in one go, then small reads: the consumed packet
/// is dropped (and its memory given back) before the next bytes land.
#[test]
fn small_reads_after_a_large_packet() {
    let big = payload(4 << 20, 7);
    let mut wire = Vec::new();
    intermediate::Encoder::server()
        .encode_packet(&big, false, &mut wire)
        .unwrap();
    let mut dec = StreamDecoder::new(intermediate::Decoder::client());
    let room = dec.read_buf(wire.len());
    room[..wire.len()].copy_from_slice(&wire);
    dec.filled(wire.len());
    assert_eq!(
        dec.next_frame().unwrap().map(|f| f.map(<[u8]>::len)),
        Some(Frame::packet(big.len()))
    );
    let room = dec.read_buf(4096).len();
    assert!(room >= 4096);
    dec.filled(0);
    dec.feed(&[8, 0, 0, 0]);
    assert_eq!(dec.buffered(), 4);
    assert_eq!(dec.next_frame().unwrap(), None);
    assert_eq!(dec.needed(), 8);
    let mut small = Vec::new();
    intermediate::Encoder::server()
        .encode_packet(&[1; 8], false, &mut small)
        .unwrap();
    dec.feed(&small[4..]);
    assert_eq!(
        dec.next_frame().unwrap(),
        Some(Frame::packet(&[1u8; 8][..]))
    );
}

/// The raw `decode` contract: on every prefix of the stream it either
/// returns the frame that ends within it or asks for a count of bytes that
/// never overshoots the end of that frame, and it consumes nothing then.
#[test]
fn need_more_never_overshoots_and_consumes_nothing() {
    for kind in KINDS {
        for sender in [Side::Client, Side::Server] {
            let (wire, expected) = sample_stream(kind, sender);
            let mut dec = kind.decoder(other(sender));
            let mut at = 0;
            let mut frames = 0;
            while at < wire.len() {
                // Find the frame's end by decoding everything available.
                let Decoded::Frame { consumed, .. } = kind
                    .decoder_after(other(sender), &wire[..at])
                    .decode(&wire[at..])
                    .unwrap()
                else {
                    panic!("{kind:?}: whole stream is incomplete")
                };
                let end = at + consumed;
                for cut in at..end {
                    match dec.decode(&wire[at..cut]).unwrap() {
                        Decoded::NeedMore(n) => {
                            assert!(n >= 1, "{kind:?}");
                            assert!(
                                cut + n <= end,
                                "{kind:?}: at {cut} asked {n}, frame ends at {end}"
                            );
                        }
                        Decoded::Frame { .. } => panic!("{kind:?}: frame from a partial input"),
                    }
                }
                match dec.decode(&wire[at..end]).unwrap() {
                    Decoded::Frame { consumed, .. } => assert_eq!(at + consumed, end),
                    Decoded::NeedMore(n) => panic!("{kind:?}: complete frame needs {n} more"),
                }
                at = end;
                frames += 1;
            }
            assert_eq!(frames, expected.len());
        }
    }
}

/// A decoder of `kind` for `side` that has already consumed `prefix`.
trait DecoderAfter {
    fn decoder_after(self, side: Side, prefix: &[u8]) -> Box<dyn Decode + Send>;
}

impl DecoderAfter for Kind {
    fn decoder_after(self, side: Side, prefix: &[u8]) -> Box<dyn Decode + Send> {
        let mut dec = self.decoder(side);
        let mut at = 0;
        while at < prefix.len() {
            match dec.decode(&prefix[at..]).unwrap() {
                Decoded::Frame { consumed, .. } => at += consumed,
                Decoded::NeedMore(_) => panic!("prefix is not whole frames"),
            }
        }
        dec
    }
}

#[test]
fn need_more_is_exact_for_a_short_packet_after_its_header() {
    let mut wire = Vec::new();
    intermediate::Encoder::client()
        .encode_packet(&[1; 12], false, &mut wire)
        .unwrap();
    let mut dec = StreamDecoder::new(intermediate::Decoder::server());
    dec.feed(&wire[..9]);
    assert_eq!(dec.next_frame().unwrap(), None);
    assert_eq!(dec.needed(), 11);
    dec.feed(&wire[9..19]);
    assert_eq!(dec.needed(), 1);
    assert_eq!(dec.next_frame().unwrap(), None);
    dec.feed(&wire[19..]);
    assert!(dec.next_frame().unwrap().is_some());
}

#[test]
fn client_prefix_is_sent_once_and_checked_by_the_server() {
    for kind in KINDS {
        let mut enc = kind.encoder(Side::Client, SplitMix64::new(1));
        let mut wire = Vec::new();
        enc.encode_packet(&[0; 8], false, &mut wire).unwrap();
        let first_len = wire.len();
        enc.encode_packet(&[0; 8], false, &mut wire).unwrap();
        assert_eq!(&wire[..kind.prefix().len()], kind.prefix(), "{kind:?}");
        if kind != Kind::PaddedIntermediate {
            assert_eq!(
                wire.len() - first_len + kind.prefix().len(),
                first_len,
                "{kind:?}: second frame has no prefix"
            );
        }
        // Server encoders never send one.
        let mut out = Vec::new();
        kind.encoder(Side::Server, SplitMix64::new(1))
            .encode_packet(&[0; 8], false, &mut out)
            .unwrap();
        if !kind.prefix().is_empty() {
            assert_ne!(&out[..kind.prefix().len()], kind.prefix(), "{kind:?}");
        }
        // A server decoder rejects a wrong prefix at the first wrong byte,
        // even before the whole prefix is in.
        if !kind.prefix().is_empty() {
            let mut bad = kind.prefix().to_vec();
            let last = bad.len() - 1;
            bad[last] ^= 0x01;
            let err = kind.decoder(Side::Server).decode(&bad).unwrap_err();
            assert_eq!(
                err,
                TransportError::BadPrefix {
                    transport: kind,
                    expected: kind.prefix(),
                    offset: last as u64,
                    found: bad[last],
                }
            );
            // The other transports' prefixes are garbage too.
            for wrong in KINDS.iter().filter(|k| **k != kind && **k != Kind::Full) {
                assert!(matches!(
                    kind.decoder(Side::Server).decode(wrong.prefix()),
                    Err(TransportError::BadPrefix { offset: 0, .. })
                ));
            }
        }
    }
}

#[test]
fn transport_errors_from_the_server() {
    for kind in KINDS {
        for code in [-404, -429, -444, -1] {
            let mut wire = Vec::new();
            let mut enc = kind.encoder(Side::Server, SplitMix64::new(code as u64));
            enc.encode_packet(&[7; 8], false, &mut wire).unwrap();
            let offset = wire.len() as u64;
            enc.encode_transport_error(code, &mut wire).unwrap();
            let mut dec = StreamDecoder::new(kind.decoder(Side::Client));
            dec.feed(&wire);
            assert!(dec.next_frame().unwrap().is_some());
            let err = dec.next_frame().unwrap_err();
            assert_eq!(err, TransportError::Server { code, offset }, "{kind:?}");
            assert_eq!(err.server_code(), Some(code));
            assert!(err.to_string().contains(&code.to_string()));
            // Final: the same error again, however much more arrives.
            dec.feed(&[0; 64]);
            assert_eq!(dec.next_frame().unwrap_err(), err);
        }
        // A 4-byte packet with a non-negative int is just a (short) packet.
        let mut wire = Vec::new();
        kind.encoder(Side::Server, |b: &mut [u8]| b.fill(0))
            .encode_packet(&404i32.to_le_bytes(), false, &mut wire)
            .unwrap();
        let mut dec = StreamDecoder::new(kind.decoder(Side::Client));
        dec.feed(&wire);
        assert!(dec.next_frame().unwrap().is_some(), "{kind:?}");
        // Only servers send them.
        assert!(kind
            .encoder(Side::Client, SplitMix64::new(0))
            .encode_transport_error(-404, &mut Vec::new())
            .is_err());
        assert!(kind
            .encoder(Side::Server, SplitMix64::new(0))
            .encode_transport_error(404, &mut Vec::new())
            .is_err());
    }
}

#[test]
fn a_client_packet_is_never_read_as_a_transport_error_by_the_server() {
    for kind in KINDS {
        let mut wire = Vec::new();
        kind.encoder(Side::Client, |b: &mut [u8]| b.fill(0))
            .encode_packet(&(-404i32).to_le_bytes(), false, &mut wire)
            .unwrap();
        let mut dec = StreamDecoder::new(kind.decoder(Side::Server));
        dec.feed(&wire);
        assert!(matches!(
            dec.next_frame().unwrap(),
            Some(Frame::Packet { payload, .. }) if payload[..4] == (-404i32).to_le_bytes()
        ));
    }
}

#[test]
fn quick_ack_tokens_are_the_same_number_on_every_transport() {
    let token = 0x9abc_def0;
    for kind in KINDS {
        let mut wire = Vec::new();
        kind.encoder(Side::Server, SplitMix64::new(0))
            .encode_quick_ack(token, &mut wire)
            .unwrap();
        assert_eq!(wire.len(), 4, "{kind:?}: a bare 4-byte token");
        let expected_wire = if kind == Kind::Abridged {
            token.to_be_bytes()
        } else {
            token.to_le_bytes()
        };
        assert_eq!(wire, expected_wire, "{kind:?}");
        let mut dec = kind.decoder(Side::Client);
        assert_eq!(
            dec.decode(&wire).unwrap(),
            Decoded::Frame {
                frame: Frame::QuickAck(token),
                consumed: 4
            },
            "{kind:?}"
        );
        // The top bit is forced on the wire.
        let mut wire = Vec::new();
        kind.encoder(Side::Server, SplitMix64::new(0))
            .encode_quick_ack(0x1234, &mut wire)
            .unwrap();
        assert!(matches!(
            kind.decoder(Side::Client).decode(&wire).unwrap(),
            Decoded::Frame {
                frame: Frame::QuickAck(0x8000_1234),
                ..
            }
        ));
        // Clients cannot send tokens, servers cannot request acks.
        assert!(kind
            .encoder(Side::Client, SplitMix64::new(0))
            .encode_quick_ack(token, &mut Vec::new())
            .is_err());
        assert!(kind
            .encoder(Side::Server, SplitMix64::new(0))
            .encode_packet(&[0; 4], true, &mut Vec::new())
            .is_err());
    }
}

fn small_limit_decoder(kind: Kind, side: Side, max: usize) -> Box<dyn Decode> {
    match kind {
        Kind::Abridged => Box::new(abridged::Decoder::new(side).with_max_packet_len(max)),
        Kind::Intermediate => Box::new(intermediate::Decoder::new(side).with_max_packet_len(max)),
        Kind::PaddedIntermediate => Box::new(padded::Decoder::new(side).with_max_packet_len(max)),
        Kind::Full => Box::new(full::Decoder::new(side).with_max_packet_len(max)),
    }
}

#[test]
fn oversized_lengths_fail_on_the_header_alone() {
    for kind in KINDS {
        for side in [Side::Client, Side::Server] {
            // Exactly at the limit passes, 4 bytes more fails.
            let limit = 1024;
            for (len, ok) in [(limit, true), (limit + 4, false)] {
                let mut wire = Vec::new();
                kind.encoder(other(side), |b: &mut [u8]| b.fill(0))
                    .encode_packet(&vec![1; len], false, &mut wire)
                    .unwrap();
                let prefix = if side == Side::Server {
                    kind.prefix().len()
                } else {
                    0
                };
                let header = match kind {
                    Kind::Abridged => 4,
                    Kind::Full => 8,
                    _ => 4,
                };
                let mut dec = small_limit_decoder(kind, side, limit);
                let result = dec.decode(&wire[..prefix + header]);
                if ok {
                    assert!(
                        matches!(result, Ok(Decoded::NeedMore(_))),
                        "{kind:?} {side:?}"
                    );
                } else {
                    assert!(
                        matches!(
                            result,
                            Err(TransportError::TooLarge { len: l, max: 1024, offset, .. })
                                if l == len as u64 && offset == prefix as u64
                        ),
                        "{kind:?} {side:?}: {result:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn hostile_lengths_under_the_default_limit_are_rejected_without_buffering() {
    // The largest length each header can claim.
    let headers: [(Kind, Vec<u8>); 4] = [
        (Kind::Abridged, vec![0x7f, 0xff, 0xff, 0xff]),
        (Kind::Intermediate, vec![0xfc, 0xff, 0xff, 0x7f]),
        (Kind::PaddedIntermediate, vec![0xff, 0xff, 0xff, 0x7f]),
        (Kind::Full, vec![0xfc, 0xff, 0xff, 0x7f, 0, 0, 0, 0]),
    ];
    for (kind, header) in headers {
        let mut dec = StreamDecoder::new(kind.decoder(Side::Client));
        dec.feed(&header);
        match dec.next_frame() {
            Err(TransportError::TooLarge { max, .. }) => assert_eq!(max, DEFAULT_MAX_PACKET_LEN),
            other => panic!("{kind:?}: {other:?}"),
        }
        assert_eq!(dec.buffered(), header.len(), "nothing beyond what was fed");
    }
}

#[test]
fn truncated_streams_wait_and_never_invent_frames() {
    for kind in KINDS {
        let (wire, expected) = sample_stream(kind, Side::Client);
        for cut in 0..wire.len() {
            let mut dec = StreamDecoder::new(kind.decoder(Side::Server));
            dec.feed(&wire[..cut]);
            let mut n = 0;
            while dec.next_frame().unwrap().is_some() {
                n += 1;
            }
            assert!(n < expected.len(), "{kind:?} cut at {cut}");
            assert!(dec.needed() >= 1);
        }
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = SplitMix64::new(0xbad);
    let mut junk = vec![0u8; 4096];
    for round in 0..400 {
        rng.fill_bytes(&mut junk);
        let len = (rng.next_u64() % 4096) as usize;
        // Small numbers make plausible lengths, so bodies get parsed too.
        if round % 2 == 0 {
            for b in junk.iter_mut().step_by(3) {
                *b &= 0x07;
            }
        }
        for kind in KINDS {
            for side in [Side::Client, Side::Server] {
                let mut dec = StreamDecoder::new(kind.decoder(side));
                for chunk in junk[..len].chunks(37) {
                    dec.feed(chunk);
                    loop {
                        match dec.next_frame() {
                            Ok(Some(_)) => continue,
                            Ok(None) => break,
                            Err(first) => {
                                assert_eq!(dec.next_frame().unwrap_err(), first);
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn empty_and_unaligned_lengths() {
    let cases: [(Kind, Side, &[u8]); 6] = [
        (Kind::Abridged, Side::Client, &[0]),
        (Kind::Abridged, Side::Server, &[0xef, 0x80]),
        (Kind::Intermediate, Side::Client, &[0, 0, 0, 0]),
        (Kind::Intermediate, Side::Client, &[6, 0, 0, 0]),
        (Kind::PaddedIntermediate, Side::Client, &[2, 0, 0, 0]),
        (Kind::Full, Side::Client, &[14, 0, 0, 0]),
    ];
    for (kind, side, wire) in cases {
        assert!(
            matches!(
                kind.decoder(side).decode(wire),
                Err(TransportError::BadLength { .. })
            ),
            "{kind:?} {wire:?}"
        );
    }
}

mod full_transport {
    use super::*;

    fn frames(n: usize) -> (Vec<u8>, Vec<usize>) {
        let mut enc = full::Encoder::server();
        let mut wire = Vec::new();
        let mut starts = Vec::new();
        for i in 0..n {
            starts.push(wire.len());
            enc.encode_packet(&payload(16 + 4 * i, i as u8), false, &mut wire)
                .unwrap();
        }
        starts.push(wire.len());
        (wire, starts)
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let (wire, starts) = frames(2);
        let second = starts[1]..starts[2];
        for at in second.clone() {
            for bit in 0..8 {
                let mut bad = wire.clone();
                bad[at] ^= 1 << bit;
                let mut dec = StreamDecoder::new(full::Decoder::client());
                dec.feed(&bad);
                assert!(dec.next_frame().unwrap().is_some(), "first frame intact");
                match dec.next_frame() {
                    Err(TransportError::CrcMismatch { offset, .. }) => {
                        assert_eq!(offset, second.start as u64)
                    }
                    // A flipped length bit may instead make the length
                    // invalid, too large, longer than what arrived, or (the
                    // top bit) a quick-ack token; never a packet.
                    Err(TransportError::BadLength { .. } | TransportError::TooLarge { .. })
                    | Ok(None | Some(Frame::QuickAck(_))) => {
                        assert!(at < second.start + 4, "byte {at} bit {bit}")
                    }
                    other => panic!("byte {at} bit {bit}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_lost_frame_and_a_replayed_frame_break_the_sequence() {
        let (wire, starts) = frames(3);
        // Lost: the stream starts with frame 1.
        let mut dec = full::Decoder::client();
        assert_eq!(
            dec.decode(&wire[starts[1]..]),
            Err(TransportError::SeqMismatch {
                offset: 0,
                expected: 0,
                found: 1
            })
        );
        // Replayed: frame 0 twice.
        let mut replay = wire[..starts[1]].to_vec();
        replay.extend_from_slice(&wire[..starts[1]]);
        let mut dec = StreamDecoder::new(full::Decoder::client());
        dec.feed(&replay);
        assert!(dec.next_frame().unwrap().is_some());
        assert_eq!(
            dec.next_frame(),
            Err(TransportError::SeqMismatch {
                offset: starts[1] as u64,
                expected: 1,
                found: 0
            })
        );
    }

    #[test]
    fn quick_acks_do_not_use_sequence_numbers() {
        let mut enc = full::Encoder::server();
        let mut wire = Vec::new();
        enc.encode_packet(&[1; 4], false, &mut wire).unwrap();
        enc.encode_quick_ack(0x8000_0007, &mut wire).unwrap();
        enc.encode_packet(&[2; 4], false, &mut wire).unwrap();
        assert_eq!(enc.next_seq(), 2);
        let got = run(Kind::Full, Side::Client, [&wire[..]]).unwrap();
        assert_eq!(
            got,
            vec![
                Frame::packet(vec![1; 4]),
                Frame::QuickAck(0x8000_0007),
                Frame::packet(vec![2; 4])
            ]
        );
    }
}

#[test]
fn frame_parts_allow_vectored_writes() {
    let body = payload(64, 1);
    for kind in KINDS {
        let mut a = kind.encoder(Side::Client, SplitMix64::new(5));
        let mut b = kind.encoder(Side::Client, SplitMix64::new(5));
        let parts = a.frame(&body, false).unwrap();
        let mut joined = parts.head().to_vec();
        joined.extend_from_slice(&body);
        joined.extend_from_slice(parts.tail());
        let mut direct = Vec::new();
        b.encode_packet(&body, false, &mut direct).unwrap();
        assert_eq!(joined, direct, "{kind:?}");
    }
}

#[test]
fn encoders_reject_what_their_framing_cannot_carry() {
    for kind in KINDS {
        let mut enc = kind.encoder(Side::Client, SplitMix64::new(0));
        assert!(enc.encode_packet(&[], false, &mut Vec::new()).is_err());
        let unaligned = enc.encode_packet(&[1, 2, 3, 4, 5], false, &mut Vec::new());
        assert_eq!(
            unaligned.is_ok(),
            kind == Kind::PaddedIntermediate,
            "{kind:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any packets, any chunking, either direction: what comes out is what
    /// went in.
    #[test]
    fn round_trip_any_packets_any_chunking(
        kind in prop::sample::select(KINDS.to_vec()),
        client_sends in any::<bool>(),
        packets in prop::collection::vec((1usize..300, any::<bool>(), any::<u8>()), 1..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let sender = if client_sends { Side::Client } else { Side::Server };
        let mut enc = kind.encoder(sender, SplitMix64::new(1));
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for (words, flag, seed) in packets {
            let mut body = payload(words * 4, seed);
            // A short server packet starting with a negative int32 is a
            // transport error by definition; keep the first int positive.
            body[3] &= 0x7f;
            let quick_ack = flag && sender == Side::Client;
            enc.encode_packet(&body, quick_ack, &mut wire).unwrap();
            expected.push(Frame::Packet { payload: body, quick_ack });
        }
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        points.push(0);
        points.push(wire.len());
        points.sort_unstable();
        let chunks: Vec<&[u8]> = points.windows(2).map(|w| &wire[w[0]..w[1]]).collect();
        let got = run(kind, other(sender), chunks).unwrap();
        assert_frames(kind, &got, &expected, "proptest");
    }
}
