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

use super::{
    le32, Decode, Decoded, DecoderCore, Encode, EncodeError, EncoderCore, Frame, FrameParts, Out,
    Side, TransportError, QUICK_ACK_BIT,
};

/// The bytes a client sends first.
pub const PREFIX: &[u8] = &[0xee, 0xee, 0xee, 0xee];

/// The largest packet the 31-bit length can describe, rounded down to a
/// multiple of 4.
pub const MAX_PACKET_LEN: usize = 0x7fff_fffc;

const NAME: &str = "intermediate";

/// Writes intermediate frames.
#[derive(Debug, Clone)]
pub struct Encoder {
    core: EncoderCore,
}

impl Encoder {
    /// An encoder for the given side.
    pub fn new(side: Side) -> Self {
        Self {
            core: EncoderCore::new(side, NAME, PREFIX),
        }
    }

    /// A client encoder: sends `ee ee ee ee` before its first packet.
    pub fn client() -> Self {
        Self::new(Side::Client)
    }

    /// A server encoder.
    pub fn server() -> Self {
        Self::new(Side::Server)
    }
}

impl Encoder {
    #[inline]
    fn write(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut impl Out,
    ) -> Result<(), EncodeError> {
        let len = payload.len();
        self.core.check(len, quick_ack)?;
        if len % 4 != 0 {
            return Err(self.core.unaligned(len));
        }
        if len > MAX_PACKET_LEN {
            return Err(self.core.too_long(len, MAX_PACKET_LEN));
        }
        out.reserve(PREFIX.len() + 4 + len);
        self.core.put_prefix(out);
        out.head(&length_word(len, quick_ack));
        out.payload(payload);
        Ok(())
    }
}

impl Encode for Encoder {
    fn side(&self) -> Side {
        self.core.side
    }

    fn frame(&mut self, payload: &[u8], quick_ack: bool) -> Result<FrameParts, EncodeError> {
        let mut parts = FrameParts::new();
        self.write(payload, quick_ack, &mut parts)?;
        Ok(parts)
    }

    #[inline]
    fn encode_packet(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        self.write(payload, quick_ack, out)
    }

    fn quick_ack(&mut self, token: u32) -> Result<FrameParts, EncodeError> {
        self.core
            .quick_ack_parts((token | QUICK_ACK_BIT).to_le_bytes())
    }
}

#[inline]
pub(crate) fn length_word(len: usize, quick_ack: bool) -> [u8; 4] {
    let flag = if quick_ack { QUICK_ACK_BIT } else { 0 };
    (len as u32 | flag).to_le_bytes()
}

/// Reads intermediate frames; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Decoder {
    core: DecoderCore,
}

impl Decoder {
    /// A decoder for the given side, with [`DEFAULT_MAX_PACKET_LEN`](super::DEFAULT_MAX_PACKET_LEN).
    pub fn new(side: Side) -> Self {
        Self {
            core: DecoderCore::new(side, NAME, PREFIX),
        }
    }

    /// A client decoder: reads what a server sends.
    pub fn client() -> Self {
        Self::new(Side::Client)
    }

    /// A server decoder: expects `ee ee ee ee` first.
    pub fn server() -> Self {
        Self::new(Side::Server)
    }

    /// Sets the largest payload accepted; a longer claimed length is an
    /// error as soon as the header is in.
    pub fn with_max_packet_len(mut self, max: usize) -> Self {
        self.core.max_packet_len = max;
        self
    }
}

impl Decode for Decoder {
    fn side(&self) -> Side {
        self.core.side
    }

    #[inline]
    fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        self.core.run(input, |core, input, offset| {
            decode_frame(core, input, offset, false)
        })
    }
}

/// Intermediate and padded intermediate differ only in alignment and in how
/// a transport error may look, so they share this.
#[inline]
pub(crate) fn decode_frame<'a>(
    core: &DecoderCore,
    input: &'a [u8],
    offset: u64,
    padded: bool,
) -> Result<Decoded<'a>, TransportError> {
    if input.len() < 4 {
        return Ok(Decoded::NeedMore(4 - input.len()));
    }
    let word = le32(input, 0);
    let flagged = word & QUICK_ACK_BIT != 0;
    if flagged && core.side == Side::Client {
        return Ok(Decoded::Frame {
            frame: Frame::QuickAck(word),
            consumed: 4,
        });
    }
    let len = u64::from(word & !QUICK_ACK_BIT);
    if padded {
        if len < 4 {
            return Err(core.bad_length(offset, len, "shorter than 4 bytes"));
        }
    } else if len == 0 {
        return Err(core.bad_length(offset, len, "empty packet"));
    } else if len % 4 != 0 {
        return Err(core.bad_length(offset, len, "not a multiple of 4"));
    }
    if let Some(err) = core.too_large(offset, len) {
        return Err(err);
    }
    let total = 4 + len as usize;
    let Some(payload) = input.get(4..total) else {
        return Ok(Decoded::NeedMore(total - input.len()));
    };
    core.check_server_error(payload, offset, padded)?;
    Ok(Decoded::Frame {
        frame: Frame::Packet {
            payload,
            quick_ack: flagged,
        },
        consumed: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
