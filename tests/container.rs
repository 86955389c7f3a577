//! Container packing and unpacking: every limit at and one past its edge,
//! and every rule an incoming container must follow.

use mtproto::container::{
    default_http_wait, unpack, ContainerError, ContainerLimits, Numbering, Outbox, OutgoingMessage,
    OutgoingPacket, MAX_IDS, MAX_MESSAGES, MAX_PAYLOAD,
};
use mtproto::msg_id::UnixTime;
use mtproto::service::{functions, types};
use mtproto::transport::Side;
use mtproto_types::{Deserialize, RawObject, Serialize};

const NOW: UnixTime = UnixTime::from_secs(1_700_000_000);

fn setup() -> (Numbering, Outbox) {
    (
        Numbering::new(Side::Client),
        Outbox::new(ContainerLimits::default()),
    )
}

fn push_body(numbering: &mut Numbering, outbox: &mut Outbox, body: Vec<u8>) -> i64 {
    let (msg_id, seq_no) = numbering.next(NOW, true);
    outbox.push(OutgoingMessage {
        msg_id,
        seq_no,
        body,
    });
    msg_id
}

fn push_pings(numbering: &mut Numbering, outbox: &mut Outbox, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let body = functions::Ping { ping_id: i as i64 }.to_bytes();
            push_body(numbering, outbox, body)
        })
        .collect()
}

/// A body of exactly `len` bytes (a multiple of 4, at least 8): a `bytes`
/// payload behind a made-up constructor id, opaque to the container.
fn opaque_body(len: usize) -> Vec<u8> {
    assert!(len % 4 == 0 && len >= 8);
    let mut body = 0x1234_5678u32.to_le_bytes().to_vec();
    body.resize(len, 0xab);
    body
}

fn drain(numbering: &mut Numbering, outbox: &mut Outbox) -> Vec<OutgoingPacket> {
    std::iter::from_fn(|| outbox.flush(numbering, NOW)).collect()
}

fn container_of(messages: Vec<types::Message<'_>>) -> Vec<u8> {
    types::MsgContainer { messages }.to_bytes()
}

fn message(msg_id: i64, body: &[u8]) -> types::Message<'_> {
    types::Message {
        msg_id,
        seqno: 1,
        body: RawObject::new(body),
    }
}

#[test]
fn exactly_1020_messages_fit_one_container() {
    let (mut numbering, mut outbox) = setup();
    let ids = push_pings(&mut numbering, &mut outbox, MAX_MESSAGES);
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 1);
    assert!(packets[0].is_container());
    assert_eq!(packets[0].contents, ids);
    let inner = unpack(
        packets[0].msg_id,
        &packets[0].body,
        &ContainerLimits::default(),
    )
    .unwrap();
    assert_eq!(inner.len(), MAX_MESSAGES);
}

#[test]
fn the_1021st_message_goes_in_the_next_packet_unwrapped() {
    let (mut numbering, mut outbox) = setup();
    let ids = push_pings(&mut numbering, &mut outbox, MAX_MESSAGES + 1);
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 2);
    assert_eq!(packets[0].contents.len(), MAX_MESSAGES);
    assert!(
        !packets[1].is_container(),
        "a single message goes unwrapped"
    );
    assert_eq!(packets[1].msg_id, ids[MAX_MESSAGES]);
    assert_eq!(
        functions::Ping::from_bytes(&packets[1].body)
            .unwrap()
            .ping_id,
        MAX_MESSAGES as i64
    );
}

#[test]
fn payload_of_exactly_2_pow_15_bytes_fits() {
    let (mut numbering, mut outbox) = setup();
    // 8 entries of 4096 bytes: 16-byte header + 4080-byte body each.
    for _ in 0..8 {
        push_body(&mut numbering, &mut outbox, opaque_body(4080));
    }
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 1);
    assert_eq!(packets[0].body.len(), 8 + MAX_PAYLOAD);
    unpack(
        packets[0].msg_id,
        &packets[0].body,
        &ContainerLimits::default(),
    )
    .unwrap();
}

#[test]
fn payload_one_word_over_2_pow_15_bytes_splits() {
    let (mut numbering, mut outbox) = setup();
    for i in 0..8 {
        let len = if i == 7 { 4084 } else { 4080 };
        push_body(&mut numbering, &mut outbox, opaque_body(len));
    }
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 2);
    assert_eq!(packets[0].contents.len(), 7);
    assert!(packets[0].body.len() - 8 <= MAX_PAYLOAD);
    assert!(!packets[1].is_container());
}

#[test]
fn a_message_too_large_for_any_container_goes_alone() {
    let (mut numbering, mut outbox) = setup();
    let small = push_pings(&mut numbering, &mut outbox, 2);
    let big = push_body(&mut numbering, &mut outbox, opaque_body(MAX_PAYLOAD));
    let after = push_pings(&mut numbering, &mut outbox, 1);
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 3);
    assert_eq!(packets[0].contents, small);
    assert_eq!(packets[1].contents, vec![big]);
    assert!(!packets[1].is_container());
    assert_eq!(packets[1].body.len(), MAX_PAYLOAD);
    assert_eq!(packets[2].contents, after);
}

#[test]
fn container_msg_id_is_above_its_contents_and_seq_no_even() {
    let (mut numbering, mut outbox) = setup();
    push_pings(&mut numbering, &mut outbox, 5);
    let packet = outbox.flush(&mut numbering, NOW).unwrap();
    assert!(packet.contents.iter().all(|id| *id < packet.msg_id));
    assert_eq!(packet.seq_no % 2, 0, "a container is not content-related");
    assert_eq!(packet.msg_id % 4, 0);
}

#[test]
fn a_single_message_is_sent_unwrapped() {
    let (mut numbering, mut outbox) = setup();
    let ids = push_pings(&mut numbering, &mut outbox, 1);
    let packet = outbox.flush(&mut numbering, NOW).unwrap();
    assert!(!packet.is_container());
    assert_eq!(packet.msg_id, ids[0]);
    assert_eq!(packet.seq_no, 1);
    assert!(outbox.flush(&mut numbering, NOW).is_none());
}

fn decode_ack(body: &[u8]) -> Vec<i64> {
    types::MsgsAck::from_bytes(body).unwrap().msg_ids
}

#[test]
fn exactly_8192_acks_go_in_one_msgs_ack() {
    let (mut numbering, mut outbox) = setup();
    for i in 0..MAX_IDS as i64 {
        outbox.ack(i << 2 | 1);
    }
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 1);
    // 8192 ids are 64 KiB: over any container's payload, so alone.
    assert!(!packets[0].is_container());
    assert_eq!(decode_ack(&packets[0].body).len(), MAX_IDS);
}

#[test]
fn the_8193rd_ack_goes_in_a_second_msgs_ack() {
    let (mut numbering, mut outbox) = setup();
    for i in 0..=MAX_IDS as i64 {
        outbox.ack(i << 2 | 1);
    }
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 2);
    assert_eq!(decode_ack(&packets[0].body).len(), MAX_IDS);
    assert_eq!(
        decode_ack(&packets[1].body),
        vec![(MAX_IDS as i64) << 2 | 1]
    );
}

#[test]
fn state_and_resend_requests_are_capped_at_8192_ids_too() {
    let (mut numbering, mut outbox) = setup();
    outbox.request_state((0..=MAX_IDS as i64).map(|i| i << 2 | 1));
    outbox.request_resend((0..=MAX_IDS as i64).map(|i| i << 2 | 1));
    let packets = drain(&mut numbering, &mut outbox);
    let mut state = Vec::new();
    let mut resend = Vec::new();
    let limits = ContainerLimits::default();
    for packet in &packets {
        let bodies: Vec<Vec<u8>> = if packet.is_container() {
            unpack(packet.msg_id, &packet.body, &limits)
                .unwrap()
                .iter()
                .map(|m| m.body.as_bytes().to_vec())
                .collect()
        } else {
            vec![packet.body.clone()]
        };
        for body in bodies {
            match body[..4] {
                [0x52, 0xfb, 0x69, 0xda] => state.push(
                    types::MsgsStateReq::from_bytes(&body)
                        .unwrap()
                        .msg_ids
                        .len(),
                ),
                _ => resend.push(
                    types::MsgResendReq::from_bytes(&body)
                        .unwrap()
                        .msg_ids
                        .len(),
                ),
            }
        }
    }
    assert_eq!(state, vec![MAX_IDS, 1]);
    assert_eq!(resend, vec![MAX_IDS, 1]);
}

#[test]
fn acks_and_http_wait_do_not_count_against_1020() {
    let (mut numbering, mut outbox) = setup();
    push_pings(&mut numbering, &mut outbox, MAX_MESSAGES);
    outbox.ack(5 << 32 | 1);
    outbox.request_state([9 << 32 | 1]);
    outbox.request_resend([13 << 32 | 1]);
    outbox.set_http_wait(Some(default_http_wait()));
    let packets = drain(&mut numbering, &mut outbox);
    assert_eq!(packets.len(), 1);
    assert_eq!(packets[0].contents.len(), MAX_MESSAGES + 4);
    let inner = unpack(
        packets[0].msg_id,
        &packets[0].body,
        &ContainerLimits::default(),
    )
    .unwrap();
    assert_eq!(inner.len(), MAX_MESSAGES + 4);
    let wait = inner
        .iter()
        .find_map(|m| m.body.decode::<types::HttpWait>().ok())
        .expect("http_wait travels with the container");
    assert_eq!(
        (wait.max_delay, wait.wait_after, wait.max_wait),
        (0, 0, 25_000)
    );
}

#[test]
fn unpack_borrows_bodies_from_the_packet() {
    let (mut numbering, mut outbox) = setup();
    push_pings(&mut numbering, &mut outbox, 3);
    let packet = outbox.flush(&mut numbering, NOW).unwrap();
    let inner = unpack(packet.msg_id, &packet.body, &ContainerLimits::default()).unwrap();
    let range = packet.body.as_ptr_range();
    for m in &inner {
        assert!(matches!(m.body.0, std::borrow::Cow::Borrowed(_)));
        assert!(range.contains(&m.body.as_bytes().as_ptr()));
    }
}

#[test]
fn inner_id_equal_to_the_containers_is_rejected() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    let body = container_of(vec![message(100 << 32, &ping)]);
    let err = unpack(100 << 32, &body, &ContainerLimits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            ContainerError::InnerIdNotLower {
                index: 0,
                offset: 8,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn inner_id_above_the_containers_is_rejected() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    let body = container_of(vec![message(96 << 32, &ping), message(101 << 32, &ping)]);
    let err = unpack(100 << 32, &body, &ContainerLimits::default()).unwrap_err();
    assert!(
        matches!(err, ContainerError::InnerIdNotLower { index: 1, .. }),
        "{err}"
    );
    // Just below is fine.
    let body = container_of(vec![message((100 << 32) - 4, &ping)]);
    assert!(unpack(100 << 32, &body, &ContainerLimits::default()).is_ok());
}

#[test]
fn nested_containers_are_rejected() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    let inner = container_of(vec![message(8, &ping)]);
    let body = container_of(vec![message(16, &ping), message(20, &inner)]);
    let err = unpack(100, &body, &ContainerLimits::default()).unwrap_err();
    assert!(
        matches!(err, ContainerError::Nested { index: 1, .. }),
        "{err}"
    );
}

#[test]
fn duplicate_inner_ids_are_rejected_even_out_of_order() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    let body = container_of(vec![
        message(20, &ping),
        message(8, &ping),
        message(20, &ping),
    ]);
    let err = unpack(100, &body, &ContainerLimits::default()).unwrap_err();
    assert!(
        matches!(err, ContainerError::DuplicateInnerId { index: 2, msg_id: 20, offset } if offset == 8 + 2 * 28),
        "{err}"
    );
    // Out of order but distinct is accepted.
    let body = container_of(vec![message(20, &ping), message(8, &ping)]);
    assert_eq!(
        unpack(100, &body, &ContainerLimits::default())
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn incoming_1021_counted_messages_are_rejected_1020_accepted() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    for (n, ok) in [(MAX_MESSAGES, true), (MAX_MESSAGES + 1, false)] {
        let messages = (0..n as i64).map(|i| message(i * 4, &ping)).collect();
        let body = container_of(messages);
        let result = unpack(1 << 40, &body, &ContainerLimits::default());
        assert_eq!(result.is_ok(), ok, "{n} messages: {result:?}");
        if let Err(err) = result {
            assert!(
                matches!(err, ContainerError::TooManyMessages { count, max: MAX_MESSAGES } if count == n)
            );
        }
    }
}

#[test]
fn incoming_payload_at_2_pow_15_is_accepted_one_word_more_rejected() {
    for (last, ok) in [(4080, true), (4084, false)] {
        let bodies: Vec<Vec<u8>> = (0..8)
            .map(|i| opaque_body(if i == 7 { last } else { 4080 }))
            .collect();
        let messages = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| message(i as i64 * 4, b))
            .collect();
        let body = container_of(messages);
        let result = unpack(1 << 40, &body, &ContainerLimits::default());
        assert_eq!(result.is_ok(), ok);
        if !ok {
            assert!(matches!(
                result,
                Err(ContainerError::PayloadTooLarge { len, max: MAX_PAYLOAD }) if len == MAX_PAYLOAD + 4
            ));
        }
    }
}

#[test]
fn incoming_acks_over_8192_ids_are_rejected() {
    let limits = ContainerLimits {
        max_payload: 1 << 20,
        ..ContainerLimits::default()
    };
    for (n, ok) in [(MAX_IDS, true), (MAX_IDS + 1, false)] {
        let ack = types::MsgsAck {
            msg_ids: (0..n as i64).collect(),
        }
        .to_bytes();
        let body = container_of(vec![message(4, &ack)]);
        let result = unpack(1 << 40, &body, &limits);
        assert_eq!(result.is_ok(), ok);
        if !ok {
            assert!(matches!(result, Err(ContainerError::TooManyIds { count, .. }) if count == n));
        }
    }
}

#[test]
fn inconsistent_lengths_and_trailing_bytes_are_rejected() {
    let ping = functions::Ping { ping_id: 1 }.to_bytes();
    let good = container_of(vec![message(8, &ping), message(12, &ping)]);
    let limits = ContainerLimits::default();

    // `bytes` of the last message claims more than is left.
    let mut long = good.clone();
    let bytes_at = 8 + 28 + 12;
    long[bytes_at..bytes_at + 4].copy_from_slice(&16i32.to_le_bytes());
    assert!(matches!(
        unpack(100, &long, &limits),
        Err(ContainerError::Malformed(_))
    ));

    // Negative `bytes`.
    let mut negative = good.clone();
    negative[bytes_at..bytes_at + 4].copy_from_slice(&(-4i32).to_le_bytes());
    assert!(matches!(
        unpack(100, &negative, &limits),
        Err(ContainerError::Malformed(_))
    ));

    // Count says 3, only 2 follow.
    let mut short = good.clone();
    short[4..8].copy_from_slice(&3i32.to_le_bytes());
    assert!(matches!(
        unpack(100, &short, &limits),
        Err(ContainerError::Malformed(_))
    ));

    // Negative count.
    let mut negative_count = good.clone();
    negative_count[4..8].copy_from_slice(&(-1i32).to_le_bytes());
    assert!(matches!(
        unpack(100, &negative_count, &limits),
        Err(ContainerError::NegativeCount { count: -1 })
    ));

    // Count says 1, two follow.
    let mut trailing = good.clone();
    trailing[4..8].copy_from_slice(&1i32.to_le_bytes());
    assert!(matches!(
        unpack(100, &trailing, &limits),
        Err(ContainerError::TrailingBytes {
            offset: 36,
            count: 28
        })
    ));

    // A body length that is not a multiple of 4.
    let mut odd = container_of(vec![message(8, &ping)]);
    odd[8 + 12..8 + 16].copy_from_slice(&10i32.to_le_bytes());
    odd.truncate(8 + 16 + 10);
    assert!(matches!(
        unpack(100, &odd, &limits),
        Err(ContainerError::UnalignedBody { len: 10, .. })
    ));

    // Not a container at all, and a truncated header.
    assert!(matches!(
        unpack(100, &ping, &limits),
        Err(ContainerError::NotAContainer { .. })
    ));
    assert!(matches!(
        unpack(100, &good[..6], &limits),
        Err(ContainerError::NotAContainer { .. })
    ));
    assert!(unpack(100, &good, &limits).is_ok());
}

#[test]
fn a_huge_declared_count_is_rejected_before_allocating() {
    let mut body = types::MsgContainer { messages: vec![] }.to_bytes();
    body[4..8].copy_from_slice(&i32::MAX.to_le_bytes());
    assert!(matches!(
        unpack(100, &body, &ContainerLimits::default()),
        Err(ContainerError::TooManyMessages { .. })
    ));
}

#[test]
fn an_empty_container_is_allowed() {
    let body = types::MsgContainer { messages: vec![] }.to_bytes();
    assert!(unpack(100, &body, &ContainerLimits::default())
        .unwrap()
        .is_empty());
}

#[test]
fn server_numbering_uses_odd_ids() {
    let mut numbering = Numbering::new(Side::Server);
    let mut outbox = Outbox::new(ContainerLimits::default());
    let ids = push_pings(&mut numbering, &mut outbox, 2);
    let packet = outbox.flush(&mut numbering, NOW).unwrap();
    assert!(ids.iter().all(|id| id % 4 == 1));
    assert_eq!(packet.msg_id % 4, 1);
    assert!(packet.msg_id > ids[1]);
}
