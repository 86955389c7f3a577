//! Transports: framing of MTProto packets on a byte stream.
//!
//! Four framings exist for TCP-like streams, each in its own module:
//!
//! | module | first bytes (client only) | per-packet overhead |
//! | --- | --- | --- |
//! | [`abridged`] | `0xef` | 1 or 4 bytes |
//! | [`intermediate`] | `ee ee ee ee` | 4 bytes |
//! | [`padded`] (padded intermediate) | `dd dd dd dd` | 4 bytes + 0..15 random bytes |
//! | [`full`] | none | 12 bytes (length, seq, crc32) |
//!
//! Every transport has an encoder implementing [`Encode`] and a decoder
//! implementing [`Decode`], built for one [`Side`] of the connection: a
//! client encoder writes what a server decoder reads, and a server encoder
//! writes what a client decoder reads. Only clients send the first bytes and
//! request quick acknowledgments; only servers send quick-ack tokens and
//! transport errors.
//!
//! # Decoding
//!
//! [`Decode::decode`] looks at the bytes received so far and either returns
//! one [`Frame`] borrowed from them together with how many bytes it used, or
//! says how many more bytes it needs at least ([`Decoded::NeedMore`]). It is
//! zero-copy and never buffers: a caller that keeps its own receive buffer
//! (or tokio's `BytesMut`, see `codec` under feature `tokio`) drops the
//! consumed bytes itself. [`StreamDecoder`] adds the buffer for callers that
//! just want to push bytes in with `feed` and pull frames out.
//!
//! Decoders accept their input split at any byte, check the claimed length
//! against a limit before waiting for the body
//! ([`DEFAULT_MAX_PACKET_LEN`]), never allocate and never panic. Any
//! [`TransportError`] is final: the stream cannot be resynchronised, so the
//! decoder returns the same error from then on.
//!
//! # Quick acknowledgments
//!
//! A client asks for one by setting the top bit of a packet's length (for
//! abridged: the top bit of the first length byte). The server decoder
//! reports this as [`Frame::Packet`]`{ quick_ack: true, .. }`. The server
//! answers with a bare 4-byte token whose top bit is set, in place of a
//! length; the client decoder reports it as [`Frame::QuickAck`]. The token
//! is the first 32 bits of the `msg_key` hash computation, read as a
//! little-endian `u32`, with the top bit set; it travels little-endian,
//! except for abridged, where it is byte-swapped (big-endian) so that its
//! first byte carries the top bit where a length byte would be. Decoders
//! undo the swap, so every transport reports the same `u32` for the same
//! token, top bit included. For the full transport, whose documentation
//! leaves quick acks out, this crate uses the intermediate rule (a 4-byte
//! token instead of a length, no seq, no crc; the token does not advance the
//! seq counter): a length with the top bit set can never be a real full
//! packet.
//!
//! # Transport errors
//!
//! A server reports errors such as -404 (no such auth key), -429 (too many
//! connections / flood) or -444 (invalid DC) as a packet whose payload is a
//! 4-byte negative little-endian `int32`; client decoders turn it into
//! [`TransportError::Server`]. For the padded transport the packet may
//! carry padding, so any payload shorter than the smallest MTProto message
//! (20 bytes) that starts with a negative `int32` counts.

pub mod abridged;
#[cfg(feature = "tokio")]
pub mod codec;
pub mod full;
pub mod intermediate;
pub mod padded;

use std::fmt;

use crate::random::RandomSource;
/// Re-exported from the crate root, where the other layers take it from.
pub use crate::Side;

/// The default largest packet a decoder accepts: 16 MiB.
///
/// MTProto payloads are far smaller (file parts are at most 512 KiB), so
/// this leaves room without letting a hostile length make a receiver hold
/// arbitrary amounts of memory. Change it with each decoder's
/// `with_max_packet_len`.
pub const DEFAULT_MAX_PACKET_LEN: usize = 16 * 1024 * 1024;

/// The smallest well-formed MTProto packet: an unencrypted message with an
/// empty body would be 20 bytes; encrypted ones are at least 72.
const MIN_MTPROTO_PACKET: usize = 20;

/// One unit a transport carries.
///
/// `P` is the payload type: `&[u8]` borrowed from the input for
/// [`Decode::decode`] and [`StreamDecoder`], `bytes::Bytes` in the tokio
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

/// Why a decoder gave up on a stream. Offsets count bytes from the start of
/// the stream, including the connection's first bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// A server decoder expected the transport's first bytes and got others.
    #[error("{transport}: the connection must start with {expected:02x?}, byte {offset} is {found:#04x}")]
    BadPrefix {
        /// The transport's name.
        transport: &'static str,
        /// The first bytes the transport starts with.
        expected: &'static [u8],
        /// The stream offset of the first byte that differs.
        offset: u64,
        /// That byte.
        found: u8,
    },
    /// A frame claims a length above the decoder's limit; detected from the
    /// header alone, before any of the body is awaited.
    #[error("{transport}: the packet at offset {offset} claims {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// The transport's name.
        transport: &'static str,
        /// Stream offset of the frame's header.
        offset: u64,
        /// The claimed payload length.
        len: u64,
        /// The decoder's limit.
        max: usize,
    },
    /// A frame's length field is impossible for this transport.
    #[error("{transport}: the packet at offset {offset} has invalid length {len}: {reason}")]
    BadLength {
        /// The transport's name.
        transport: &'static str,
        /// Stream offset of the frame's header.
        offset: u64,
        /// The length field's value, in bytes.
        len: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A full-transport packet's crc32 does not match its bytes.
    #[error("full: crc32 mismatch in the packet at offset {offset}: it carries {expected:#010x}, its bytes give {computed:#010x}")]
    CrcMismatch {
        /// Stream offset of the packet's length field.
        offset: u64,
        /// The crc32 the packet carries.
        expected: u32,
        /// The crc32 of the packet's length, seq and payload.
        computed: u32,
    },
    /// A full-transport packet's sequence number is not the next one.
    #[error("full: the packet at offset {offset} has seq {found}, expected {expected}")]
    SeqMismatch {
        /// Stream offset of the packet's length field.
        offset: u64,
        /// The next sequence number of this direction.
        expected: u32,
        /// The one the packet carries.
        found: u32,
    },
    /// The server sent a transport error code instead of a packet. It closes
    /// the connection after it.
    #[error("the server reported transport error {code} ({}) in the packet at offset {offset}", describe_server_code(*.code))]
    Server {
        /// The (negative) code: -404, -429, -444, ...
        code: i32,
        /// Stream offset of the packet's header.
        offset: u64,
    },
}

impl TransportError {
    /// The server's transport error code, for [`TransportError::Server`].
    pub fn server_code(&self) -> Option<i32> {
        match self {
            TransportError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

fn describe_server_code(code: i32) -> &'static str {
    match code {
        -404 => "auth key not found, or a message that could not be routed",
        -429 => "too many connections or transport flood",
        -444 => "invalid DC",
        _ => "unknown code",
    }
}

/// Why an encoder refused to frame something. Nothing is written then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Transports carry no empty packets (decoders reject them as a sign of
    /// a desynchronised stream).
    #[error("{transport}: cannot frame an empty packet")]
    Empty {
        /// The transport's name.
        transport: &'static str,
    },
    /// The transport counts length in 4-byte words.
    #[error("{transport}: a packet of {len} bytes is not a multiple of 4")]
    Unaligned {
        /// The transport's name.
        transport: &'static str,
        /// The packet's length.
        len: usize,
    },
    /// The length does not fit the transport's length field.
    #[error("{transport}: a packet of {len} bytes exceeds the transport's maximum of {max}")]
    TooLong {
        /// The transport's name.
        transport: &'static str,
        /// The packet's length.
        len: usize,
        /// The largest payload the length field can describe.
        max: usize,
    },
    /// The operation belongs to the other end of the connection.
    #[error("{transport}: only a {allowed} may {what}")]
    WrongSide {
        /// The transport's name.
        transport: &'static str,
        /// What was attempted.
        what: &'static str,
        /// The side that may do it.
        allowed: Side,
    },
    /// Transport error codes are negative.
    #[error("transport error codes are negative, {code} is not")]
    BadErrorCode {
        /// The rejected code.
        code: i32,
    },
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
    pub(crate) fn new() -> Self {
        Self {
            head: [0; 12],
            head_len: 0,
            tail: [0; 16],
            tail_len: 0,
        }
    }

    fn push_head(&mut self, bytes: &[u8]) {
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
pub(crate) trait Out {
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

impl Out for FrameParts {
    fn reserve(&mut self, _: usize) {}
    fn head(&mut self, bytes: &[u8]) {
        self.push_head(bytes);
    }
    fn payload(&mut self, _: &[u8]) {}
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
/// `Box<dyn Encode + Send>` (see [`Kind::encoder`]).
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
                transport: "transport",
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

/// The reading half of a transport. See the [module docs](self).
///
/// The trait is object safe, so a transport chosen at run time works as a
/// `Box<dyn Decode + Send>` (see [`Kind::decoder`]).
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

/// A decoder with its own receive buffer: push bytes in as they arrive,
/// pull frames out.
///
/// Bytes go in either by [`feed`](Self::feed), which copies them, or by
/// reading straight into the buffer: [`read_buf`](Self::read_buf) lends
/// room at its end and [`filled`](Self::filled) says how much of it a read
/// wrote, which saves a copy of every byte received.
///
/// ```
/// use mtproto::transport::{intermediate, Encode, Frame, StreamDecoder};
///
/// let mut wire = Vec::new();
/// let mut client = intermediate::Encoder::client();
/// client.encode_packet(&[1, 2, 3, 4], false, &mut wire).unwrap();
///
/// let mut server = StreamDecoder::new(intermediate::Decoder::server());
/// for byte in &wire {
///     // Bytes may arrive split anywhere, here one at a time.
///     server.feed(std::slice::from_ref(byte));
/// }
/// assert_eq!(server.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
/// assert_eq!(server.next_frame().unwrap(), None);
/// assert_eq!(server.needed(), 4, "the next length word");
///
/// // The same, read into the decoder's buffer (here from a slice; a
/// // socket's `read` works the same way).
/// let mut server = StreamDecoder::new(intermediate::Decoder::server());
/// let mut socket = &wire[..];
/// let n = std::io::Read::read(&mut socket, server.read_buf(4096)).unwrap();
/// server.filled(n);
/// assert_eq!(server.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
/// ```
#[derive(Debug, Clone)]
pub struct StreamDecoder<D> {
    decoder: D,
    /// Received bytes are `buf[start..end]`; `buf[end..]` is room lent out
    /// by `read_buf` (initialized, so that it can be lent safely, and kept
    /// between reads so that it is zeroed once, not per read).
    buf: Vec<u8>,
    start: usize,
    end: usize,
    needed: usize,
}

/// Above this much idle capacity the receive buffer is given back, so that
/// one large packet does not pin its size for the connection's lifetime.
const SHRINK_ABOVE: usize = 1 << 20;

impl<D: Decode> StreamDecoder<D> {
    /// Wraps a decoder with an empty buffer.
    pub fn new(decoder: D) -> Self {
        Self {
            decoder,
            buf: Vec::new(),
            start: 0,
            end: 0,
            needed: 1,
        }
    }

    /// Appends received bytes. The buffer grows with what is fed, never with
    /// what a header claims.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.compact(bytes.len());
        let end = self.end + bytes.len();
        if end <= self.buf.len() {
            self.buf[self.end..end].copy_from_slice(bytes);
        } else {
            self.buf.truncate(self.end);
            self.buf.extend_from_slice(bytes);
        }
        self.end = end;
        self.needed = self.needed.saturating_sub(bytes.len());
    }

    /// Room for at least `min` more bytes at the end of the buffer, for a
    /// read to write into directly; then call [`filled`](Self::filled)
    /// with the number of bytes it wrote. The room may be larger than
    /// `min` (what earlier reads left); its contents are unspecified.
    pub fn read_buf(&mut self, min: usize) -> &mut [u8] {
        self.compact(min);
        if self.buf.len() - self.end < min {
            self.buf.resize(self.end + min, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Marks the first `n` bytes of the room from the last
    /// [`read_buf`](Self::read_buf) as received.
    ///
    /// # Panics
    /// If `n` is more than that room: no read can have written more.
    pub fn filled(&mut self, n: usize) {
        let room = self.buf.len() - self.end;
        assert!(
            n <= room,
            "StreamDecoder::filled({n}) after read_buf lent only {room} bytes"
        );
        self.end += n;
        self.needed = self.needed.saturating_sub(n);
    }

    /// Drops the consumed frames before `additional` bytes arrive, and
    /// gives memory back after a large packet.
    fn compact(&mut self, additional: usize) {
        if self.start == 0 {
            return;
        }
        // Consumed frames are only dropped here, so frames handed out by
        // `next_frame` stay valid until the caller adds bytes again.
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        let wanted = self.end + additional;
        if self.buf.capacity() > SHRINK_ABOVE && wanted < SHRINK_ABOVE / 4 {
            self.buf.truncate(wanted);
            self.buf.shrink_to(SHRINK_ABOVE / 4);
        }
    }

    /// The next complete frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Result<Option<Frame<&[u8]>>, TransportError> {
        let input = &self.buf[self.start..self.end];
        match self.decoder.decode(input)? {
            Decoded::NeedMore(n) => {
                self.needed = n;
                Ok(None)
            }
            Decoded::Frame { frame, consumed } => {
                self.start += consumed;
                self.needed = 0;
                Ok(Some(frame))
            }
        }
    }

    /// How many more bytes the last `next_frame` that returned `None` asked
    /// for, minus what arrived since; 0 when a frame may be ready.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// Bytes received and not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// The wrapped decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// Unwraps the decoder, dropping buffered bytes.
    pub fn into_inner(self) -> D {
        self.decoder
    }
}

/// The four transports, for choosing one at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// [`abridged`]
    Abridged,
    /// [`intermediate`]
    Intermediate,
    /// [`padded`]
    PaddedIntermediate,
    /// [`full`]
    Full,
}

/// The result of [`Kind::detect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// The connection uses this transport.
    Kind(Kind),
    /// At least this many more first bytes are needed to tell.
    NeedMore(usize),
}

impl Kind {
    /// The bytes a client sends first on a connection of this kind.
    pub fn prefix(self) -> &'static [u8] {
        match self {
            Kind::Abridged => abridged::PREFIX,
            Kind::Intermediate => intermediate::PREFIX,
            Kind::PaddedIntermediate => padded::PREFIX,
            Kind::Full => &[],
        }
    }

    /// Tells the transport from a connection's first bytes (server side).
    ///
    /// This is unambiguous: a full-transport length is a multiple of 4, so
    /// its first byte is never `0xef`, and a length of `0xeeeeeeee` or
    /// `0xdddddddd` would be far over any limit. The server decoder of the
    /// detected kind is then fed the same bytes, first bytes included.
    ///
    /// ```
    /// use mtproto::transport::{Detected, Kind};
    /// assert_eq!(Kind::detect(&[0xef, 0x05]), Detected::Kind(Kind::Abridged));
    /// assert_eq!(Kind::detect(&[0xee, 0xee]), Detected::NeedMore(2));
    /// assert_eq!(Kind::detect(&[0x10, 0, 0, 0]), Detected::Kind(Kind::Full));
    /// ```
    pub fn detect(first: &[u8]) -> Detected {
        match first {
            [] => Detected::NeedMore(1),
            [0xef, ..] => Detected::Kind(Kind::Abridged),
            [b @ (0xee | 0xdd), rest @ ..] => {
                let kind = if *b == 0xee {
                    Kind::Intermediate
                } else {
                    Kind::PaddedIntermediate
                };
                let seen = rest.iter().take(3).take_while(|x| *x == b).count();
                if seen == 3 {
                    Detected::Kind(kind)
                } else if seen == rest.len() {
                    Detected::NeedMore(3 - seen)
                } else {
                    Detected::Kind(Kind::Full)
                }
            }
            _ => Detected::Kind(Kind::Full),
        }
    }

    /// A boxed encoder of this kind; `rng` is used only by the padded
    /// transport.
    pub fn encoder<R: RandomSource + Send + 'static>(
        self,
        side: Side,
        rng: R,
    ) -> Box<dyn Encode + Send> {
        match self {
            Kind::Abridged => Box::new(abridged::Encoder::new(side)),
            Kind::Intermediate => Box::new(intermediate::Encoder::new(side)),
            Kind::PaddedIntermediate => Box::new(padded::Encoder::new(side, rng)),
            Kind::Full => Box::new(full::Encoder::new(side)),
        }
    }

    /// A boxed decoder of this kind with the default packet limit.
    pub fn decoder(self, side: Side) -> Box<dyn Decode + Send> {
        match self {
            Kind::Abridged => Box::new(abridged::Decoder::new(side)),
            Kind::Intermediate => Box::new(intermediate::Decoder::new(side)),
            Kind::PaddedIntermediate => Box::new(padded::Decoder::new(side)),
            Kind::Full => Box::new(full::Decoder::new(side)),
        }
    }
}

/// The state every decoder shares: the first bytes a server must see, the
/// stream position for error offsets, the limit, and the sticky failure.
#[derive(Debug, Clone)]
pub(crate) struct DecoderCore {
    pub(crate) side: Side,
    pub(crate) max_packet_len: usize,
    pub(crate) transport: &'static str,
    /// First bytes still expected; empty once seen, or for clients and full.
    prefix: &'static [u8],
    position: u64,
    failed: Option<TransportError>,
}

impl DecoderCore {
    pub(crate) fn new(side: Side, transport: &'static str, prefix: &'static [u8]) -> Self {
        Self {
            side,
            max_packet_len: DEFAULT_MAX_PACKET_LEN,
            transport,
            prefix: if side == Side::Server { prefix } else { &[] },
            position: 0,
            failed: None,
        }
    }

    /// Runs `body` on the input after any first bytes still expected, with
    /// the stream offset of its first byte, and does the bookkeeping shared
    /// by all transports: prefix check, offsets, sticky errors.
    #[inline]
    pub(crate) fn run<'a>(
        &mut self,
        input: &'a [u8],
        body: impl FnOnce(&Self, &'a [u8], u64) -> Result<Decoded<'a>, TransportError>,
    ) -> Result<Decoded<'a>, TransportError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let skip = self.prefix.len();
        // Check whatever part of the first bytes has arrived, so garbage is
        // rejected at once rather than after the whole prefix.
        let seen = skip.min(input.len());
        if let Some(i) = (0..seen).find(|&i| input[i] != self.prefix[i]) {
            let err = TransportError::BadPrefix {
                transport: self.transport,
                expected: self.prefix,
                offset: i as u64,
                found: input[i],
            };
            self.failed = Some(err.clone());
            return Err(err);
        }
        let rest = &input[seen..];
        let result = body(self, rest, self.position + skip as u64);
        match result {
            Ok(Decoded::NeedMore(n)) => Ok(Decoded::NeedMore(n + (skip - seen))),
            Ok(Decoded::Frame { frame, consumed }) => {
                self.prefix = &[];
                self.position += (skip + consumed) as u64;
                Ok(Decoded::Frame {
                    frame,
                    consumed: skip + consumed,
                })
            }
            Err(err) => {
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }

    #[inline]
    pub(crate) fn too_large(&self, offset: u64, len: u64) -> Option<TransportError> {
        (len > self.max_packet_len as u64).then_some(TransportError::TooLarge {
            transport: self.transport,
            offset,
            len,
            max: self.max_packet_len,
        })
    }

    pub(crate) fn bad_length(&self, offset: u64, len: u64, reason: &'static str) -> TransportError {
        TransportError::BadLength {
            transport: self.transport,
            offset,
            len,
            reason,
        }
    }

    /// Turns a packet from the server that holds a transport error code into
    /// [`TransportError::Server`]: a 4-byte payload, or for the padded
    /// transport any payload shorter than a real MTProto packet.
    #[inline]
    pub(crate) fn check_server_error(
        &self,
        payload: &[u8],
        offset: u64,
        padded: bool,
    ) -> Result<(), TransportError> {
        if self.side != Side::Client {
            return Ok(());
        }
        let short = if padded {
            payload.len() < MIN_MTPROTO_PACKET
        } else {
            payload.len() == 4
        };
        if let (true, Some(word)) = (short, payload.get(..4)) {
            let code = i32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            if code < 0 {
                return Err(TransportError::Server { code, offset });
            }
        }
        Ok(())
    }
}

/// Reads a little-endian `u32` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Tracks whether a client encoder still has to send the first bytes.
#[derive(Debug, Clone)]
pub(crate) struct EncoderCore {
    pub(crate) side: Side,
    pub(crate) transport: &'static str,
    prefix: &'static [u8],
}

impl EncoderCore {
    pub(crate) fn new(side: Side, transport: &'static str, prefix: &'static [u8]) -> Self {
        Self {
            side,
            transport,
            prefix: if side == Side::Client { prefix } else { &[] },
        }
    }

    /// The checks every transport shares, before anything is written.
    #[inline]
    pub(crate) fn check(&self, payload_len: usize, quick_ack: bool) -> Result<(), EncodeError> {
        if quick_ack && self.side != Side::Client {
            return Err(EncodeError::WrongSide {
                transport: self.transport,
                what: "request quick acknowledgments",
                allowed: Side::Client,
            });
        }
        if payload_len == 0 {
            return Err(EncodeError::Empty {
                transport: self.transport,
            });
        }
        Ok(())
    }

    /// Writes the first bytes if still owed; call once the frame is
    /// certain to be written.
    #[inline]
    pub(crate) fn put_prefix(&mut self, out: &mut impl Out) {
        if !self.prefix.is_empty() {
            out.head(self.prefix);
            self.prefix = &[];
        }
    }

    pub(crate) fn quick_ack_parts(&self, token_bytes: [u8; 4]) -> Result<FrameParts, EncodeError> {
        if self.side != Side::Server {
            return Err(EncodeError::WrongSide {
                transport: self.transport,
                what: "send quick-ack tokens",
                allowed: Side::Server,
            });
        }
        let mut parts = FrameParts::new();
        parts.push_head(&token_bytes);
        Ok(parts)
    }

    pub(crate) fn unaligned(&self, len: usize) -> EncodeError {
        EncodeError::Unaligned {
            transport: self.transport,
            len,
        }
    }

    pub(crate) fn too_long(&self, len: usize, max: usize) -> EncodeError {
        EncodeError::TooLong {
            transport: self.transport,
            len,
            max,
        }
    }
}

/// The top bit of a length word: quick-ack request (client to server) or
/// quick-ack token (server to client).
pub(crate) const QUICK_ACK_BIT: u32 = 0x8000_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_every_prefix_and_partial_prefix() {
        assert_eq!(Kind::detect(&[]), Detected::NeedMore(1));
        assert_eq!(Kind::detect(&[0xef]), Detected::Kind(Kind::Abridged));
        assert_eq!(Kind::detect(&[0xee]), Detected::NeedMore(3));
        assert_eq!(Kind::detect(&[0xee, 0xee, 0xee]), Detected::NeedMore(1));
        assert_eq!(
            Kind::detect(&[0xee, 0xee, 0xee, 0xee]),
            Detected::Kind(Kind::Intermediate)
        );
        assert_eq!(
            Kind::detect(&[0xdd, 0xdd, 0xdd, 0xdd, 1]),
            Detected::Kind(Kind::PaddedIntermediate)
        );
        assert_eq!(
            Kind::detect(&[0xdd, 0xdd, 0x00]),
            Detected::Kind(Kind::Full)
        );
        assert_eq!(Kind::detect(&[0x0c, 0, 0, 0]), Detected::Kind(Kind::Full));
        for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
            assert_eq!(Kind::detect(kind.prefix()), Detected::Kind(kind));
        }
    }

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
