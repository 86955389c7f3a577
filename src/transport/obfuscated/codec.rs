//! [`Encoder`] and [`Decoder`]: an inner transport with the obfuscation
//! around it, for either side.

use std::fmt;

use aes::cipher::StreamCipher;

use super::header::Cipher;
use super::{Obfuscation, ObfuscationError};
use crate::random::RandomSource;
use crate::transport::framing::{self, ReadFrame, WriteFrame};
use crate::transport::{
    abridged, intermediate, padded, Decode, Encode, EncodeError, Frame, Kind, Side, StreamDecoder,
    TransportError,
};

/// An inner transport the obfuscation can wrap: the encoders and decoders
/// of [`abridged`], [`intermediate`] and [`padded`] (the full transport's
/// are refused when wrapped). Sealed: it needs the transports' internals.
pub trait Wrap: Sized {
    /// The transport.
    fn kind(&self) -> Kind;
    /// The same transport without the connection's first bytes, which the
    /// header's tag replaces.
    #[doc(hidden)]
    fn unprefixed(self) -> Self;
}

impl<F: WriteFrame> Wrap for framing::Encoder<F> {
    fn kind(&self) -> Kind {
        F::KIND
    }
    fn unprefixed(self) -> Self {
        framing::Encoder::unprefixed(self)
    }
}

impl<F: ReadFrame> Wrap for framing::Decoder<F> {
    fn kind(&self) -> Kind {
        F::KIND
    }
    fn unprefixed(self) -> Self {
        framing::Decoder::unprefixed(self)
    }
}

/// A server's encoder for a transport known only at run time.
pub type BoxedEncoder = Encoder<Box<dyn Encode + Send>>;

/// A server's decoder for a transport known only at run time.
pub type BoxedDecoder = Decoder<Box<dyn Decode + Send>>;

impl Obfuscation {
    /// The client's encoder and decoder: `encoder` and `decoder` are the
    /// inner transport's, of the kind given to [`client`](Self::client);
    /// `header` is the one it returned, which the encoder sends before the
    /// first frame.
    pub fn into_client<E: Encode + Wrap, D: Decode + Wrap>(
        self,
        header: [u8; 64],
        encoder: E,
        decoder: D,
    ) -> Result<(Encoder<E>, Decoder<D>), ObfuscationError> {
        self.wrap(Side::Client, Some(header), encoder, decoder)
    }

    /// The server's encoder and decoder around the inner transport's, of
    /// the kind [`server`](Self::server) found. The decoder is fed what
    /// follows the 64-byte header.
    pub fn into_server<E: Encode + Wrap, D: Decode + Wrap>(
        self,
        encoder: E,
        decoder: D,
    ) -> Result<(Encoder<E>, Decoder<D>), ObfuscationError> {
        self.wrap(Side::Server, None, encoder, decoder)
    }

    /// [`into_client`](Self::into_client) for a transport chosen at run
    /// time: the encoder and decoder of the kind given to
    /// [`client`](Self::client), boxed. `rng` pads the padded intermediate
    /// transport and is unused otherwise.
    pub fn into_client_boxed<R: RandomSource + Send + 'static>(
        self,
        header: [u8; 64],
        rng: R,
    ) -> (BoxedEncoder, BoxedDecoder) {
        self.boxed(Side::Client, Some(header), rng)
    }

    /// [`into_server`](Self::into_server) for a transport known only at run
    /// time: the encoder and decoder of the header's kind, boxed. `rng`
    /// pads the padded intermediate transport and is unused otherwise.
    pub fn into_server_boxed<R: RandomSource + Send + 'static>(
        self,
        rng: R,
    ) -> (BoxedEncoder, BoxedDecoder) {
        self.boxed(Side::Server, None, rng)
    }

    fn boxed<R: RandomSource + Send + 'static>(
        self,
        side: Side,
        header: Option<[u8; 64]>,
        rng: R,
    ) -> (BoxedEncoder, BoxedDecoder) {
        let (encoder, decoder): (Box<dyn Encode + Send>, Box<dyn Decode + Send>) = match self.kind {
            Kind::Abridged => (
                Box::new(abridged::Encoder::new(side).unprefixed()),
                Box::new(abridged::Decoder::new(side).unprefixed()),
            ),
            Kind::Intermediate => (
                Box::new(intermediate::Encoder::new(side).unprefixed()),
                Box::new(intermediate::Decoder::new(side).unprefixed()),
            ),
            // `client` and `server` only yield the three tagged kinds.
            Kind::PaddedIntermediate | Kind::Full => (
                Box::new(padded::Encoder::new(side, rng).unprefixed()),
                Box::new(padded::Decoder::new(side).unprefixed()),
            ),
        };
        let Obfuscation { tx, rx, .. } = self;
        (
            Encoder {
                inner: encoder,
                tx,
                header,
            },
            Decoder {
                stream: StreamDecoder::new(decoder),
                rx,
            },
        )
    }

    fn wrap<E: Encode + Wrap, D: Decode + Wrap>(
        self,
        role: Side,
        header: Option<[u8; 64]>,
        encoder: E,
        decoder: D,
    ) -> Result<(Encoder<E>, Decoder<D>), ObfuscationError> {
        for given in [encoder.kind(), decoder.kind()] {
            if given == Kind::Full {
                return Err(ObfuscationError::FullTransport);
            }
            if given != self.kind {
                return Err(ObfuscationError::KindMismatch {
                    header: self.kind,
                    given,
                });
            }
        }
        for found in [encoder.side(), decoder.side()] {
            if found != role {
                return Err(ObfuscationError::WrongSide { role, found });
            }
        }
        let Obfuscation { tx, rx, .. } = self;
        Ok((
            Encoder {
                inner: encoder.unprefixed(),
                tx,
                header,
            },
            Decoder {
                stream: StreamDecoder::new(decoder.unprefixed()),
                rx,
            },
        ))
    }
}

/// Writes an inner transport's frames through the outgoing stream; a
/// client's encoder sends the 64-byte header first.
///
/// Unlike plain transports this has no `frame` that leaves the payload out:
/// the payload must be encrypted, so it is copied into `out` once and
/// encrypted there.
pub struct Encoder<E> {
    pub(super) inner: E,
    tx: Cipher,
    header: Option<[u8; 64]>,
}

impl<E: Encode> Encoder<E> {
    /// Appends one framed, encrypted packet (after the header, the first
    /// time on a client). On error nothing is written and nothing of the
    /// stream is used.
    #[inline]
    pub fn encode_packet(
        &mut self,
        payload: &[u8],
        quick_ack: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let start = out.len();
        self.inner.encode_packet(payload, quick_ack, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Appends a quick-acknowledgment token (server only).
    pub fn encode_quick_ack(&mut self, token: u32, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = out.len();
        self.inner.encode_quick_ack(token, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Appends a transport error packet such as -404 (server only).
    pub fn encode_transport_error(
        &mut self,
        code: i32,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let start = out.len();
        self.inner.encode_transport_error(code, out)?;
        self.seal(out, start);
        Ok(())
    }

    /// Whether the header is still to be sent (a client before its first
    /// frame).
    pub fn header_pending(&self) -> bool {
        self.header.is_some()
    }

    /// The inner transport's encoder.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The header if still owed (taken: it is sent once), for a writer
    /// that frames into its own buffer.
    #[cfg(feature = "tokio")]
    pub(super) fn take_header(&mut self) -> Option<[u8; 64]> {
        self.header.take()
    }

    /// Encrypts outgoing bytes written by other means than `out` above.
    #[cfg(feature = "tokio")]
    #[inline]
    pub(super) fn encrypt(&mut self, bytes: &mut [u8]) {
        self.tx.apply_keystream(bytes);
    }

    /// Encrypts what the inner encoder appended from `start` on, and puts
    /// the header before it the first time.
    #[inline]
    fn seal(&mut self, out: &mut Vec<u8>, start: usize) {
        self.tx.apply_keystream(&mut out[start..]);
        if let Some(header) = self.header.take() {
            // Once per connection; the header's stream bytes were used when
            // it was made, so it goes in front unencrypted.
            out.splice(start..start, header);
        }
    }
}

impl<E> fmt::Debug for Encoder<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("obfuscated::Encoder")
            .field("header_pending", &self.header.is_some())
            .finish_non_exhaustive()
    }
}

/// Reads an inner transport's frames from the incoming stream, with its
/// own receive buffer (as [`StreamDecoder`]).
///
/// Bytes are decrypted once, as they arrive, in the buffer: the stream
/// advances by exactly the bytes received, however they are split, and
/// reads through [`read_buf`](Self::read_buf) land there without a copy.
/// A server's decoder gets the bytes after the 64-byte header.
pub struct Decoder<D> {
    pub(super) stream: StreamDecoder<D>,
    pub(super) rx: Cipher,
}

impl<D: Decode> Decoder<D> {
    /// Appends received bytes, decrypting them as they are copied in (one
    /// pass over them, not a copy and then a decryption).
    pub fn feed(&mut self, bytes: &[u8]) {
        let room = &mut self.stream.read_buf(bytes.len())[..bytes.len()];
        self.rx
            .apply_keystream_b2b(bytes, room)
            .expect("equal lengths");
        self.stream.filled(bytes.len());
    }

    /// Room for at least `min` more bytes at the end of the buffer, for a
    /// read to write into; then call [`filled`](Self::filled).
    pub fn read_buf(&mut self, min: usize) -> &mut [u8] {
        self.stream.read_buf(min)
    }

    /// Marks the first `n` bytes of the room from the last
    /// [`read_buf`](Self::read_buf) as received, and decrypts them.
    ///
    /// # Panics
    /// If `n` is more than that room.
    pub fn filled(&mut self, n: usize) {
        self.stream.filled(n);
        self.rx.apply_keystream(self.stream.last_received_mut(n));
    }

    /// The next complete frame, or `None` until more bytes arrive.
    #[inline]
    pub fn next_frame(&mut self) -> Result<Option<Frame<&[u8]>>, TransportError> {
        self.stream.next_frame()
    }

    /// How many more bytes the last `next_frame` that returned `None` asked
    /// for, minus what arrived since.
    pub fn needed(&self) -> usize {
        self.stream.needed()
    }

    /// Bytes received and not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.stream.buffered()
    }

    /// The inner transport's decoder.
    pub fn inner(&self) -> &D {
        self.stream.decoder()
    }
}

impl<D> fmt::Debug for Decoder<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("obfuscated::Decoder")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;

    fn pair(kind: Kind) -> (Obfuscation, [u8; 64]) {
        Obfuscation::client(&mut SplitMix64::new(5), kind, Some(2), None)
    }

    #[test]
    fn wrong_kind_side_and_full_are_refused() {
        let (obf, header) = pair(Kind::Intermediate);
        let err = obf
            .into_client(
                header,
                abridged::Encoder::client(),
                abridged::Decoder::client(),
            )
            .unwrap_err();
        assert_eq!(
            err,
            ObfuscationError::KindMismatch {
                header: Kind::Intermediate,
                given: Kind::Abridged
            }
        );
        let (obf, header) = pair(Kind::Intermediate);
        let err = obf
            .into_client(
                header,
                intermediate::Encoder::server(),
                intermediate::Decoder::client(),
            )
            .unwrap_err();
        assert_eq!(
            err,
            ObfuscationError::WrongSide {
                role: Side::Client,
                found: Side::Server
            }
        );
        let (obf, header) = pair(Kind::Abridged);
        let err = obf
            .into_client(
                header,
                crate::transport::full::Encoder::client(),
                crate::transport::full::Decoder::client(),
            )
            .unwrap_err();
        assert_eq!(err, ObfuscationError::FullTransport);
    }

    #[test]
    fn failed_encode_writes_nothing_and_keeps_the_header() {
        let (obf, header) = pair(Kind::Intermediate);
        let (mut enc, _) = obf
            .into_client(
                header,
                intermediate::Encoder::client(),
                intermediate::Decoder::client(),
            )
            .unwrap();
        let mut out = Vec::new();
        assert!(enc.encode_packet(&[1, 2, 3], false, &mut out).is_err());
        assert!(out.is_empty());
        assert!(enc.header_pending());
        enc.encode_packet(&[1, 2, 3, 4], false, &mut out).unwrap();
        assert_eq!(&out[..64], &header);
        assert_eq!(out.len(), 64 + 8, "no plain ee ee ee ee inside");
    }

    /// The boxed server reads what each typed client writes, byte by byte,
    /// and its answers read back.
    #[test]
    fn boxed_server_talks_to_every_kind() {
        macro_rules! check {
            ($kind:expr, $enc:expr, $dec:expr) => {{
                let mut rng = SplitMix64::new(11);
                let (client, header) = Obfuscation::client(&mut rng, $kind, None, None);
                let (mut client_tx, mut client_rx) = client.into_client(header, $enc, $dec).unwrap();
                let mut wire = Vec::new();
                client_tx.encode_packet(&[7; 8], true, &mut wire).unwrap();
                client_tx.encode_packet(&[8; 12], false, &mut wire).unwrap();
                let (server, found, _) =
                    Obfuscation::server(wire[..64].try_into().unwrap(), None).unwrap();
                assert_eq!(found, $kind);
                let (mut server_tx, mut server_rx) = server.into_server_boxed(SplitMix64::new(2));
                for byte in &wire[64..] {
                    server_rx.feed(std::slice::from_ref(byte));
                }
                // Padded packets carry their padding after the payload.
                let first = server_rx.next_frame().unwrap().unwrap();
                assert!(
                    matches!(first, Frame::Packet { payload, quick_ack: true } if payload.starts_with(&[7; 8])),
                    "{first:?}"
                );
                let payload = server_rx.next_frame().unwrap().unwrap();
                assert!(matches!(payload, Frame::Packet { payload, .. } if payload.starts_with(&[8; 12])));
                let mut back = Vec::new();
                server_tx.encode_quick_ack(0x8000_0042, &mut back).unwrap();
                server_tx.encode_transport_error(-404, &mut back).unwrap();
                client_rx.feed(&back);
                assert_eq!(client_rx.next_frame().unwrap(), Some(Frame::QuickAck(0x8000_0042)));
                assert_eq!(client_rx.next_frame().unwrap_err().server_code(), Some(-404));
            }};
        }
        check!(
            Kind::Abridged,
            abridged::Encoder::client(),
            abridged::Decoder::client()
        );
        check!(
            Kind::Intermediate,
            intermediate::Encoder::client(),
            intermediate::Decoder::client()
        );
        check!(
            Kind::PaddedIntermediate,
            padded::Encoder::client(SplitMix64::new(4)),
            padded::Decoder::client()
        );
    }
}
