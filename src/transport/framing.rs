//! The one encoder and decoder behind every transport.
//!
//! A transport supplies only its framing rules: how a frame's header and
//! tail are written ([`WriteFrame`]) and read ([`ReadFrame`]). The
//! [`Encoder`] and [`Decoder`] here do what the four transports share: the
//! connection's first bytes, the side and emptiness checks, the length
//! limits, stream offsets and sticky errors. Each transport module names
//! its pair with type aliases (`abridged::Encoder` is
//! `Encoder<abridged::Abridged>`).
//!
//! The driver is generic over the rules, not `dyn`: every transport's
//! encode and decode path is compiled and inlined for that transport alone,
//! as if written out by hand. The traits live in a private module, so no
//! other crate can implement them.

use super::{
    Decode, Decoded, Encode, EncodeError, Frame, FrameParts, Kind, Out, Side, TransportError,
};

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

/// The top bit of a length word: quick-ack request (client to server) or
/// quick-ack token (server to client).
pub(crate) const QUICK_ACK_BIT: u32 = 0x8000_0000;

/// Reads a little-endian `u32` at `at`; the caller has checked the length.
#[inline]
pub(crate) fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// How one transport writes a frame around a payload.
pub trait WriteFrame {
    /// The transport.
    const KIND: Kind;
    /// The largest payload the length field can describe.
    const MAX_PACKET_LEN: usize;
    /// Whether the length field counts 4-byte words, so payloads must be
    /// multiples of 4.
    const ALIGNED: bool;
    /// The most bytes besides the payload that [`write`](Self::write) puts
    /// into a buffer, counting a tail as the 16 bytes [`Out::tail`] copies.
    const SPARE: usize;

    /// A quick-ack token as it travels: top bit set, little-endian unless a
    /// transport says otherwise.
    #[inline]
    fn quick_ack_bytes(token: u32) -> [u8; 4] {
        (token | QUICK_ACK_BIT).to_le_bytes()
    }

    /// Writes header, payload and tail. The driver has checked the payload
    /// against the constants above and written the connection's first
    /// bytes, so nothing can fail any more.
    fn write(&mut self, payload: &[u8], quick_ack: bool, out: &mut impl Out);
}

/// What reading a frame gives: a frame or a wish for more bytes, or the
/// error that ends the stream.
pub type Reading<'a> = Result<Decoded<'a>, TransportError>;

/// How one transport reads a frame.
pub trait ReadFrame {
    /// The transport.
    const KIND: Kind;

    /// Reads one frame from `input`, which starts after the connection's
    /// first bytes, at stream offset `offset`. Errors are made with `core`,
    /// which knows the side and the limit.
    fn read<'a>(&mut self, core: &DecoderCore, input: &'a [u8], offset: u64) -> Reading<'a>;
}

/// Writes the frames of the transport whose rules are `F`; each transport
/// module names it `Encoder`.
#[derive(Debug, Clone)]
pub struct Encoder<F> {
    side: Side,
    /// First bytes still owed; empty once sent, or for servers and full.
    prefix: &'static [u8],
    framing: F,
}

impl<F: WriteFrame> Encoder<F> {
    /// An encoder for `side` that frames by `framing`.
    pub(crate) fn with_framing(side: Side, framing: F) -> Self {
        Self {
            side,
            prefix: if side == Side::Client {
                F::KIND.prefix()
            } else {
                &[]
            },
            framing,
        }
    }

    /// The framing rules and their state.
    pub(crate) fn framing(&self) -> &F {
        &self.framing
    }

    /// Drops the connection's first bytes: inside obfuscation the protocol
    /// tag in the 64-byte header replaces them.
    pub(crate) fn unprefixed(mut self) -> Self {
        self.prefix = &[];
        self
    }

    /// Checks a payload, then writes its frame: the one encoding path of
    /// both [`Encode::frame`] and [`Encode::encode_packet`].
    #[inline]
    fn write(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut impl Out,
    ) -> Result<(), EncodeError> {
        let len = payload.len();
        if quick_ack && self.side != Side::Client {
            return Err(EncodeError::WrongSide {
                transport: Some(F::KIND),
                what: "request quick acknowledgments",
                allowed: Side::Client,
            });
        }
        if len == 0 {
            return Err(EncodeError::Empty { transport: F::KIND });
        }
        if F::ALIGNED && len % 4 != 0 {
            return Err(EncodeError::Unaligned {
                transport: F::KIND,
                len,
            });
        }
        if len > F::MAX_PACKET_LEN {
            return Err(EncodeError::TooLong {
                transport: F::KIND,
                len,
                max: F::MAX_PACKET_LEN,
            });
        }
        out.reserve(const { F::KIND.prefix().len() + F::SPARE } + len);
        // The constant half lets a transport without first bytes (full)
        // drop the check and the variable-length header write altogether.
        if const { !F::KIND.prefix().is_empty() } && !self.prefix.is_empty() {
            out.head(self.prefix);
            self.prefix = &[];
        }
        self.framing.write(payload, quick_ack, out);
        Ok(())
    }
}

impl<F: WriteFrame + Default> Encoder<F> {
    /// An encoder for the given side.
    pub fn new(side: Side) -> Self {
        Self::with_framing(side, F::default())
    }

    /// A client encoder: sends the transport's first bytes, if it has any,
    /// before its first packet.
    pub fn client() -> Self {
        Self::new(Side::Client)
    }

    /// A server encoder.
    pub fn server() -> Self {
        Self::new(Side::Server)
    }
}

impl<F: WriteFrame> Encode for Encoder<F> {
    fn side(&self) -> Side {
        self.side
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
        if self.side != Side::Server {
            return Err(EncodeError::WrongSide {
                transport: Some(F::KIND),
                what: "send quick-ack tokens",
                allowed: Side::Server,
            });
        }
        let mut parts = FrameParts::new();
        parts.push_head(&F::quick_ack_bytes(token));
        Ok(parts)
    }
}

/// Reads the frames of the transport whose rules are `F`; each transport
/// module names it `Decoder`.
#[derive(Debug, Clone)]
pub struct Decoder<F> {
    core: DecoderCore,
    framing: F,
}

impl<F: ReadFrame> Decoder<F> {
    /// The framing rules and their state.
    pub(crate) fn framing(&self) -> &F {
        &self.framing
    }

    /// Expects no first bytes: inside obfuscation the protocol tag in the
    /// 64-byte header replaces them.
    pub(crate) fn unprefixed(mut self) -> Self {
        self.core.prefix = &[];
        self
    }

    /// Sets the largest payload accepted (for padded intermediate, padding
    /// included; for full, the 12 framing bytes not counted); a longer
    /// claimed length is an error as soon as the header is in.
    pub fn with_max_packet_len(mut self, max: usize) -> Self {
        self.core.max_packet_len = max;
        self
    }
}

impl<F: ReadFrame + Default> Decoder<F> {
    /// A decoder for the given side, with [`DEFAULT_MAX_PACKET_LEN`].
    pub fn new(side: Side) -> Self {
        Self {
            core: DecoderCore::new(side, F::KIND),
            framing: F::default(),
        }
    }

    /// A client decoder: reads what a server sends.
    pub fn client() -> Self {
        Self::new(Side::Client)
    }

    /// A server decoder: expects the transport's first bytes, if it has
    /// any, before the first frame.
    pub fn server() -> Self {
        Self::new(Side::Server)
    }
}

impl<F: ReadFrame> Decode for Decoder<F> {
    fn side(&self) -> Side {
        self.core.side
    }

    #[inline]
    fn decode<'a>(&mut self, input: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        let framing = &mut self.framing;
        self.core.run(input, |core, input, offset| {
            framing.read(core, input, offset)
        })
    }
}

/// The state every decoder shares: the first bytes a server must see, the
/// stream position for error offsets, the limit, and the sticky failure.
#[derive(Debug, Clone)]
pub struct DecoderCore {
    pub(crate) side: Side,
    max_packet_len: usize,
    transport: Kind,
    /// First bytes still expected; empty once seen, or for clients and full.
    prefix: &'static [u8],
    position: u64,
    failed: Option<TransportError>,
}

impl DecoderCore {
    fn new(side: Side, transport: Kind) -> Self {
        Self {
            side,
            max_packet_len: DEFAULT_MAX_PACKET_LEN,
            transport,
            prefix: if side == Side::Server {
                transport.prefix()
            } else {
                &[]
            },
            position: 0,
            failed: None,
        }
    }

    /// Runs `body` on the input after any first bytes still expected, with
    /// the stream offset of its first byte, and does the bookkeeping shared
    /// by all transports: prefix check, offsets, sticky errors.
    #[inline]
    fn run<'a>(
        &mut self,
        input: &'a [u8],
        body: impl FnOnce(&Self, &'a [u8], u64) -> Reading<'a>,
    ) -> Reading<'a> {
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

    /// [`TransportError::TooLarge`] if a payload of `len` bytes is over the
    /// limit.
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

    /// The packet after a `header` of that many bytes claiming `len` bytes
    /// of payload: refused if over the limit (before the body is awaited),
    /// awaited until complete, then checked for a server's error code.
    #[inline]
    pub(crate) fn packet<'a>(
        &self,
        input: &'a [u8],
        offset: u64,
        header: usize,
        len: u64,
        quick_ack: bool,
        padded: bool,
    ) -> Reading<'a> {
        if let Some(err) = self.too_large(offset, len) {
            return Err(err);
        }
        // The limit check above keeps `len` within usize.
        let total = header + len as usize;
        let Some(payload) = input.get(header..total) else {
            return Ok(Decoded::NeedMore(total - input.len()));
        };
        self.check_server_error(payload, offset, padded)?;
        Ok(Decoded::Frame {
            frame: Frame::Packet { payload, quick_ack },
            consumed: total,
        })
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
