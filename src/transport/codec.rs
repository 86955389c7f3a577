//! tokio-util codecs for the transports (feature `tokio`).
//!
//! [`Codec`] pairs any [`Encode`] with any [`Decode`] and implements
//! `tokio_util::codec::{Encoder, Decoder}`, so a transport runs over any
//! `AsyncRead + AsyncWrite` with `Framed`. Decoded payloads are `Bytes`
//! split off the read buffer without copying.
//!
//! ```
//! use mtproto::transport::{codec::Codec, intermediate};
//!
//! let client = Codec::new(intermediate::Encoder::client(), intermediate::Decoder::client());
//! // tokio_util::codec::Framed::new(tcp_stream, client)
//! # let _ = client;
//! ```

use std::io;

use bytes::{Buf, Bytes, BytesMut};

use super::{Decode, Decoded, Encode, EncodeError, Frame, FrameParts, TransportError};

/// A transport's encoder and decoder as one tokio-util codec.
#[derive(Debug, Clone)]
pub struct Codec<E, D> {
    encoder: E,
    decoder: D,
}

impl<E: Encode, D: Decode> Codec<E, D> {
    /// Pairs an encoder and a decoder, normally of one transport and side.
    pub fn new(encoder: E, decoder: D) -> Self {
        Self { encoder, decoder }
    }

    /// The encoder.
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }

    /// Unwraps both halves.
    pub fn into_parts(self) -> (E, D) {
        (self.encoder, self.decoder)
    }
}

/// What a [`Codec`] reports: a transport problem or an I/O error from the
/// underlying stream.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The incoming stream is malformed, or the server sent a transport
    /// error code.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// An outgoing frame could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The underlying stream failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl<E, D: Decode> tokio_util::codec::Decoder for Codec<E, D> {
    type Item = Frame<Bytes>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<Bytes>>, CodecError> {
        let (frame, consumed) = match self.decoder.decode(src)? {
            // Reserving `n` would let a header make us allocate what the
            // peer has not sent; Framed grows the buffer as bytes arrive.
            Decoded::NeedMore(_) => return Ok(None),
            Decoded::Frame { frame, consumed } => {
                // Turn the borrowed payload into a range so the buffer can be
                // split without copying.
                let frame = frame.map(|payload| {
                    let start = payload.as_ptr() as usize - src.as_ptr() as usize;
                    start..start + payload.len()
                });
                (frame, consumed)
            }
        };
        let mut taken = src.split_to(consumed);
        Ok(Some(frame.map(|range| {
            taken.advance(range.start);
            taken.truncate(range.len());
            taken.freeze()
        })))
    }
}

fn put(dst: &mut BytesMut, parts: &FrameParts, payload: &[u8]) {
    dst.reserve(parts.overhead() + payload.len());
    dst.extend_from_slice(parts.head());
    dst.extend_from_slice(payload);
    dst.extend_from_slice(parts.tail());
}

/// Sends a frame: a packet (optionally asking for a quick ack, client only)
/// or a quick-ack token (server only).
impl<E: Encode, D, P: AsRef<[u8]>> tokio_util::codec::Encoder<Frame<P>> for Codec<E, D> {
    type Error = CodecError;

    fn encode(&mut self, item: Frame<P>, dst: &mut BytesMut) -> Result<(), CodecError> {
        match item {
            Frame::Packet { payload, quick_ack } => {
                let payload = payload.as_ref();
                let parts = self.encoder.frame(payload, quick_ack)?;
                put(dst, &parts, payload);
            }
            Frame::QuickAck(token) => {
                let parts = self.encoder.quick_ack(token)?;
                put(dst, &parts, &[]);
            }
        }
        Ok(())
    }
}

/// Sends a packet that asks for no quick ack.
impl<E: Encode, D> tokio_util::codec::Encoder<&[u8]> for Codec<E, D> {
    type Error = CodecError;

    fn encode(&mut self, payload: &[u8], dst: &mut BytesMut) -> Result<(), CodecError> {
        let parts = self.encoder.frame(payload, false)?;
        put(dst, &parts, payload);
        Ok(())
    }
}
