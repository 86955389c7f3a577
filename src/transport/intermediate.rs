//! The intermediate transport: 4-byte aligned framing.
//!
//! A client first sends `ee ee ee ee`. Each packet is preceded by its length
//! as a 4-byte little-endian integer. Lengths are multiples of 4 and below
//! 2^31, because the top bit flags quick acks: set by a client, it asks for
//! one; sent by a server in place of a length, the 4 bytes are the token.
//!
//! ```
//! use mtproto::transport::{intermediate, Encode, Frame, StreamDecoder};
//!
//! let mut wire = Vec::new();
//! let mut server = intermediate::Encoder::server();
//! server.encode_packet(&[1, 2, 3, 4], false, &mut wire).unwrap();
//! server.encode_quick_ack(0x8000_0001, &mut wire).unwrap();
//! assert_eq!(wire, [4, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0, 0x80]);
//!
//! let mut client = StreamDecoder::new(intermediate::Decoder::client());
//! client.feed(&wire);
//! assert_eq!(client.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
//! assert_eq!(client.next_frame().unwrap(), Some(Frame::QuickAck(0x8000_0001)));
//! ```

use super::framing;
use super::{
    le32, Decoded, DecoderCore, Frame, Kind, Out, ReadFrame, Reading, Side, WriteFrame,
    QUICK_ACK_BIT,
};

/// The bytes a client sends first.
pub const PREFIX: &[u8] = &[0xee, 0xee, 0xee, 0xee];

/// The largest packet the 31-bit length can describe, rounded down to a
/// multiple of 4.
pub const MAX_PACKET_LEN: usize = 0x7fff_fffc;

/// Writes intermediate frames.
pub type Encoder = framing::Encoder<Intermediate>;

/// Reads intermediate frames; see the [module docs](self).
pub type Decoder = framing::Decoder<Intermediate>;

/// The intermediate framing rules, which [`Encoder`] and [`Decoder`] apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Intermediate;

impl WriteFrame for Intermediate {
    const KIND: Kind = Kind::Intermediate;
    const MAX_PACKET_LEN: usize = MAX_PACKET_LEN;
    const ALIGNED: bool = true;
    const SPARE: usize = 4;

    #[inline]
    fn write(&mut self, payload: &[u8], quick_ack: bool, out: &mut impl Out) {
        out.head(&length_word(payload.len(), quick_ack));
        out.payload(payload);
    }
}

impl ReadFrame for Intermediate {
    const KIND: Kind = Kind::Intermediate;

    #[inline]
    fn read<'a>(&mut self, core: &DecoderCore, input: &'a [u8], offset: u64) -> Reading<'a> {
        decode_frame(core, input, offset, false)
    }
}

/// A length word as the intermediate rule writes it: little-endian, the
/// top bit asking for a quick acknowledgment. Padded intermediate and full
/// write theirs the same way.
#[inline]
pub(crate) fn length_word(len: usize, quick_ack: bool) -> [u8; 4] {
    let flag = if quick_ack { QUICK_ACK_BIT } else { 0 };
    (len as u32 | flag).to_le_bytes()
}

/// Reads the 4-byte length word that starts an intermediate, padded or full
/// frame: `Ok((length, quick_ack))`, or `Err` with what to return instead,
/// more bytes wanted or, from a server, a quick-ack token.
#[inline]
pub(crate) fn read_length_word<'a>(
    core: &DecoderCore,
    input: &'a [u8],
) -> Result<(u64, bool), Decoded<'a>> {
    if input.len() < 4 {
        return Err(Decoded::NeedMore(4 - input.len()));
    }
    let word = le32(input, 0);
    let flagged = word & QUICK_ACK_BIT != 0;
    if flagged && core.side == Side::Client {
        return Err(Decoded::Frame {
            frame: Frame::QuickAck(word),
            consumed: 4,
        });
    }
    Ok((u64::from(word & !QUICK_ACK_BIT), flagged))
}

/// Intermediate and padded intermediate differ only in alignment and in how
/// a transport error may look, so they share this.
#[inline]
pub(crate) fn decode_frame<'a>(
    core: &DecoderCore,
    input: &'a [u8],
    offset: u64,
    padded: bool,
) -> Reading<'a> {
    let (len, flagged) = match read_length_word(core, input) {
        Ok(word) => word,
        Err(instead) => return Ok(instead),
    };
    if padded {
        if len < 4 {
            return Err(core.bad_length(offset, len, "shorter than 4 bytes"));
        }
    } else if len == 0 {
        return Err(core.bad_length(offset, len, "empty packet"));
    } else if len % 4 != 0 {
        return Err(core.bad_length(offset, len, "not a multiple of 4"));
    }
    core.packet(input, offset, 4, len, flagged, padded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Decode, Encode, TransportError};

    #[test]
    fn prefix_once_and_quick_ack_bit() {
        let mut enc = Encoder::client();
        let mut wire = Vec::new();
        enc.encode_packet(&[9; 4], true, &mut wire).unwrap();
        enc.encode_packet(&[8; 4], false, &mut wire).unwrap();
        assert_eq!(
            wire,
            [0xee, 0xee, 0xee, 0xee, 4, 0, 0, 0x80, 9, 9, 9, 9, 4, 0, 0, 0, 8, 8, 8, 8]
        );
        let mut dec = Decoder::server();
        let Decoded::Frame { frame, consumed } = dec.decode(&wire).unwrap() else {
            panic!("incomplete")
        };
        assert_eq!(
            frame,
            Frame::Packet {
                payload: &[9u8; 4][..],
                quick_ack: true
            }
        );
        assert_eq!(consumed, 12);
        assert_eq!(
            dec.decode(&wire[12..]).unwrap(),
            Decoded::Frame {
                frame: Frame::packet(&[8u8; 4][..]),
                consumed: 8
            }
        );
    }

    #[test]
    fn need_more_counts_prefix_and_body() {
        let mut dec = Decoder::server();
        assert_eq!(dec.decode(&[]).unwrap(), Decoded::NeedMore(8));
        assert_eq!(dec.decode(&[0xee; 3]).unwrap(), Decoded::NeedMore(5));
        assert_eq!(
            dec.decode(&[0xee, 0xee, 0xee, 0xee, 8, 0, 0, 0, 1])
                .unwrap(),
            Decoded::NeedMore(7)
        );
    }

    #[test]
    fn unaligned_and_oversized_lengths() {
        let mut dec = Decoder::client();
        assert!(matches!(
            dec.decode(&[5, 0, 0, 0]),
            Err(TransportError::BadLength { len: 5, .. })
        ));
        let mut dec = Decoder::client().with_max_packet_len(64);
        assert!(matches!(
            dec.decode(&[68, 0, 0, 0]),
            Err(TransportError::TooLarge {
                len: 68,
                max: 64,
                offset: 0,
                ..
            })
        ));
        assert!(
            dec.decode(&[4, 0, 0, 0, 1, 0, 0, 0]).is_err(),
            "errors are final"
        );
    }
}
