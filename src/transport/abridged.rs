//! The abridged transport: the smallest framing.
//!
//! A client first sends `0xef`. Each packet is preceded by its length in
//! 4-byte words: one byte if that is below 127 (`0x01..=0x7e`), otherwise
//! `0x7f` and the word count as 3 bytes little-endian. Packets are therefore
//! multiples of 4 and at most `(2^24 - 1) * 4` bytes.
//!
//! Quick acks: a client asks for one by setting the top bit of the first
//! length byte (`len/4 | 0x80`, or `0xff` for the long form). The server's
//! token is 4 bytes in big-endian order, so its first byte has the top bit
//! set where a length byte never does; [`Decoder`] returns it as the same
//! `u32` the other transports report.
//!
//! ```
//! use mtproto::transport::{abridged, Decode, Decoded, Encode, Frame};
//!
//! let mut wire = Vec::new();
//! abridged::Encoder::client().encode_packet(&[7; 8], false, &mut wire).unwrap();
//! assert_eq!(&wire[..2], &[0xef, 2], "first byte, then 8 bytes = 2 words");
//!
//! let mut server = abridged::Decoder::server();
//! match server.decode(&wire).unwrap() {
//!     Decoded::Frame { frame, consumed } => {
//!         assert_eq!(frame, Frame::packet(&[7u8; 8][..]));
//!         assert_eq!(consumed, wire.len());
//!     }
//!     Decoded::NeedMore(_) => unreachable!(),
//! }
//! ```

use super::framing;
use super::{Decoded, DecoderCore, Frame, Kind, Out, ReadFrame, Reading, Side, WriteFrame};

/// The byte a client sends first.
pub const PREFIX: &[u8] = &[0xef];

/// The largest packet the 3-byte word count can describe.
pub const MAX_PACKET_LEN: usize = ((1 << 24) - 1) * 4;

/// Writes abridged frames.
pub type Encoder = framing::Encoder<Abridged>;

/// Reads abridged frames; see the [module docs](self).
pub type Decoder = framing::Decoder<Abridged>;

/// The abridged framing rules, which [`Encoder`] and [`Decoder`] apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Abridged;

impl WriteFrame for Abridged {
    const KIND: Kind = Kind::Abridged;
    const MAX_PACKET_LEN: usize = MAX_PACKET_LEN;
    const ALIGNED: bool = true;
    const SPARE: usize = 4;

    /// Big-endian, so that the first byte carries the top bit where a
    /// length byte would be.
    #[inline]
    fn quick_ack_bytes(token: u32) -> [u8; 4] {
        (token | super::QUICK_ACK_BIT).to_be_bytes()
    }

    #[inline]
    fn write(&mut self, payload: &[u8], quick_ack: bool, out: &mut impl Out) {
        let words = (payload.len() / 4) as u32;
        let flag = if quick_ack { 0x80 } else { 0 };
        if words < 0x7f {
            out.head(&[words as u8 | flag]);
        } else {
            let w = words.to_le_bytes();
            out.head(&[0x7f | flag, w[0], w[1], w[2]]);
        }
        out.payload(payload);
    }
}

impl ReadFrame for Abridged {
    const KIND: Kind = Kind::Abridged;

    #[inline]
    fn read<'a>(&mut self, core: &DecoderCore, input: &'a [u8], offset: u64) -> Reading<'a> {
        let Some(&first) = input.first() else {
            return Ok(Decoded::NeedMore(1));
        };
        let flagged = first & 0x80 != 0;
        if flagged && core.side == Side::Client {
            let Some(token) = input.get(..4) else {
                return Ok(Decoded::NeedMore(4 - input.len()));
            };
            return Ok(Decoded::Frame {
                frame: Frame::QuickAck(u32::from_be_bytes([
                    token[0], token[1], token[2], token[3],
                ])),
                consumed: 4,
            });
        }
        let (header, words) = match first & 0x7f {
            0x7f => match input.get(1..4) {
                Some(w) => (4, u32::from_le_bytes([w[0], w[1], w[2], 0])),
                None => return Ok(Decoded::NeedMore(4 - input.len())),
            },
            short => (1, u32::from(short)),
        };
        let len = u64::from(words) * 4;
        if len == 0 {
            return Err(core.bad_length(offset, len, "empty packet"));
        }
        core.packet(input, offset, header, len, flagged, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Decode, Encode, EncodeError, TransportError};

    #[test]
    fn short_and_long_length_forms() {
        let mut enc = Encoder::client();
        let mut wire = Vec::new();
        enc.encode_packet(&[1; 4 * 126], false, &mut wire).unwrap();
        assert_eq!(&wire[..2], &[0xef, 126]);
        wire.clear();
        enc.encode_packet(&[1; 4 * 127], false, &mut wire).unwrap();
        assert_eq!(&wire[..4], &[0x7f, 127, 0, 0], "no second 0xef");
        wire.clear();
        enc.encode_packet(&[1; 4 * 0x01_0203], true, &mut wire)
            .unwrap();
        assert_eq!(&wire[..4], &[0xff, 0x03, 0x02, 0x01]);
    }

    #[test]
    fn quick_ack_request_and_token() {
        let mut wire = Vec::new();
        Encoder::client()
            .encode_packet(&[0; 8], true, &mut wire)
            .unwrap();
        assert_eq!(&wire[..2], &[0xef, 0x82]);
        let mut server = Decoder::server();
        assert_eq!(
            server.decode(&wire).unwrap(),
            Decoded::Frame {
                frame: Frame::Packet {
                    payload: &[0; 8],
                    quick_ack: true
                },
                consumed: 10
            }
        );

        let mut wire = Vec::new();
        Encoder::server()
            .encode_quick_ack(0x8123_4567, &mut wire)
            .unwrap();
        assert_eq!(wire, [0x81, 0x23, 0x45, 0x67], "big-endian on the wire");
        let mut client = Decoder::client();
        assert_eq!(client.decode(&wire[..3]).unwrap(), Decoded::NeedMore(1));
        assert_eq!(
            client.decode(&wire).unwrap(),
            Decoded::Frame {
                frame: Frame::QuickAck(0x8123_4567),
                consumed: 4
            }
        );
    }

    #[test]
    fn rejects_what_the_format_cannot_carry() {
        let mut enc = Encoder::client();
        let mut out = Vec::new();
        assert!(matches!(
            enc.encode_packet(&[1, 2, 3], false, &mut out),
            Err(EncodeError::Unaligned { len: 3, .. })
        ));
        assert!(matches!(
            enc.encode_packet(&[], false, &mut out),
            Err(EncodeError::Empty { .. })
        ));
        assert!(out.is_empty(), "nothing written on error, 0xef still owed");
        enc.encode_packet(&[0; 4], false, &mut out).unwrap();
        assert_eq!(out, [0xef, 1, 0, 0, 0, 0]);
        assert!(matches!(
            Encoder::server().encode_packet(&[0; 4], true, &mut out),
            Err(EncodeError::WrongSide { .. })
        ));
        assert!(matches!(
            Encoder::client().encode_quick_ack(1, &mut out),
            Err(EncodeError::WrongSide { .. })
        ));
    }

    #[test]
    fn empty_packet_and_bad_prefix() {
        let mut dec = Decoder::client();
        assert!(matches!(
            dec.decode(&[0x00]),
            Err(TransportError::BadLength { offset: 0, .. })
        ));
        let mut dec = Decoder::server();
        assert!(matches!(
            dec.decode(&[0xee, 1]),
            Err(TransportError::BadPrefix {
                offset: 0,
                found: 0xee,
                ..
            })
        ));
    }
}
