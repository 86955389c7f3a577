//! The padded intermediate transport: intermediate framing plus 0..15
//! random bytes after each packet, meant to be used under obfuscation so
//! that packet sizes do not give the protocol away.
//!
//! A client first sends `dd dd dd dd`. The 4-byte little-endian length
//! counts payload and padding together, so the receiver cannot tell them
//! apart: [`Decoder`] returns the padded payload, and the MTProto envelope
//! inside says how long it really is (see
//! [`PlainMessage::decode_prefix`](crate::envelope::PlainMessage::decode_prefix)
//! and
//! [`EncryptedEnvelope::decode_padded`](crate::envelope::EncryptedEnvelope::decode_padded)).
//! Quick acks work as in [`intermediate`](super::intermediate).
//!
//! The padding comes from a caller-provided [`RandomSource`]:
//!
//! ```
//! use mtproto::random::SplitMix64;
//! use mtproto::transport::{padded, Encode};
//!
//! let mut enc = padded::Encoder::client(SplitMix64::new(42));
//! let mut wire = Vec::new();
//! enc.encode_packet(&[1; 8], false, &mut wire).unwrap();
//! let len = u32::from_le_bytes(wire[4..8].try_into().unwrap()) as usize;
//! assert!((8..8 + 16).contains(&len));
//! assert_eq!(wire.len(), 4 + 4 + len);
//! ```

use super::framing;
use super::intermediate::{decode_frame, length_word};
use super::{DecoderCore, Kind, Out, ReadFrame, Reading, Side, WriteFrame};
use crate::random::RandomSource;

/// The bytes a client sends first.
pub const PREFIX: &[u8] = &[0xdd, 0xdd, 0xdd, 0xdd];

/// The largest payload that, with the most padding, fits the 31-bit length.
pub const MAX_PACKET_LEN: usize = 0x7fff_ffff - 15;

/// Writes padded intermediate frames with padding from `R`.
pub type Encoder<R> = framing::Encoder<Padding<R>>;

/// Reads padded intermediate frames; see the [module docs](self).
///
/// Lengths need not be multiples of 4 here. A packet from the server whose
/// payload is shorter than the smallest MTProto message (20 bytes) and
/// starts with a negative `int32` is a transport error followed by padding.
pub type Decoder = framing::Decoder<Padded>;

/// The padded intermediate rules for writing, which [`Encoder`] applies:
/// each frame gets 0..15 bytes of padding drawn from `R`.
#[derive(Debug, Clone)]
pub struct Padding<R> {
    rng: R,
}

impl<R: RandomSource> framing::Encoder<Padding<R>> {
    /// An encoder for the given side.
    pub fn new(side: Side, rng: R) -> Self {
        Self::with_framing(side, Padding { rng })
    }

    /// A client encoder: sends `dd dd dd dd` before its first packet.
    pub fn client(rng: R) -> Self {
        Self::new(Side::Client, rng)
    }

    /// A server encoder.
    pub fn server(rng: R) -> Self {
        Self::new(Side::Server, rng)
    }
}

impl<R: RandomSource> WriteFrame for Padding<R> {
    const KIND: Kind = Kind::PaddedIntermediate;
    const MAX_PACKET_LEN: usize = MAX_PACKET_LEN;
    const ALIGNED: bool = false;
    const SPARE: usize = 4 + 16;

    #[inline]
    fn write(&mut self, payload: &[u8], quick_ack: bool, out: &mut impl Out) {
        // One draw gives both: the last byte picks the length (0..=15), so
        // it is never among the bytes sent.
        let mut padding = [0u8; 16];
        self.rng.fill_bytes(&mut padding);
        let pad = usize::from(padding[15] & 0x0f);
        out.head(&length_word(payload.len() + pad, quick_ack));
        out.payload(payload);
        // The tail is written as 16 bytes and cut to `pad`.
        out.tail(&padding, pad);
    }
}

/// The padded intermediate rules for reading, which [`Decoder`] applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Padded;

impl ReadFrame for Padded {
    const KIND: Kind = Kind::PaddedIntermediate;

    #[inline]
    fn read<'a>(&mut self, core: &DecoderCore, input: &'a [u8], offset: u64) -> Reading<'a> {
        decode_frame(core, input, offset, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;
    use crate::transport::{Decode, Decoded, Encode, Frame, TransportError};

    #[test]
    fn padding_covers_every_length_0_to_15_and_round_trips() {
        let mut enc = Encoder::server(SplitMix64::new(1));
        let mut seen = [false; 16];
        for _ in 0..500 {
            let mut wire = Vec::new();
            enc.encode_packet(&[3; 24], false, &mut wire).unwrap();
            let len = u32::from_le_bytes(wire[..4].try_into().unwrap()) as usize;
            seen[len - 24] = true;
            let mut dec = Decoder::client();
            let Decoded::Frame { frame, consumed } = dec.decode(&wire).unwrap() else {
                panic!("incomplete")
            };
            assert_eq!(consumed, wire.len());
            let Frame::Packet { payload, .. } = frame else {
                panic!("not a packet")
            };
            assert_eq!(&payload[..24], &[3; 24]);
        }
        assert_eq!(seen, [true; 16]);
    }

    #[test]
    fn padded_transport_error() {
        let mut wire = Vec::new();
        Encoder::server(SplitMix64::new(5))
            .encode_transport_error(-429, &mut wire)
            .unwrap();
        assert!(matches!(
            Decoder::client().decode(&wire),
            Err(TransportError::Server {
                code: -429,
                offset: 0
            })
        ));
        // Fixed padding of 7 bytes: still recognised.
        let mut wire = vec![11, 0, 0, 0];
        wire.extend_from_slice(&(-404i32).to_le_bytes());
        wire.extend_from_slice(&[0xaa; 7]);
        assert!(matches!(
            Decoder::client().decode(&wire),
            Err(TransportError::Server { code: -404, .. })
        ));
    }

    #[test]
    fn lengths_below_4_are_rejected() {
        assert!(matches!(
            Decoder::client().decode(&[3, 0, 0, 0, 1, 2, 3]),
            Err(TransportError::BadLength { len: 3, .. })
        ));
    }
}
