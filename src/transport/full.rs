//! The full transport: length, sequence number and crc32 around each packet.
//!
//! There are no first bytes. Each frame is
//! `length:int | seq:int | payload | crc32:int`, all little-endian, where
//! `length` counts the whole frame (payload + 12), `seq` counts the frames
//! of one direction from 0, and the crc32 (IEEE) covers length, seq and
//! payload as sent. Lengths are multiples of 4.
//!
//! Quick acks follow the intermediate rule (see the
//! [transport docs](super#quick-acknowledgments)): a client sets the top bit
//! of `length` (the crc covers it as sent), and a server's token is 4 bare
//! bytes with the top bit set, which use no seq number.
//!
//! ```
//! use mtproto::transport::{full, Decode, Decoded, Encode, TransportError};
//!
//! let mut wire = Vec::new();
//! full::Encoder::client().encode_packet(&[5; 4], false, &mut wire).unwrap();
//! assert_eq!(&wire[..8], &[16, 0, 0, 0, 0, 0, 0, 0]);
//!
//! wire[9] ^= 1; // a flipped bit on the way
//! assert!(matches!(
//!     full::Decoder::server().decode(&wire),
//!     Err(TransportError::CrcMismatch { offset: 0, .. })
//! ));
//! ```

use super::framing;
use super::intermediate::{length_word, read_length_word};
use super::{
    le32, Decoded, DecoderCore, Frame, Kind, Out, ReadFrame, Reading, TransportError, WriteFrame,
};

/// The largest payload the 31-bit length can describe (minus the 12 bytes of
/// framing, rounded down to a multiple of 4).
pub const MAX_PACKET_LEN: usize = 0x7fff_fffc - 12;

/// Bytes of framing around each payload: length, seq and crc32.
pub const OVERHEAD: usize = 12;

/// Writes full-transport frames, numbering them from 0.
pub type Encoder = framing::Encoder<Full>;

/// Reads full-transport frames, checking seq numbers and crc32s; see the
/// [module docs](self).
pub type Decoder = framing::Decoder<Full>;

/// The full-transport rules, which [`Encoder`] and [`Decoder`] apply: each
/// keeps the sequence number of its direction.
#[derive(Debug, Clone, Default)]
pub struct Full {
    seq: u32,
}

impl Encoder {
    /// The sequence number the next packet will carry.
    pub fn next_seq(&self) -> u32 {
        self.framing().seq
    }
}

impl Decoder {
    /// The sequence number the next packet must carry.
    pub fn next_seq(&self) -> u32 {
        self.framing().seq
    }
}

impl WriteFrame for Full {
    const KIND: Kind = Kind::Full;
    const MAX_PACKET_LEN: usize = MAX_PACKET_LEN;
    const ALIGNED: bool = true;
    const SPARE: usize = 8 + 16;

    #[inline]
    fn write(&mut self, payload: &[u8], quick_ack: bool, out: &mut impl Out) {
        let length = length_word(payload.len() + OVERHEAD, quick_ack);
        let seq = self.seq.to_le_bytes();
        let header = [
            length[0], length[1], length[2], length[3], seq[0], seq[1], seq[2], seq[3],
        ];
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header);
        crc.update(payload);
        out.head(&header);
        out.payload(payload);
        // The tail is written as 16 bytes and cut to 4.
        let mut tail = [0u8; 16];
        tail[..4].copy_from_slice(&crc.finalize().to_le_bytes());
        out.tail(&tail, 4);
        self.seq = self.seq.wrapping_add(1);
    }
}

impl ReadFrame for Full {
    const KIND: Kind = Kind::Full;

    #[inline]
    fn read<'a>(&mut self, core: &DecoderCore, input: &'a [u8], offset: u64) -> Reading<'a> {
        let (len, flagged) = match read_length_word(core, input) {
            Ok(word) => word,
            Err(instead) => return Ok(instead),
        };
        if len < OVERHEAD as u64 + 4 {
            return Err(core.bad_length(
                offset,
                len,
                "shorter than 16 bytes (length, seq, crc32 and a payload)",
            ));
        }
        if len % 4 != 0 {
            return Err(core.bad_length(offset, len, "not a multiple of 4"));
        }
        if let Some(err) = core.too_large(offset, len - OVERHEAD as u64) {
            return Err(err);
        }
        let total = len as usize;
        let Some(frame) = input.get(..total) else {
            return Ok(Decoded::NeedMore(total - input.len()));
        };
        let expected = le32(frame, total - 4);
        let computed = crc32fast::hash(&frame[..total - 4]);
        if expected != computed {
            return Err(TransportError::CrcMismatch {
                offset,
                expected,
                computed,
            });
        }
        let found = le32(frame, 4);
        if found != self.seq {
            return Err(TransportError::SeqMismatch {
                offset,
                expected: self.seq,
                found,
            });
        }
        let payload = &frame[8..total - 4];
        core.check_server_error(payload, offset, false)?;
        self.seq = self.seq.wrapping_add(1);
        Ok(Decoded::Frame {
            frame: Frame::Packet {
                payload,
                quick_ack: flagged,
            },
            consumed: total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Decode, Encode};

    /// A frame built by hand from the format description, not by Encoder.
    fn hand_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&((payload.len() + 12) as u32).to_le_bytes());
        f.extend_from_slice(&seq.to_le_bytes());
        f.extend_from_slice(payload);
        let crc = crc32fast::hash(&f);
        f.extend_from_slice(&crc.to_le_bytes());
        f
    }

    #[test]
    fn encoder_matches_the_format_and_counts_seq() {
        let mut enc = Encoder::server();
        let mut wire = Vec::new();
        enc.encode_packet(&[1, 2, 3, 4], false, &mut wire).unwrap();
        enc.encode_packet(&[5, 6, 7, 8, 9, 10, 11, 12], false, &mut wire)
            .unwrap();
        let mut expected = hand_frame(0, &[1, 2, 3, 4]);
        expected.extend(hand_frame(1, &[5, 6, 7, 8, 9, 10, 11, 12]));
        assert_eq!(wire, expected);
        assert_eq!(enc.next_seq(), 2);
    }

    #[test]
    fn seq_mismatch_is_reported_with_both_numbers() {
        let mut wire = hand_frame(0, &[0; 4]);
        wire.extend(hand_frame(2, &[0; 4]));
        let mut dec = Decoder::client();
        let Decoded::Frame { consumed, .. } = dec.decode(&wire).unwrap() else {
            panic!("incomplete")
        };
        assert_eq!(
            dec.decode(&wire[consumed..]),
            Err(TransportError::SeqMismatch {
                offset: 16,
                expected: 1,
                found: 2
            })
        );
    }

    #[test]
    fn quick_ack_bit_is_covered_by_the_crc() {
        let mut wire = Vec::new();
        Encoder::client()
            .encode_packet(&[1; 4], true, &mut wire)
            .unwrap();
        assert_eq!(wire[3], 0x80);
        let mut dec = Decoder::server();
        assert_eq!(
            dec.decode(&wire).unwrap(),
            Decoded::Frame {
                frame: Frame::Packet {
                    payload: &[1; 4],
                    quick_ack: true
                },
                consumed: 16
            }
        );
        let mut cleared = wire.clone();
        cleared[3] = 0;
        assert!(matches!(
            Decoder::server().decode(&cleared),
            Err(TransportError::CrcMismatch { .. })
        ));
    }

    #[test]
    fn short_lengths() {
        for len in [0u32, 4, 8, 12] {
            let mut dec = Decoder::client();
            assert!(matches!(
                dec.decode(&len.to_le_bytes()),
                Err(TransportError::BadLength { .. })
            ));
        }
        assert!(matches!(
            Decoder::client().decode(&18u32.to_le_bytes()),
            Err(TransportError::BadLength { len: 18, .. })
        ));
    }
}
