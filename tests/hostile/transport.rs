//! Transports: every decoder of the four framings.

use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Frame, Kind, TransportError,
};

use mtproto_test_support::hex::{cat, le32};

fn decode_err(decoder: &mut dyn Decode, input: &[u8]) -> TransportError {
    decoder.decode(input).expect_err("hostile stream must fail")
}

#[test]
fn transports() {
    // abridged server: the first byte is not 0xef.
    assert_eq!(
        decode_err(&mut abridged::Decoder::server(), &[0xee, 1, 0, 0, 0]),
        TransportError::BadPrefix {
            transport: Kind::Abridged,
            expected: abridged::PREFIX,
            offset: 0,
            found: 0xee
        }
    );
    // abridged: an empty packet.
    assert_eq!(
        decode_err(&mut abridged::Decoder::client(), &[0]),
        TransportError::BadLength {
            transport: Kind::Abridged,
            offset: 0,
            len: 0,
            reason: "empty packet"
        }
    );
    // abridged: a long length over the limit, refused from the header.
    assert_eq!(
        decode_err(
            &mut abridged::Decoder::server().with_max_packet_len(1024),
            &[0xef, 0x7f, 0x01, 0x01, 0x00]
        ),
        TransportError::TooLarge {
            transport: Kind::Abridged,
            offset: 1,
            len: 0x101 * 4,
            max: 1024
        }
    );
    // intermediate: a length that is not a multiple of 4.
    assert_eq!(
        decode_err(&mut intermediate::Decoder::client(), &[6, 0, 0, 0]),
        TransportError::BadLength {
            transport: Kind::Intermediate,
            offset: 0,
            len: 6,
            reason: "not a multiple of 4"
        }
    );
    // intermediate: a server's -404 in the second packet.
    let mut stream = cat(&[&le32(4), &[1, 2, 3, 4], &le32(4)]);
    stream.extend_from_slice(&(-404i32).to_le_bytes());
    let mut dec = intermediate::Decoder::client();
    let Decoded::Frame { consumed, .. } = dec.decode(&stream).unwrap() else {
        panic!("the first packet is complete")
    };
    assert_eq!(
        decode_err(&mut dec, &stream[consumed..]),
        TransportError::Server {
            code: -404,
            offset: 8
        }
    );
    // Errors are final: the same error again, even on good input.
    assert_eq!(
        decode_err(&mut dec, &cat(&[&le32(4), &[0; 4]])),
        TransportError::Server {
            code: -404,
            offset: 8
        }
    );
    // intermediate server: garbage in the third byte of the prefix is
    // refused before the prefix is complete.
    assert_eq!(
        decode_err(&mut intermediate::Decoder::server(), &[0xee, 0xee, 0x00]),
        TransportError::BadPrefix {
            transport: Kind::Intermediate,
            expected: intermediate::PREFIX,
            offset: 2,
            found: 0
        }
    );
    // intermediate: 2^31 - 4 bytes claimed (the quick-ack bit is clear).
    assert_eq!(
        decode_err(&mut intermediate::Decoder::client(), &le32(0x7fff_fffc)),
        TransportError::TooLarge {
            transport: Kind::Intermediate,
            offset: 0,
            len: 0x7fff_fffc,
            max: mtproto::transport::DEFAULT_MAX_PACKET_LEN
        }
    );
    // padded: a length below 4.
    assert_eq!(
        decode_err(&mut padded::Decoder::client(), &[3, 0, 0, 0, 1, 2, 3]),
        TransportError::BadLength {
            transport: Kind::PaddedIntermediate,
            offset: 0,
            len: 3,
            reason: "shorter than 4 bytes"
        }
    );
    // padded: -429 followed by 5 bytes of padding.
    let stream = cat(&[&le32(9), &(-429i32).to_le_bytes(), &[0xaa; 5]]);
    assert_eq!(
        decode_err(&mut padded::Decoder::client(), &stream),
        TransportError::Server {
            code: -429,
            offset: 0
        }
    );
    // full: a length below the 16-byte minimum.
    assert_eq!(
        decode_err(&mut full::Decoder::client(), &le32(12)),
        TransportError::BadLength {
            transport: Kind::Full,
            offset: 0,
            len: 12,
            reason: "shorter than 16 bytes (length, seq, crc32 and a payload)"
        }
    );
    // full: a wrong crc32.
    let mut frame = cat(&[&le32(16), &le32(0), &[1, 2, 3, 4]]);
    let crc = crc32fast::hash(&frame);
    frame.extend_from_slice(&(crc ^ 1).to_le_bytes());
    assert_eq!(
        decode_err(&mut full::Decoder::client(), &frame),
        TransportError::CrcMismatch {
            offset: 0,
            expected: crc ^ 1,
            computed: crc
        }
    );
    // full: the second packet repeats seq 0.
    let mut packet = cat(&[&le32(16), &le32(0), &[1, 2, 3, 4]]);
    packet.extend_from_slice(&crc32fast::hash(&packet).to_le_bytes());
    let mut dec = full::Decoder::client();
    assert!(matches!(
        dec.decode(&packet),
        Ok(Decoded::Frame { consumed: 16, .. })
    ));
    assert_eq!(
        decode_err(&mut dec, &packet),
        TransportError::SeqMismatch {
            offset: 16,
            expected: 1,
            found: 0
        }
    );
    // full: a payload over the limit (the length counts 12 framing bytes).
    assert_eq!(
        decode_err(
            &mut full::Decoder::server().with_max_packet_len(64),
            &le32(12 + 68)
        ),
        TransportError::TooLarge {
            transport: Kind::Full,
            offset: 0,
            len: 68,
            max: 64
        }
    );
    // A quick-ack token is not an error on the client side of abridged.
    assert_eq!(
        abridged::Decoder::client().decode(&[0x80, 0, 0, 1]),
        Ok(Decoded::Frame {
            frame: Frame::QuickAck(0x8000_0001),
            consumed: 4
        })
    );
}
