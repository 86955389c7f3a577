//! The secure session end to end, with the server simulated by the crypto
//! functions: requests out and answers in as encrypted packets, padding,
//! every refusal (each its own error, no state change), transport error
//! codes, quick acks and what `Debug` shows.

use std::collections::BTreeSet;

use mtproto::auth::Authorized;
use mtproto::crypto::{decrypt_message, encrypt_message, AuthKey, CryptoError};
use mtproto::envelope::EncryptedPlaintext;
use mtproto::msg_id::UnixTime;
use mtproto::random::SplitMix64;
use mtproto::secure::{SecureError, SecureEvent, SecureSession};
use mtproto::service::{functions, types};
use mtproto::session::{Event, Outcome, RequestId, Session, SessionConfig, SessionError};
use mtproto::transport::Frame;
use mtproto::Side;
use mtproto_types::{Deserialize, RawObject, Serialize};

const SESSION_ID: i64 = 0x0123_4567_89ab_cdef;
const SALT: i64 = 0x5a17_5a17_5a17;
const SECS: u64 = 1_700_000_000;

fn key_bytes() -> [u8; 256] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(31).wrapping_add(7))
}

fn now() -> UnixTime {
    UnixTime::from_secs(SECS)
}

fn client() -> SecureSession {
    let session = Session::new(SessionConfig::default(), SESSION_ID, SALT, now());
    SecureSession::new(AuthKey::from_bytes(key_bytes()), session)
}

/// A server message id: odd, at the client's time, `n` apart.
fn server_msg_id(n: i64) -> i64 {
    ((SECS as i64) << 32) | (n << 2) | 1
}

/// What the server would send: `body` in an envelope, encrypted as the
/// server.
fn server_packet(session_id: i64, msg_id: i64, seq_no: i32, body: &[u8]) -> Vec<u8> {
    let mut plaintext = Vec::new();
    EncryptedPlaintext {
        salt: SALT,
        session_id,
        msg_id,
        seq_no,
        body,
    }
    .encode(&mut SplitMix64::new(msg_id as u64), &mut plaintext)
    .unwrap();
    encrypt_message(&AuthKey::from_bytes(key_bytes()), Side::Server, &plaintext)
}

/// Decrypts a client packet as the server and returns its plaintext.
fn open(packet: &[u8]) -> Vec<u8> {
    decrypt_message(&AuthKey::from_bytes(key_bytes()), Side::Client, packet).unwrap()
}

/// The client sends a ping; returns its request and the msg_id it went out with.
fn send_ping(client: &mut SecureSession, ping_id: i64, rng: &mut SplitMix64) -> (RequestId, i64) {
    let request = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id }, now());
    let packet = client.poll_transmit(now(), rng).expect("the ping");
    let plaintext = open(&packet);
    let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
    assert_eq!(
        functions::Ping::from_bytes(sent.body).unwrap().ping_id,
        ping_id
    );
    (request, sent.msg_id)
}

fn pong_answer(req_msg_id: i64, ping_id: i64) -> (types::Pong, Vec<u8>) {
    let pong = types::Pong {
        msg_id: req_msg_id,
        ping_id,
    };
    let answer = types::RpcResult {
        req_msg_id,
        result: RawObject::from_value(&pong),
    };
    (pong, answer.to_bytes())
}

fn expect_response(client: &mut SecureSession, request: RequestId, pong: &types::Pong) {
    match client.poll_event() {
        Some(SecureEvent::Session(Event::Response {
            request: r,
            outcome: Outcome::Result(bytes),
        })) => {
            assert_eq!(r, request);
            assert_eq!(bytes, pong.to_bytes());
        }
        other => panic!("expected the pong, got {other:?}"),
    }
}

#[test]
fn ping_round_trip() {
    let mut client = client();
    let mut rng = SplitMix64::new(1);
    let request = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 77 }, now());
    let packet = client.poll_transmit(now(), &mut rng).expect("the ping");
    assert_eq!(packet[..8], client.auth_key_id().to_le_bytes());
    assert_eq!((packet.len() - 24) % 16, 0);

    let plaintext = open(&packet);
    let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
    assert_eq!(sent.salt, SALT);
    assert_eq!(sent.session_id, SESSION_ID);
    assert_eq!(sent.msg_id % 4, 0, "client msg_ids are divisible by 4");
    assert_eq!(sent.seq_no % 2, 1, "a request is content-related");
    assert_eq!(Some(sent.msg_id), client.session().msg_id_of(request));
    assert_eq!(functions::Ping::from_bytes(sent.body).unwrap().ping_id, 77);

    let (pong, answer) = pong_answer(sent.msg_id, 77);
    let reply = server_packet(SESSION_ID, server_msg_id(1), 1, &answer);
    client.handle_packet(&reply, now()).unwrap();
    expect_response(&mut client, request, &pong);
    assert_eq!(client.poll_event(), None);
}

#[test]
fn from_authorized_uses_salt_and_time_offset() {
    let authorized = Authorized {
        auth_key: AuthKey::from_bytes(key_bytes()),
        server_salt: 0x1111,
        time_offset: 100,
    };
    let mut client =
        SecureSession::from_authorized(authorized, SessionConfig::default(), 42, now());
    assert_eq!(client.session().time_offset(), 100i64 << 32);
    client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 1 }, now());
    let packet = client
        .poll_transmit(now(), &mut SplitMix64::new(5))
        .unwrap();
    let plaintext = open(&packet);
    let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
    assert_eq!((sent.salt, sent.session_id), (0x1111, 42));
    // The msg_id carries the server's clock: 100 s ahead of ours.
    assert_eq!(sent.msg_id >> 32, SECS as i64 + 100);
}

#[test]
fn padding_varies_within_bounds() {
    let mut client = client();
    client.set_max_padding(1024);
    let mut rng = SplitMix64::new(2);
    let mut paddings = BTreeSet::new();
    for ping_id in 0..300 {
        client
            .session_mut()
            .enqueue(&functions::Ping { ping_id }, now());
        let packet = client.poll_transmit(now(), &mut rng).unwrap();
        let plaintext = open(&packet);
        let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
        let padding = plaintext.len() - 32 - sent.body.len();
        assert_eq!(plaintext.len() % 16, 0);
        assert!((12..=1024).contains(&padding), "padding {padding}");
        paddings.insert(padding);
    }
    assert!(paddings.len() > 20, "{paddings:?}");
    assert!(
        *paddings.last().unwrap() > 512,
        "the upper range is used: {paddings:?}"
    );

    // The default cap keeps padding smaller but still varied.
    let mut client = self::client();
    let mut lengths = BTreeSet::new();
    for ping_id in 0..100 {
        client
            .session_mut()
            .enqueue(&functions::Ping { ping_id }, now());
        let packet = client.poll_transmit(now(), &mut rng).unwrap();
        let plaintext = open(&packet);
        let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
        let padding = plaintext.len() - 32 - sent.body.len();
        assert!((12..=client.max_padding()).contains(&padding));
        lengths.insert(packet.len());
    }
    assert!(lengths.len() > 1, "{lengths:?}");
}

/// Each refused packet gives its own error and leaves the client able to
/// complete the request with a good packet afterwards.
#[test]
fn refusals_are_distinct_and_change_nothing() {
    let mut client = client();
    let mut rng = SplitMix64::new(3);
    let (request, msg_id) = send_ping(&mut client, 5, &mut rng);
    let (pong, answer) = pong_answer(msg_id, 5);

    // Another session of the same key.
    let wrong_session = server_packet(SESSION_ID ^ 1, server_msg_id(1), 1, &answer);
    assert_eq!(
        client.handle_packet(&wrong_session, now()),
        Err(SecureError::Session(SessionError::WrongSession {
            expected: SESSION_ID,
            found: SESSION_ID ^ 1
        }))
    );

    // An even (client-style) msg_id.
    let even = server_msg_id(1) & !3;
    let even_packet = server_packet(SESSION_ID, even, 1, &answer);
    assert_eq!(
        client.handle_packet(&even_packet, now()),
        Err(SecureError::EvenMsgId { msg_id: even })
    );

    // A packet for another key.
    let mut other_plain = Vec::new();
    EncryptedPlaintext {
        salt: SALT,
        session_id: SESSION_ID,
        msg_id: server_msg_id(1),
        seq_no: 1,
        body: &answer,
    }
    .encode(&mut rng, &mut other_plain)
    .unwrap();
    let other_key = AuthKey::from_bytes([0x42; 256]);
    let foreign = encrypt_message(&other_key, Side::Server, &other_plain);
    assert_eq!(
        client.handle_packet(&foreign, now()),
        Err(SecureError::Crypto(CryptoError::AuthKeyIdMismatch {
            expected: client.auth_key_id(),
            got: other_key.id()
        }))
    );

    // A flipped bit in the ciphertext.
    let good = server_packet(SESSION_ID, server_msg_id(1), 1, &answer);
    let mut flipped = good.clone();
    flipped[40] ^= 0x10;
    assert_eq!(
        client.handle_packet(&flipped, now()),
        Err(SecureError::Crypto(CryptoError::MsgKeyMismatch))
    );

    // The client's own packet echoed back: the wrong direction.
    client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 6 }, now());
    let own = client.poll_transmit(now(), &mut rng).unwrap();
    assert_eq!(
        client.handle_packet(&own, now()),
        Err(SecureError::Crypto(CryptoError::MsgKeyMismatch))
    );

    // Nothing reached the session: no events, the request still pending,
    // and the genuine answer (with the msg_id the refused ones used) works.
    assert_eq!(client.poll_event(), None);
    assert_eq!(client.session().pending_requests(), 2);
    client.handle_packet(&good, now()).unwrap();
    expect_response(&mut client, request, &pong);
}

#[test]
fn transport_error_codes_become_events() {
    let mut client = client();
    client.handle_transport_error(-404);
    client.handle_transport_error(-429);
    client.handle_transport_error(-444);
    client.handle_transport_error(-503);
    assert_eq!(client.poll_event(), Some(SecureEvent::AuthKeyUnknown));
    assert_eq!(client.poll_event(), Some(SecureEvent::TransportFlood));
    assert_eq!(client.poll_event(), Some(SecureEvent::InvalidDc));
    assert_eq!(
        client.poll_event(),
        Some(SecureEvent::TransportError { code: -503 })
    );
    assert_eq!(client.poll_event(), None);
}

/// The server's quick-ack token is the spec's: computed over the packet's
/// plaintext as the client encrypted it. It maps back to the request.
#[test]
fn quick_ack_maps_to_the_request() {
    let mut client = client();
    let mut rng = SplitMix64::new(4);
    let first = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 1 }, now());
    let first_packet = client.poll_transmit(now(), &mut rng).unwrap();
    let second = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 2 }, now());
    let second_packet = client.poll_transmit(now(), &mut rng).unwrap();

    // The server computes the token from what it decrypted.
    let key = AuthKey::from_bytes(key_bytes());
    let token_of = |packet: &[u8]| {
        let plaintext = open(packet);
        mtproto::crypto::quick_ack_token(&mtproto::crypto::msg_key_large(
            &key,
            Side::Client,
            &plaintext,
        ))
    };
    let (first_token, second_token) = (token_of(&first_packet), token_of(&second_packet));
    assert_ne!(first_token, second_token);

    client
        .handle_frame(Frame::QuickAck(second_token), now())
        .unwrap();
    let second_id = client.session().msg_id_of(second).unwrap();
    match client.poll_event() {
        Some(SecureEvent::QuickAck { msg_ids }) => assert!(msg_ids.contains(&second_id)),
        other => panic!("{other:?}"),
    }
    assert!(client.handle_quick_ack(first_token));
    let first_id = client.session().msg_id_of(first).unwrap();
    match client.poll_event() {
        Some(SecureEvent::QuickAck { msg_ids }) => assert!(msg_ids.contains(&first_id)),
        other => panic!("{other:?}"),
    }
    // A repeated or unknown token is ignored.
    assert!(!client.handle_quick_ack(first_token));
    assert!(!client.handle_quick_ack(0x8000_1234));
    assert_eq!(client.poll_event(), None);
}

#[test]
fn frames_reach_the_session() {
    let mut client = client();
    let mut rng = SplitMix64::new(6);
    let (request, msg_id) = send_ping(&mut client, 8, &mut rng);
    let (pong, answer) = pong_answer(msg_id, 8);
    let reply = server_packet(SESSION_ID, server_msg_id(1), 1, &answer);
    client.handle_frame(Frame::packet(&reply), now()).unwrap();
    expect_response(&mut client, request, &pong);
}

#[test]
fn debug_shows_no_key_material() {
    let mut client = client();
    client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 3 }, now());
    client
        .poll_transmit(now(), &mut SplitMix64::new(7))
        .unwrap();
    let debug = format!("{client:?} {client:#?}");
    let hex: String = key_bytes().iter().map(|b| format!("{b:02x}")).collect();
    // Any 8-byte window of the key, in hex or as a decimal byte list.
    for window in 0..(256 - 8) {
        assert!(
            !debug.contains(&hex[window * 2..window * 2 + 16]),
            "{debug}"
        );
    }
    let decimal = format!("{:?}", &key_bytes()[..8]);
    assert!(!debug.contains(&decimal[1..decimal.len() - 1]), "{debug}");
    assert!(debug.contains(&client.auth_key_id().to_string()), "{debug}");
}

#[test]
fn in_place_variants_agree() {
    let mut client = client();
    let mut rng = SplitMix64::new(8);
    client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 4 }, now());
    // Appended after what the buffer already holds, e.g. a transport header.
    let mut out = vec![0xee; 3];
    assert!(client.poll_transmit_into(now(), &mut rng, &mut out));
    assert_eq!(out[..3], [0xee; 3]);
    let plaintext = open(&out[3..]);
    let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
    assert_eq!(functions::Ping::from_bytes(sent.body).unwrap().ping_id, 4);
    let mut empty = Vec::new();
    assert!(!client.poll_transmit_into(now(), &mut rng, &mut empty));
    assert!(empty.is_empty());

    let (pong, answer) = pong_answer(sent.msg_id, 4);
    let good = server_packet(SESSION_ID, server_msg_id(1), 1, &answer);
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert_eq!(
        client.handle_packet_in_place(&mut flipped, now()),
        Err(SecureError::Crypto(CryptoError::MsgKeyMismatch))
    );
    let mut wrong_session = server_packet(SESSION_ID + 1, server_msg_id(1), 1, &answer);
    assert!(matches!(
        client.handle_packet_in_place(&mut wrong_session, now()),
        Err(SecureError::Session(SessionError::WrongSession { .. }))
    ));
    let mut good = good;
    client.handle_packet_in_place(&mut good, now()).unwrap();
    assert_eq!(client.session().pending_requests(), 0);
    match client.poll_event() {
        Some(SecureEvent::Session(Event::Response {
            outcome: Outcome::Result(bytes),
            ..
        })) => assert_eq!(bytes, pong.to_bytes()),
        other => panic!("{other:?}"),
    }
}

/// Two requests queued together go out in one container; its quick ack
/// names the container and both requests inside.
#[test]
fn quick_ack_of_a_container_names_its_contents() {
    let mut client = client();
    let mut rng = SplitMix64::new(9);
    let a = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 10 }, now());
    let b = client
        .session_mut()
        .enqueue(&functions::Ping { ping_id: 11 }, now());
    let packet = client.poll_transmit(now(), &mut rng).unwrap();
    assert_eq!(client.poll_transmit(now(), &mut rng), None, "one packet");

    let key = AuthKey::from_bytes(key_bytes());
    let plaintext = open(&packet);
    let container_id = EncryptedPlaintext::decode(&plaintext).unwrap().msg_id;
    let token = mtproto::crypto::quick_ack_token(&mtproto::crypto::msg_key_large(
        &key,
        Side::Client,
        &plaintext,
    ));
    assert!(client.handle_quick_ack(token));
    let (a_id, b_id) = (
        client.session().msg_id_of(a).unwrap(),
        client.session().msg_id_of(b).unwrap(),
    );
    match client.poll_event() {
        Some(SecureEvent::QuickAck { msg_ids }) => {
            assert_eq!(msg_ids[0], container_id);
            assert_ne!(container_id, a_id);
            assert!(
                msg_ids.contains(&a_id) && msg_ids.contains(&b_id),
                "{msg_ids:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
