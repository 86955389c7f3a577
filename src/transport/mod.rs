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
//! Each module's `Encoder` and `Decoder` name one generic driver, which does
//! what all transports share (first bytes, checks, limits, offsets, sticky
//! errors), applied to that transport's framing rules ([`abridged::Abridged`],
//! [`intermediate::Intermediate`], [`padded::Padding`] and [`padded::Padded`],
//! [`full::Full`]). The driver is generic, not `dyn`, so every transport
//! keeps its own inlined code.
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
mod error;
mod frame;
mod framing;
pub mod full;
pub mod intermediate;
mod kind;
pub mod mtproxy;
pub mod obfuscated;
pub mod padded;
mod stream;

pub use error::{EncodeError, TransportError};
pub use frame::{Decode, Decoded, Encode, Frame, FrameParts};
pub use framing::DEFAULT_MAX_PACKET_LEN;
pub use kind::{Detected, Kind};
pub use stream::StreamDecoder;

/// Re-exported from the crate root, where the other layers take it from.
pub use crate::Side;

use frame::Out;
use framing::{le32, DecoderCore, ReadFrame, Reading, WriteFrame, QUICK_ACK_BIT};
