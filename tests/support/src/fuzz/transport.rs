//! Target `transport`: every transport decoder fed in pieces, and the
//! envelope decoders on every packet it yields.

use mtproto::envelope::{EncryptedEnvelope, EncryptedPlaintext, Envelope, PlainMessage};
use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Encode, Frame, Side, StreamDecoder,
    TransportError,
};

use crate::counting::bounded;

/// A transport and side chosen by the input's first byte.
fn transport_decoder(choice: u8) -> (Box<dyn Decode>, Option<Box<dyn Encode>>, &'static str) {
    let side = if choice & 1 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    // The encoder of the other end, whose output the decoder reads.
    let peer = if side == Side::Client {
        Side::Server
    } else {
        Side::Client
    };
    // A small limit so that "too large" is reachable by the fuzzer.
    let max = 4096;
    match (choice >> 1) % 4 {
        0 => (
            Box::new(abridged::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(abridged::Encoder::new(peer))),
            "abridged",
        ),
        1 => (
            Box::new(intermediate::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(intermediate::Encoder::new(peer))),
            "intermediate",
        ),
        // The padded encoder adds random padding, so its frames cannot be
        // compared byte for byte.
        2 => (
            Box::new(padded::Decoder::new(side).with_max_packet_len(max)),
            None,
            "padded",
        ),
        _ => (
            Box::new(full::Decoder::new(side).with_max_packet_len(max)),
            Some(Box::new(full::Encoder::new(peer))),
            "full",
        ),
    }
}

/// What a decoder made of a stream: its frames (owned) with the stream
/// offset where each ends, then how it stopped.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    frames: Vec<(Frame<Vec<u8>>, usize)>,
    end: Result<(), TransportError>,
}

/// The input's first byte picks the transport and side, the second how the
/// stream is cut: split runs give what one buffer gives, errors are sticky,
/// and the peer's encoder writes the frames back.
pub fn transport(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Some((&split_seed, stream)) = rest.split_first() else {
        return;
    };
    // The decoders allocate nothing and `StreamDecoder` only what is fed;
    // the rest is this check's own copies of the frames (three runs of
    // them, a few dozen bytes per 5-byte frame at worst).
    bounded("transport", 64 * data.len() + (16 << 10), || {
        let (mut whole, encoder, name) = transport_decoder(choice);
        let reference = run_whole(&mut *whole, stream);

        // The same stream in pieces whose sizes come from the input, kept in
        // a caller-side buffer: the raw `Decode` API.
        let (mut split, _, _) = transport_decoder(choice);
        let cuts = split_sizes(split_seed, stream);
        let mut frames = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut base = 0;
        let mut end = Ok(());
        'feed: for cut in cuts {
            buf.extend_from_slice(&stream[fed..fed + cut]);
            fed += cut;
            loop {
                match split.decode(&buf) {
                    Ok(Decoded::Frame { frame, consumed }) => {
                        assert!(consumed > 0 && consumed <= buf.len(), "{name}: consumed");
                        base += consumed;
                        frames.push((frame.map(<[u8]>::to_vec), base));
                        buf.drain(..consumed);
                    }
                    Ok(Decoded::NeedMore(n)) => {
                        assert!(n > 0, "{name}: NeedMore(0)");
                        // A lower bound: the next frame, if the whole-buffer
                        // run found one, ends no earlier than this says.
                        if let Some((_, frame_end)) = reference.frames.get(frames.len()) {
                            assert!(
                                base + buf.len() + n <= *frame_end,
                                "{name}: NeedMore({n}) at {} overshoots the frame ending at {frame_end}",
                                base + buf.len()
                            );
                        }
                        break;
                    }
                    Err(e) => {
                        // Errors are sticky.
                        assert_eq!(split.decode(&buf), Err(e.clone()), "{name}: sticky");
                        end = Err(e);
                        break 'feed;
                    }
                }
            }
        }
        // All of the stream was fed in the end, so the pieces must come to
        // exactly what one buffer gave.
        assert_eq!(Run { frames, end }, reference, "{name}: split run differs");

        // The buffering wrapper, fed in other pieces.
        check_stream_decoder(choice, split_seed, stream, &reference, name);

        // Re-encoding the frames with the peer's encoder gives the stream.
        if let (Some(mut encoder), Ok(())) = (encoder, &reference.end) {
            let consumed = reference.frames.last().map_or(0, |f| f.1);
            let mut out = Vec::new();
            for (frame, _) in &reference.frames {
                match frame {
                    Frame::Packet { payload, quick_ack } => encoder
                        .encode_packet(payload, *quick_ack, &mut out)
                        .unwrap_or_else(|e| panic!("{name}: re-encoding a frame: {e}")),
                    Frame::QuickAck(token) => encoder
                        .encode_quick_ack(*token, &mut out)
                        .unwrap_or_else(|e| panic!("{name}: re-encoding a quick ack: {e}")),
                }
            }
            // Abridged accepts the 4-byte length form for short packets too;
            // only a stream in the short form comes back byte for byte.
            let (mut again, _, _) = transport_decoder(choice);
            let rerun = run_whole(&mut *again, &out);
            assert_eq!(rerun.end, Ok(()), "{name}: own output rejected");
            let frames = |r: &Run| r.frames.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
            assert_eq!(
                frames(&rerun),
                frames(&reference),
                "{name}: re-encoded frames"
            );
            if name != "abridged" || out.len() == consumed {
                assert_eq!(out, stream[..consumed], "{name}: re-encoded stream");
            }
        }

        // Every packet through the envelope decoders: what decodes
        // re-encodes to the same bytes.
        for (frame, _) in &reference.frames {
            if let Frame::Packet { payload, .. } = frame {
                envelopes(payload);
            }
        }
    });
}

/// The stream through [`StreamDecoder`], in pieces: the same frames and
/// the same error as the whole-buffer run.
fn check_stream_decoder(choice: u8, seed: u8, stream: &[u8], reference: &Run, name: &str) {
    let (decoder, _, _) = transport_decoder(choice);
    let mut sd = StreamDecoder::new(decoder);
    let mut frames = Vec::new();
    let mut fed = 0;
    let mut end = Ok(());
    'feed: for (i, cut) in split_sizes(seed.rotate_left(3), stream)
        .into_iter()
        .enumerate()
    {
        let piece = &stream[fed..fed + cut];
        // Every other piece is read into the decoder's own buffer.
        if (usize::from(seed) + i) % 2 == 0 {
            sd.feed(piece);
        } else {
            sd.read_buf(cut)[..cut].copy_from_slice(piece);
            sd.filled(cut);
        }
        fed += cut;
        loop {
            match sd.next_frame() {
                Ok(Some(frame)) => frames.push(frame.map(<[u8]>::to_vec)),
                Ok(None) => break,
                Err(e) => {
                    end = Err(e);
                    break 'feed;
                }
            }
        }
    }
    let want: Vec<_> = reference.frames.iter().map(|f| f.0.clone()).collect();
    assert_eq!(frames, want, "{name}: StreamDecoder frames");
    assert_eq!(end, reference.end, "{name}: StreamDecoder end");
}

/// Decodes `stream` in one buffer until it needs more or fails.
fn run_whole(decoder: &mut dyn Decode, stream: &[u8]) -> Run {
    let mut frames = Vec::new();
    let mut at = 0;
    loop {
        match decoder.decode(&stream[at..]) {
            Ok(Decoded::Frame { frame, consumed }) => {
                assert!(consumed > 0, "a frame of 0 bytes");
                at += consumed;
                frames.push((frame.map(<[u8]>::to_vec), at));
            }
            Ok(Decoded::NeedMore(n)) => {
                assert!(n > 0, "NeedMore(0)");
                return Run {
                    frames,
                    end: Ok(()),
                };
            }
            Err(e) => {
                return Run {
                    frames,
                    end: Err(e),
                }
            }
        }
    }
}

/// Piece sizes that add up to `stream.len()`, derived from the input so the
/// fuzzer can steer them: `seed` picks the style (one byte at a time, fixed
/// steps, or sizes read from the stream itself).
fn split_sizes(seed: u8, stream: &[u8]) -> Vec<usize> {
    let len = stream.len();
    let mut cuts = Vec::new();
    let mut at = 0;
    let mut i = 0usize;
    while at < len {
        let step = match seed % 4 {
            0 => 1,
            1 => usize::from(seed >> 2) + 1,
            2 => usize::from(stream[i % len] % 17) + 1,
            _ => usize::from(stream[(i * 7 + usize::from(seed)) % len] % 64) + 1,
        };
        let step = step.min(len - at);
        cuts.push(step);
        at += step;
        i += 1;
    }
    cuts
}

/// The envelope decoders on one packet; what decodes re-encodes exactly.
pub fn envelopes(packet: &[u8]) {
    if let Ok(msg) = PlainMessage::decode(packet) {
        let mut out = Vec::new();
        msg.encode(&mut out).expect("a decoded message encodes");
        assert_eq!(out, packet, "PlainMessage re-encoding");
    }
    if let Ok(env) = EncryptedEnvelope::decode(packet) {
        let mut out = Vec::new();
        env.encode(&mut out).expect("a decoded envelope encodes");
        assert_eq!(out, packet, "EncryptedEnvelope re-encoding");
    }
    if let Ok(env) = EncryptedEnvelope::decode_padded(packet) {
        assert!(env.encrypted_data.len() % 16 == 0);
        assert_eq!(
            env.encrypted_data,
            &packet[24..24 + env.encrypted_data.len()]
        );
    }
    if let Ok(env) = Envelope::decode(packet) {
        assert_eq!(env, Envelope::decode(packet).unwrap());
    }
    if let Ok(msg) = EncryptedPlaintext::decode(packet) {
        let padding = &packet[EncryptedPlaintext::HEADER_LEN + msg.body.len()..];
        let mut out = Vec::new();
        msg.encode_with_padding(padding, &mut out)
            .expect("a decoded plaintext encodes with its own padding");
        assert_eq!(out, packet, "EncryptedPlaintext re-encoding");
    }
}
