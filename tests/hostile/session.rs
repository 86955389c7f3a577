//! The session: what it refuses of what the server sends.

use mtproto::container::ContainerError;
use mtproto::envelope::{EncryptedPlaintext, EnvelopeError};
use mtproto::gzip::GzipError;
use mtproto::msg_id::UnixTime;
use mtproto::service::types;
use mtproto::session::{unpack_body, Session, SessionConfig, SessionError};
use mtproto_types::{Error, ErrorKind, RawObject, Serialize};

use crate::*;

const T0: u64 = 1_700_000_000;
const SESSION_ID: i64 = 0x5e55_1011;

fn session() -> Session {
    let config = SessionConfig {
        max_inflated: 1 << 16,
        ..SessionConfig::default()
    };
    Session::new(config, SESSION_ID, 1, UnixTime::from_secs(T0))
}

#[test]
fn session_refuses() {
    let now = UnixTime::from_secs(T0);
    let server_id = |n: i64| ((T0 as i64) << 32) | (n << 2) | 1;
    let mut s = session();
    // A plaintext of another session.
    let mut plaintext = Vec::new();
    EncryptedPlaintext {
        salt: 1,
        session_id: 7,
        msg_id: server_id(1),
        seq_no: 1,
        body: &types::Pong {
            msg_id: 0,
            ping_id: 0,
        }
        .to_bytes(),
    }
    .encode_with_padding(&[0; 12], &mut plaintext)
    .unwrap();
    assert_eq!(
        s.handle_plaintext(now, &plaintext),
        Err(SessionError::WrongSession {
            expected: SESSION_ID,
            found: 7
        })
    );
    // A plaintext that is not a multiple of 16.
    assert_eq!(
        s.handle_plaintext(now, &plaintext[..plaintext.len() - 4]),
        Err(SessionError::Envelope(EnvelopeError::NotBlockAligned {
            what: "encrypted plaintext",
            len: plaintext.len() - 4
        }))
    );
    // A nested container is refused as a whole.
    let pong = types::Pong {
        msg_id: 0,
        ping_id: 0,
    }
    .to_bytes();
    let inner = container_of(&[(server_id(1), &pong)]);
    let outer = container_of(&[(server_id(2), &inner)]);
    assert_eq!(
        s.handle_message(now, server_id(3), 1, &outer),
        Err(SessionError::Container(ContainerError::Nested {
            index: 0,
            offset: 8
        }))
    );
    // gzip_packed: a bomb, gzip inside gzip, and a broken wrapper.
    let packed = |data: Vec<u8>| {
        types::GzipPacked {
            packed_data: data.into(),
        }
        .to_bytes()
    };
    let bomb = packed(gz(&vec![0; 1 << 20]));
    assert!(matches!(
        unpack_body(&bomb, 1 << 16),
        Err(SessionError::Gzip(GzipError::TooLarge { max: 65536, .. }))
    ));
    let twice = packed(gz(&packed(gz(&pong))));
    assert_eq!(unpack_body(&twice, 1 << 16), Err(SessionError::NestedGzip));
    let mut broken = packed(gz(&pong));
    broken.truncate(8);
    assert!(matches!(
        unpack_body(&broken, 1 << 16),
        Err(SessionError::Decode {
            what: "gzip_packed",
            error: Error {
                kind: ErrorKind::UnexpectedEof { .. },
                ..
            }
        })
    ));
    // A raw object that is not a gzip_packed passes through untouched.
    let raw = RawObject::from_value(&types::Pong {
        msg_id: 1,
        ping_id: 1,
    });
    assert_eq!(
        unpack_body(raw.as_bytes(), 16).unwrap().as_ref(),
        raw.as_bytes()
    );
}
