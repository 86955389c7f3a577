//! The container unpacker.

use mtproto::container::{self, ContainerError, ContainerLimits};
use mtproto::service::types;
use mtproto_types::{ErrorKind, Serialize};

use mtproto_test_support::hex::{cat, le32};

use crate::*;

const C_ID: i64 = 1000 << 32;

fn unpack(body: &[u8]) -> ContainerError {
    container::unpack(C_ID, body, &ContainerLimits::default()).expect_err("must be refused")
}

#[test]
fn container_unpacker() {
    let pong = types::Pong {
        msg_id: 1,
        ping_id: 2,
    }
    .to_bytes();
    assert_eq!(
        unpack(&cat(&[&le32(PONG), &le32(0)])),
        ContainerError::NotAContainer { found: PONG }
    );
    assert_eq!(
        unpack(&[0xdc, 0xf8]),
        ContainerError::NotAContainer { found: 0 }
    );
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &(-1i32).to_le_bytes()])),
        ContainerError::NegativeCount { count: -1 }
    );
    // 2000 messages declared in 8 bytes: refused before allocating.
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &le32(2000)])),
        ContainerError::TooManyMessages {
            count: 2000,
            max: 1020
        }
    );
    // A payload over 2^15 bytes.
    let big = vec![0u8; (1 << 15) + 4];
    assert_eq!(
        unpack(&container_of(&[(4, &big)])),
        ContainerError::PayloadTooLarge {
            len: 16 + (1 << 15) + 4,
            max: 1 << 15
        }
    );
    assert_eq!(
        unpack(&container_of(&[(4, &pong), (C_ID, &pong)])),
        ContainerError::InnerIdNotLower {
            index: 1,
            offset: 8 + 16 + 20,
            msg_id: C_ID,
            container_msg_id: C_ID
        }
    );
    assert_eq!(
        unpack(&container_of(&[(8, &pong), (4, &pong), (8, &pong)])),
        ContainerError::DuplicateInnerId {
            index: 2,
            offset: 8 + 2 * 36,
            msg_id: 8
        }
    );
    let nested = container_of(&[(4, &pong)]);
    assert_eq!(
        unpack(&container_of(&[(4, &pong), (8, &nested)])),
        ContainerError::Nested {
            index: 1,
            offset: 44
        }
    );
    assert_eq!(
        unpack(&container_of(&[(4, &pong[..18])])),
        ContainerError::UnalignedBody {
            index: 0,
            offset: 8,
            len: 18
        }
    );
    // msgs_ack declaring 8193 ids.
    let ack = cat(&[&le32(MSGS_ACK), &le32(VECTOR), &le32(8193)]);
    assert_eq!(
        unpack(&container_of(&[(4, &ack)])),
        ContainerError::TooManyIds {
            index: 0,
            offset: 8,
            count: 8193,
            max: 8192
        }
    );
    let mut trailing = container_of(&[(4, &pong)]);
    trailing.extend_from_slice(&[0; 4]);
    assert_eq!(
        unpack(&trailing),
        ContainerError::TrailingBytes {
            offset: 44,
            count: 4
        }
    );
    // One message declared, none there.
    assert_eq!(
        unpack(&cat(&[&le32(MSG_CONTAINER), &le32(1), &[0; 4]])),
        ContainerError::Malformed(err(
            ErrorKind::UnexpectedEof {
                needed: 8,
                available: 4
            },
            8
        ))
    );
}
