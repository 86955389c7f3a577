//! obfuscated2: the transport obfuscation of Telegram clients and MTProxy.
//!
//! A client starts the connection with a 64-byte header drawn at random
//! (see [`Obfuscation::client`]); bytes 8..56 of it are the key and iv of
//! an AES-256-CTR stream for each direction (client to server straight,
//! server to client reversed), and bytes 56..64 travel encrypted and carry
//! the inner transport's tag and the dc id. Everything after the header,
//! the inner transport's framing included (without its first bytes, which
//! the tag replaces), goes through the streams. With an MTProxy secret
//! ([`mtproxy::Secret`](super::mtproxy::Secret)) each key is
//! `SHA256(key || secret)`.
//!
//! The [`Obfuscation`] is the pair of streams; [`Encoder`] and [`Decoder`]
//! wrap an abridged, intermediate or padded intermediate transport with it
//! for either side, and `codec` (feature `tokio`) does the same as a
//! tokio-util codec. The full transport has no tag and is refused.
//!
//! A client and a server, in memory:
//!
//! ```
//! use mtproto::random::SplitMix64;
//! use mtproto::transport::obfuscated::Obfuscation;
//! use mtproto::transport::{intermediate, Detected, Frame, Kind};
//!
//! let mut rng = SplitMix64::new(1); // use a CSPRNG in production
//! let (obfuscation, header) = Obfuscation::client(&mut rng, Kind::Intermediate, Some(2), None);
//! let (mut client_tx, mut client_rx) = obfuscation
//!     .into_client(header, intermediate::Encoder::client(), intermediate::Decoder::client())
//!     .unwrap();
//! let mut wire = Vec::new();
//! client_tx.encode_packet(&[1, 2, 3, 4], false, &mut wire).unwrap();
//! assert_eq!(&wire[..64], &header[..]);
//!
//! // The server tells an obfuscated connection from the plain ones...
//! assert_eq!(Kind::detect_obfuscated(&wire), Detected::Obfuscated);
//! // ...and learns the transport and the dc id from the header.
//! let (obfuscation, kind, dc_id) = Obfuscation::server(wire[..64].try_into().unwrap(), None).unwrap();
//! assert_eq!((kind, dc_id), (Kind::Intermediate, Some(2)));
//! let (mut server_tx, mut server_rx) = obfuscation
//!     .into_server(intermediate::Encoder::server(), intermediate::Decoder::server())
//!     .unwrap();
//! server_rx.feed(&wire[64..]);
//! assert_eq!(server_rx.next_frame().unwrap(), Some(Frame::packet(&[1u8, 2, 3, 4][..])));
//!
//! let mut back = Vec::new();
//! server_tx.encode_packet(&[5, 6, 7, 8], false, &mut back).unwrap();
//! client_rx.feed(&back);
//! assert_eq!(client_rx.next_frame().unwrap(), Some(Frame::packet(&[5u8, 6, 7, 8][..])));
//! ```

mod codec;
mod error;
mod header;
#[cfg(feature = "tokio")]
mod tokio_codec;

use std::fmt;

use aes::cipher::StreamCipher;

pub use codec::{BoxedDecoder, BoxedEncoder, Decoder, Encoder, Wrap};
pub use error::{ForbiddenStart, ObfuscationError};
#[cfg(feature = "tokio")]
pub use tokio_codec::{Codec, CodecError, ServerCodec};

use crate::random::RandomSource;
use crate::transport::Kind;
use header::Cipher;

/// The two AES-256-CTR streams of one end of an obfuscated connection.
pub struct Obfuscation {
    /// This side's outgoing stream.
    tx: Cipher,
    /// The incoming stream.
    rx: Cipher,
    /// The inner transport the header names.
    kind: Kind,
}

impl Obfuscation {
    /// Draws 64 bytes at a time until the start is allowed; returns the header to send first.
    ///
    /// The tag of `kind` goes to bytes 56..60 and `dc_id` (little-endian;
    /// negative for media DCs) to 60..62; without it bytes 60..64 stay as
    /// drawn. `secret` is an MTProxy secret's 16 key bytes. The outgoing
    /// stream has passed over the header, whose last 8 bytes it encrypted.
    ///
    /// # Panics
    /// If `kind` is [`Kind::Full`], which has no tag; [`try_client`](Self::try_client)
    /// returns the error instead.
    pub fn client(
        rng: &mut impl RandomSource,
        kind: Kind,
        dc_id: Option<i16>,
        secret: Option<&[u8; 16]>,
    ) -> (Self, [u8; 64]) {
        match Self::try_client(rng, kind, dc_id, secret) {
            Ok(client) => client,
            Err(err) => panic!("{err}"),
        }
    }

    /// [`client`](Self::client), with [`ObfuscationError::FullTransport`]
    /// for the full transport instead of a panic.
    pub fn try_client(
        rng: &mut impl RandomSource,
        kind: Kind,
        dc_id: Option<i16>,
        secret: Option<&[u8; 16]>,
    ) -> Result<(Self, [u8; 64]), ObfuscationError> {
        let tag = header::tag(kind)?;
        let mut init = header::draw(rng, tag, dc_id);
        let (mut tx, rx) = header::ciphers(&init, secret);
        let mut encrypted = init;
        tx.apply_keystream(&mut encrypted);
        init[56..].copy_from_slice(&encrypted[56..]);
        Ok((Self { tx, rx, kind }, init))
    }

    /// The accepting side: the client's header in, the inner transport and dc id out.
    ///
    /// The dc id is `None` when bytes 60..62 are zero; a client that sends
    /// none leaves random bytes there, so a server must check the value
    /// against the DCs it serves. A wrong `secret` shows as
    /// [`ObfuscationError::UnknownTag`].
    pub fn server(
        header: &[u8; 64],
        secret: Option<&[u8; 16]>,
    ) -> Result<(Self, Kind, Option<i16>), ObfuscationError> {
        if let Some(start) = header::forbidden(header) {
            return Err(ObfuscationError::ForbiddenStart(start));
        }
        let (mut rx, tx) = header::ciphers(header, secret);
        let mut plain = *header;
        rx.apply_keystream(&mut plain);
        let kind = header::kind_of([plain[56], plain[57], plain[58], plain[59]])?;
        let dc_id = i16::from_le_bytes([plain[60], plain[61]]);
        let dc_id = (dc_id != 0).then_some(dc_id);
        Ok((Self { tx, rx, kind }, kind, dc_id))
    }

    /// Encrypts this side's outgoing stream, in place.
    #[inline]
    pub fn encrypt(&mut self, data: &mut [u8]) {
        self.tx.apply_keystream(data);
    }

    /// Decrypts the incoming stream, in place.
    #[inline]
    pub fn decrypt(&mut self, data: &mut [u8]) {
        self.rx.apply_keystream(data);
    }

    /// The inner transport the header names.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

impl fmt::Debug for Obfuscation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The keystream state is secret.
        f.debug_struct("Obfuscation")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;

    #[test]
    fn client_header_decrypts_to_tag_and_dc_on_the_server() {
        let secret = [7u8; 16];
        for kind in [Kind::Abridged, Kind::Intermediate, Kind::PaddedIntermediate] {
            for (dc, secret) in [
                (Some(-4), None),
                (Some(10002), Some(&secret)),
                (Some(1), None),
            ] {
                let mut rng = SplitMix64::new(9);
                let (mut client, header) = Obfuscation::client(&mut rng, kind, dc, secret);
                let (mut server, found, dc_id) = Obfuscation::server(&header, secret).unwrap();
                assert_eq!((found, dc_id), (kind, dc));
                let mut data = *b"both directions";
                client.encrypt(&mut data);
                assert_ne!(&data, b"both directions");
                server.decrypt(&mut data);
                assert_eq!(&data, b"both directions");
                server.encrypt(&mut data);
                client.decrypt(&mut data);
                assert_eq!(&data, b"both directions");
            }
        }
    }

    #[test]
    fn wrong_secret_is_an_unknown_tag() {
        let mut rng = SplitMix64::new(3);
        let (_, header) = Obfuscation::client(&mut rng, Kind::Abridged, None, Some(&[1; 16]));
        assert!(matches!(
            Obfuscation::server(&header, Some(&[2; 16])),
            Err(ObfuscationError::UnknownTag { .. })
        ));
        assert!(matches!(
            Obfuscation::server(&header, None),
            Err(ObfuscationError::UnknownTag { .. })
        ));
    }

    #[test]
    fn full_is_refused() {
        let mut rng = SplitMix64::new(3);
        assert_eq!(
            Obfuscation::try_client(&mut rng, Kind::Full, None, None).unwrap_err(),
            ObfuscationError::FullTransport
        );
    }
}
