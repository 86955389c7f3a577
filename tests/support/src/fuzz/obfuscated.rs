//! Target `obfuscated`: the server side of obfuscated2 on any bytes: the
//! 64-byte header, then the stream through the transport it names, fed in
//! pieces; and the bytes as a pasted MTProxy secret.

use mtproto::random::SplitMix64;
use mtproto::transport::mtproxy::Secret;
use mtproto::transport::obfuscated::Obfuscation;
use mtproto::transport::{Detected, Frame, Kind, TransportError};

use crate::counting::bounded;

/// The key the seeds' headers are made with when the first byte is odd.
pub const OBFUSCATED_SECRET: [u8; 16] = [0x5e; 16];

/// The first byte picks the secret (bit 0) and the piece size (the rest,
/// plus one); after it come the header and the stream.
pub fn obfuscated(data: &[u8]) {
    bounded("obfuscated", 64 * data.len() + (16 << 10), || {
        if let Ok(text) = std::str::from_utf8(data) {
            // Any text: a secret or a typed error, never a panic.
            let _ = text.parse::<Secret>();
        }
        let Some((&choice, rest)) = data.split_first() else {
            return;
        };
        let secret = (choice & 1 == 1).then_some(&OBFUSCATED_SECRET);
        let piece = usize::from(choice >> 1) + 1;
        let Some(header) = rest.get(..64) else {
            return;
        };
        let header: &[u8; 64] = header.try_into().expect("64 bytes");
        let Ok((_, kind, _)) = Obfuscation::server(header, secret) else {
            return;
        };
        // Every header a server accepts is told apart from the plain
        // transports.
        assert_eq!(Kind::detect_obfuscated(rest), Detected::Obfuscated);
        let stream = &rest[64..];
        // The frames do not depend on how the stream is split.
        let whole = run(header, secret, kind, &[stream]);
        let pieces: Vec<&[u8]> = stream.chunks(piece).collect();
        assert_eq!(
            run(header, secret, kind, &pieces),
            whole,
            "split into {piece}-byte pieces"
        );
    });
}

fn run(
    header: &[u8; 64],
    secret: Option<&[u8; 16]>,
    kind: Kind,
    pieces: &[&[u8]],
) -> (Vec<Frame<Vec<u8>>>, Result<(), TransportError>) {
    let (obfuscation, again, _) = Obfuscation::server(header, secret).expect("accepted once");
    assert_eq!(again, kind);
    let (_, mut rx) = obfuscation.into_server_boxed(SplitMix64::new(0));
    let mut frames = Vec::new();
    for piece in pieces {
        rx.feed(piece);
        loop {
            match rx.next_frame() {
                Ok(Some(frame)) => frames.push(frame.map(<[u8]>::to_vec)),
                Ok(None) => break,
                Err(err) => return (frames, Err(err)),
            }
        }
    }
    (frames, Ok(()))
}
