//! What crosses the transport boundary: the frames a decoder yields, the
//! framing an encoder produces, and the two traits every transport
//! implements.

use std::fmt;

use super::{EncodeError, Side, TransportError};

/// One unit a transport carries.
///
/// `P` is the payload type: `&[u8]` borrowed from the input for
/// [`Decode::decode`] and [`StreamDecoder`](super::StreamDecoder), `bytes::Bytes` in the tokio
/// codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<P> {
    /// An MTProto packet (for the padded transport including its padding,
    /// which the envelope's own length fields tell apart).
    Packet {
        /// The packet's bytes, without framing.
        payload: P,
        /// Whether the client asked for a quick acknowledgment of this
        /// packet. Always `false` for packets from a server.
        quick_ack: bool,
    },
    /// A quick-acknowledgment token from the server, top bit set,
    /// in the same byte order for every transport (see the module docs).
    QuickAck(u32),
}

impl<P> Frame<P> {
    /// A packet that does not ask for a quick acknowledgment.
    pub fn packet(payload: P) -> Self {
        Frame::Packet {
            payload,
            quick_ack: false,
        }
    }

    /// Converts the payload, e.g. `frame.map(<[u8]>::to_vec)` to own it.
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Frame<Q> {
        match self {
            Frame::Packet { payload, quick_ack } => Frame::Packet {
                payload: f(payload),
                quick_ack,
            },
            Frame::QuickAck(token) => Frame::QuickAck(token),
        }
    }
}

/// The outcome of [`Decode::decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A complete frame.
    Frame {
        /// The frame, borrowing its payload from the input.
        frame: Frame<&'a [u8]>,
        /// How many input bytes it took, including the connection's first
        /// bytes when a server decoder read them. Drop these before the next
        /// call.
        consumed: usize,
    },
    /// The input holds no complete frame yet. Nothing was consumed; call
    /// again with the same bytes plus at least this many more. The count is
    /// exact once the frame's header is in, and a lower bound before.
    NeedMore(usize),
}

/// The framing an encoder puts around one payload: `head`, then the payload
/// itself, then `tail`.
///
/// Keeping the payload out lets a caller write the three parts with a
/// vectored write and never copy a large payload; [`Encode::encode_packet`]
/// concatenates them into a `Vec<u8>` instead.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FrameParts {
    head: [u8; 12],
    head_len: u8,
    tail: [u8; 16],
    tail_len: u8,
}

impl FrameParts {
    // Inline: the generic encoder that calls it is compiled in the caller's
    // crate, where a plain function would stay a call.
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            head: [0; 12],
            head_len: 0,
            tail: [0; 16],
            tail_len: 0,
        }
    }

    #[inline]
    pub(super) fn push_head(&mut self, bytes: &[u8]) {
        let start = usize::from(self.head_len);
        self.head[start..start + bytes.len()].copy_from_slice(bytes);
        self.head_len += bytes.len() as u8;
    }

    /// What goes before the payload: the connection's first bytes (once, on
    /// a client's first frame) and the frame header.
    pub fn head(&self) -> &[u8] {
        &self.head[..usize::from(self.head_len)]
    }

    /// What goes after the payload: padding (padded) or the crc32 (full).
    pub fn tail(&self) -> &[u8] {
        &self.tail[..usize::from(self.tail_len)]
    }

    /// The number of bytes head and tail add around the payload.
    pub fn overhead(&self) -> usize {
        usize::from(self.head_len) + usize::from(self.tail_len)
    }

    /// Appends head, `payload` and tail to `out`.
    pub fn write_to(&self, payload: &[u8], out: &mut Vec<u8>) {
        out.reserve(self.overhead() + payload.len());
        out.extend_from_slice(self.head());
        out.extend_from_slice(payload);
        out.extend_from_slice(self.tail());
    }
}

/// Where an encoder writes a frame: straight into a `Vec<u8>` for
/// [`Encode::encode_packet`], or into [`FrameParts`] (payload left out) for
/// [`Encode::frame`]. Each transport writes its framing once, generically,
/// so both paths share the checks and the byte layout.
pub trait Out {
    /// Room for `additional` more bytes, if the sink has a buffer.
    fn reserve(&mut self, additional: usize);
    /// Header bytes (and the connection's first bytes).
    fn head(&mut self, bytes: &[u8]);
    /// The payload itself.
    fn payload(&mut self, payload: &[u8]);
    /// The first `len` bytes of `bytes` go after the payload. A whole
    /// array, so that a buffer can copy it with fixed-size stores and cut
    /// the excess, instead of calling memcpy for a handful of bytes.
    fn tail(&mut self, bytes: &[u8; 16], len: usize);
}

impl Out for Vec<u8> {
    #[inline]
    fn reserve(&mut self, additional: usize) {
        Vec::reserve(self, additional);
    }
    #[inline]
    fn head(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn payload(&mut self, payload: &[u8]) {
        self.extend_from_slice(payload);
    }
    #[inline]
    fn tail(&mut self, bytes: &[u8; 16], len: usize) {
        let end = self.len();
        self.extend_from_slice(bytes);
        self.truncate(end + len.min(16));
    }
}

// Inline for the same reason as `FrameParts::new`.
impl Out for FrameParts {
    #[inline]
    fn reserve(&mut self, _: usize) {}
    #[inline]
    fn head(&mut self, bytes: &[u8]) {
        self.push_head(bytes);
    }
    #[inline]
    fn payload(&mut self, _: &[u8]) {}
    #[inline]
    fn tail(&mut self, bytes: &[u8; 16], len: usize) {
        self.tail = *bytes;
        self.tail_len = len.min(16) as u8;
    }
}

impl fmt::Debug for FrameParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameParts")
            .field("head", &self.head())
            .field("tail", &self.tail())
            .finish()
    }
}

/// The writing half of a transport.
///
/// The trait is object safe, so a transport chosen at run time works as a
/// `Box<dyn Encode + Send>` (see [`Kind::encoder`](super::Kind::encoder)).
pub trait Encode {
    /// Which end this encoder writes for.
    fn side(&self) -> Side;

    /// The framing for one packet. Calling it commits: the connection's
    /// first bytes and (full) the sequence number are used up, so the parts
    /// must be sent, followed by exactly this `payload`.
    ///
    /// `quick_ack` asks the server for a quick acknowledgment; only a client
    /// may set it.
    fn frame(&mut self, payload: &[u8], quick_ack: bool) -> Result<FrameParts, EncodeError>;

    /// The bytes of a quick-acknowledgment token (server only); they are the
    /// whole frame, with no payload. The token's top bit is set on the wire
    /// whether or not `token` has it.
    fn quick_ack(&mut self, token: u32) -> Result<FrameParts, EncodeError>;

    /// Appends one framed packet to `out`.
    fn encode_packet(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        self.frame(payload, quick_ack)?.write_to(payload, out);
        Ok(())
    }

    /// Appends a quick-acknowledgment token (server only).
    fn encode_quick_ack(&mut self, token: u32, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.quick_ack(token)?.write_to(&[], out);
        Ok(())
    }

    /// Appends a transport error packet such as -404 (server only).
    fn encode_transport_error(&mut self, code: i32, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        if self.side() != Side::Server {
            return Err(EncodeError::WrongSide {
                transport: None,
                what: "send transport errors",
                allowed: Side::Server,
            });
        }
        if code >= 0 {
            return Err(EncodeError::BadErrorCode { code });
        }
        self.encode_packet(&code.to_le_bytes(), false, out)
    }
}

/// The reading half of a transport. See the [module docs](super).
///
/// The trait is object safe, so a transport chosen at run time works as a
/// `Box<dyn Decode + Send>` (see [`Kind::decoder`](super::Kind::decoder)).
pub trait Decode {
    /// Which end this decoder reads for.
    fn side(&self) -> Side;

    /// Decodes the next frame from the start of `input`, the bytes received
    /// and not yet consumed. The decoder's state changes only when it
    /// returns a frame.
    fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, TransportError>;
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn side(&self) -> Side {
        (**self).side()
    }
    fn frame(&mut self, payload: &[u8], quick_ack: bool) -> Result<FrameParts, EncodeError> {
        (**self).frame(payload, quick_ack)
    }
    fn quick_ack(&mut self, token: u32) -> Result<FrameParts, EncodeError> {
        (**self).quick_ack(token)
    }
    fn encode_packet(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        (**self).encode_packet(payload, quick_ack, out)
    }
}

impl<T: Decode + ?Sized> Decode for Box<T> {
    fn side(&self) -> Side {
        (**self).side()
    }
    fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        (**self).decode(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_parts_hold_head_and_tail() {
        let mut parts = FrameParts::new();
        parts.push_head(&[1, 2]);
        parts.push_head(&[3]);
        Out::tail(&mut parts, &[9; 16], 2);
        assert_eq!(parts.head(), &[1, 2, 3]);
        assert_eq!(parts.tail(), &[9, 9]);
        assert_eq!(parts.overhead(), 5);
    }
}
