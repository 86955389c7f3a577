//! tokio-util codecs for obfuscated transports (feature `tokio`).

use std::io;

use aes::cipher::StreamCipher;
use bytes::{Buf, Bytes, BytesMut};

use super::header::Cipher;
use super::{Decoder, Encoder, Obfuscation, ObfuscationError};
use crate::random::RandomSource;
use crate::transport::{
    Decode, Decoded, Encode, EncodeError, Frame, FrameParts, Kind, TransportError,
};

/// An obfuscated transport as one tokio-util codec, for a client (from
/// [`Obfuscation::into_client`]) or a server whose transport is known
/// (from [`Obfuscation::into_server`]); [`ServerCodec`] learns it from the
/// header instead.
///
/// Incoming bytes are decrypted in `Framed`'s read buffer, each exactly
/// once: the stream advances by the bytes that arrived, not by what a
/// frame used, so partial reads of any size keep it in step.
///
/// ```
/// use mtproto::random::SplitMix64;
/// use mtproto::transport::obfuscated::{Codec, Obfuscation};
/// use mtproto::transport::{abridged, Kind};
///
/// let (obfuscation, header) = Obfuscation::client(&mut SplitMix64::new(1), Kind::Abridged, Some(2), None);
/// let (encoder, decoder) = obfuscation
///     .into_client(header, abridged::Encoder::client(), abridged::Decoder::client())
///     .unwrap();
/// let codec = Codec::new(encoder, decoder);
/// // tokio_util::codec::Framed::new(tcp_stream, codec)
/// # let _ = codec;
/// ```
pub struct Codec<E, D> {
    encoder: Encoder<E>,
    decoder: D,
    rx: Cipher,
    /// The first `decrypted` bytes of the read buffer are already
    /// decrypted: what arrived since the last call is after them.
    decrypted: usize,
}

impl<E: Encode, D: Decode> Codec<E, D> {
    /// Pairs the two halves. The decoder's own buffer is dropped: give one
    /// that has not been fed.
    pub fn new(encoder: Encoder<E>, decoder: Decoder<D>) -> Self {
        let Decoder { stream, rx } = decoder;
        Self {
            encoder,
            decoder: stream.into_inner(),
            rx,
            decrypted: 0,
        }
    }

    /// The encoder.
    pub fn encoder(&self) -> &Encoder<E> {
        &self.encoder
    }

    /// The inner transport's decoder.
    pub fn decoder(&self) -> &D {
        &self.decoder
    }
}

/// What the obfuscated codecs report.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The client's header was refused, or ended early.
    #[error(transparent)]
    Obfuscation(#[from] ObfuscationError),
    /// The incoming stream is malformed, or the server sent a transport
    /// error code.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// An outgoing frame could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A server cannot send before the client's header told it the
    /// transport.
    #[error("obfuscated2: nothing can be sent before the client's header has arrived")]
    HeaderPending,
    /// The underlying stream failed, or the read buffer lost bytes the codec
    /// had decrypted and not consumed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl<E, D: Decode> tokio_util::codec::Decoder for Codec<E, D> {
    type Item = Frame<Bytes>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<Bytes>>, CodecError> {
        let Some(fresh) = src.get_mut(self.decrypted..) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "obfuscated2: the read buffer shrank under the codec",
            )
            .into());
        };
        self.rx.apply_keystream(fresh);
        self.decrypted = src.len();
        let (frame, consumed) = match self.decoder.decode(src)? {
            Decoded::NeedMore(_) => return Ok(None),
            Decoded::Frame { frame, consumed } => (
                frame.map(|payload| {
                    let start = payload.as_ptr() as usize - src.as_ptr() as usize;
                    start..start + payload.len()
                }),
                consumed,
            ),
        };
        self.decrypted -= consumed;
        let mut taken = src.split_to(consumed);
        Ok(Some(frame.map(|range| {
            taken.advance(range.start);
            taken.truncate(range.len());
            taken.freeze()
        })))
    }
}

impl<E: Encode, D> Codec<E, D> {
    fn put(&mut self, parts: &FrameParts, payload: &[u8], dst: &mut BytesMut) {
        dst.reserve(64 + parts.overhead() + payload.len());
        if let Some(header) = self.encoder.take_header() {
            dst.extend_from_slice(&header);
        }
        let start = dst.len();
        dst.extend_from_slice(parts.head());
        dst.extend_from_slice(payload);
        dst.extend_from_slice(parts.tail());
        self.encoder.encrypt(&mut dst[start..]);
    }
}

/// Sends a frame: a packet (optionally asking for a quick ack, client only)
/// or a quick-ack token (server only).
impl<E: Encode, D, P: AsRef<[u8]>> tokio_util::codec::Encoder<Frame<P>> for Codec<E, D> {
    type Error = CodecError;

    fn encode(&mut self, item: Frame<P>, dst: &mut BytesMut) -> Result<(), CodecError> {
        match item {
            Frame::Packet { payload, quick_ack } => {
                let payload = payload.as_ref();
                let parts = self.encoder.inner.frame(payload, quick_ack)?;
                self.put(&parts, payload, dst);
            }
            Frame::QuickAck(token) => {
                let parts = self.encoder.inner.quick_ack(token)?;
                self.put(&parts, &[], dst);
            }
        }
        Ok(())
    }
}

/// Boxed halves of the transport the header names.
type Boxed = Codec<Box<dyn Encode + Send>, Box<dyn Decode + Send>>;

/// The accepting side as one codec: reads the client's 64-byte header,
/// refuses it or learns the transport and dc id from it, then works as
/// [`Codec`] over that transport.
///
/// ```
/// use mtproto::random::SplitMix64;
/// use mtproto::transport::obfuscated::ServerCodec;
///
/// let codec = ServerCodec::new(None, SplitMix64::new(1)); // a CSPRNG in production
/// // tokio_util::codec::Framed::new(tcp_stream, codec)
/// # let _ = codec;
/// ```
pub struct ServerCodec<R> {
    secret: Option<[u8; 16]>,
    rng: Option<R>,
    ready: Option<(Boxed, Kind, Option<i16>)>,
    failed: Option<ObfuscationError>,
}

impl<R: RandomSource + Send + 'static> ServerCodec<R> {
    /// A server expecting headers made with `secret` (an MTProxy secret's
    /// key bytes) or without one; `rng` pads the padded intermediate
    /// transport's answers.
    pub fn new(secret: Option<[u8; 16]>, rng: R) -> Self {
        Self {
            secret,
            rng: Some(rng),
            ready: None,
            failed: None,
        }
    }

    /// The transport and dc id from the client's header, once it arrived.
    pub fn accepted(&self) -> Option<(Kind, Option<i16>)> {
        self.ready.as_ref().map(|(_, kind, dc)| (*kind, *dc))
    }

    fn codec(&mut self, src: &mut BytesMut) -> Result<Option<&mut Boxed>, CodecError> {
        if let Some(err) = &self.failed {
            return Err(err.clone().into());
        }
        if self.ready.is_none() {
            let Some(header) = src.get(..64) else {
                return Ok(None);
            };
            let header: &[u8; 64] = header.try_into().expect("64 bytes");
            let (obfuscation, kind, dc_id) = match Obfuscation::server(header, self.secret.as_ref())
            {
                Ok(accepted) => accepted,
                Err(err) => {
                    self.failed = Some(err.clone());
                    return Err(err.into());
                }
            };
            src.advance(64);
            let rng = self.rng.take().expect("taken once, with the header");
            let (encoder, decoder) = obfuscation.into_server_boxed(rng);
            self.ready = Some((Codec::new(encoder, decoder), kind, dc_id));
        }
        Ok(self.ready.as_mut().map(|(codec, ..)| codec))
    }
}

impl<R: RandomSource + Send + 'static> tokio_util::codec::Decoder for ServerCodec<R> {
    type Item = Frame<Bytes>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<Bytes>>, CodecError> {
        match self.codec(src)? {
            Some(codec) => codec.decode(src),
            None => Ok(None),
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame<Bytes>>, CodecError> {
        if self.ready.is_none() && self.failed.is_none() && !src.is_empty() && src.len() < 64 {
            let err = ObfuscationError::TruncatedHeader { got: src.len() };
            self.failed = Some(err.clone());
            return Err(err.into());
        }
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() => Ok(None),
            None => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "obfuscated2: the stream ended inside a frame",
            )
            .into()),
        }
    }
}

impl<R, P: AsRef<[u8]>> tokio_util::codec::Encoder<Frame<P>> for ServerCodec<R> {
    type Error = CodecError;

    fn encode(&mut self, item: Frame<P>, dst: &mut BytesMut) -> Result<(), CodecError> {
        match &mut self.ready {
            Some((codec, ..)) => codec.encode(item, dst),
            None => Err(CodecError::HeaderPending),
        }
    }
}
