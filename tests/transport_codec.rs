//! The tokio-util codecs over an in-memory duplex pipe (feature `tokio`).
#![cfg(feature = "tokio")]

use bytes::Bytes;
use mtproto::random::SplitMix64;
use mtproto::transport::codec::{Codec, CodecError};
use mtproto::transport::{Decode, Encode, Frame, Kind, Side, TransportError};
use tokio_util::codec::Framed;

use std::future::poll_fn;
use std::pin::Pin;

use futures_core::Stream;
use futures_sink::Sink;

/// `SinkExt::send` without pulling in futures-util.
async fn send<S: Sink<T> + Unpin, T>(sink: &mut S, item: T) -> Result<(), S::Error> {
    poll_fn(|cx| Pin::new(&mut *sink).poll_ready(cx)).await?;
    Pin::new(&mut *sink).start_send(item)?;
    poll_fn(|cx| Pin::new(&mut *sink).poll_flush(cx)).await
}

/// `StreamExt::next` without pulling in futures-util.
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

type Boxed = Codec<Box<dyn Encode + Send>, Box<dyn Decode + Send>>;

fn codec(kind: Kind, side: Side) -> Boxed {
    Codec::new(kind.encoder(side, SplitMix64::new(8)), kind.decoder(side))
}

#[tokio::test]
async fn every_transport_over_framed_duplex() {
    for kind in [
        Kind::Abridged,
        Kind::Intermediate,
        Kind::PaddedIntermediate,
        Kind::Full,
    ] {
        // A tiny pipe capacity forces partial reads and writes.
        let (a, b) = tokio::io::duplex(7);
        let mut client = Framed::new(a, codec(kind, Side::Client));
        let mut server = Framed::new(b, codec(kind, Side::Server));

        let request: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let writer = tokio::spawn(async move {
            send(
                &mut client,
                Frame::Packet {
                    payload: &request[..],
                    quick_ack: true,
                },
            )
            .await
            .unwrap();
            send(&mut client, &[1u8, 2, 3, 4][..]).await.unwrap();
            let mut got = Vec::new();
            for _ in 0..2 {
                got.push(next(&mut client).await.unwrap().unwrap());
            }
            (client, got)
        });

        let first = next(&mut server).await.unwrap().unwrap();
        let Frame::Packet { payload, quick_ack } = first else {
            panic!("{kind:?}: not a packet")
        };
        assert!(quick_ack, "{kind:?}");
        assert_eq!(
            &payload[..600],
            &(0..600u32).map(|i| i as u8).collect::<Vec<_>>()[..]
        );
        let second = next(&mut server).await.unwrap().unwrap();
        assert!(
            matches!(second, Frame::Packet { ref payload, quick_ack: false } if payload[..4] == [1, 2, 3, 4])
        );

        send(&mut server, Frame::<Bytes>::QuickAck(0x8765_4321))
            .await
            .unwrap();
        send(&mut server, Frame::packet(Bytes::from_static(&[9; 8])))
            .await
            .unwrap();
        let (mut client, got) = writer.await.unwrap();
        assert_eq!(got[0], Frame::QuickAck(0x8765_4321), "{kind:?}");
        assert!(
            matches!(&got[1], Frame::Packet { payload, quick_ack: false } if payload[..8] == [9; 8])
        );

        // A transport error ends the client's stream with a typed error.
        // Sent through the server's own codec, whose encoder has state (the
        // full transport's seq).
        let code_packet = (-404i32).to_le_bytes();
        // The pipe holds 7 bytes, so send and receive at the same time.
        let (sent, received) = tokio::join!(send(&mut server, &code_packet[..]), next(&mut client));
        sent.unwrap();
        match received {
            Some(Err(CodecError::Transport(TransportError::Server { code: -404, .. }))) => {}
            other => panic!("{kind:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn encode_errors_surface_through_the_sink() {
    let (a, _b) = tokio::io::duplex(64);
    let mut server = Framed::new(a, codec(Kind::Intermediate, Side::Server));
    let result = send(
        &mut server,
        Frame::Packet {
            payload: &[0u8; 4][..],
            quick_ack: true,
        },
    )
    .await;
    assert!(matches!(result, Err(CodecError::Encode(_))));
}
