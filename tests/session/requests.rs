//! Requests and their answers: results matched and handed back raw, errors,
//! gzip_packed both ways, cancellation, ordering, updates.

use mtproto::rpc_error::RpcError;
use mtproto::service::{functions, types};
use mtproto::session::{
    pack_body, DropAnswer, Event, Outcome, Session, SessionConfig, SessionError,
};
use mtproto_types::{Deserialize, RawObject, Serialize};

use crate::scripted::*;

#[test]
fn rpc_result_is_matched_and_handed_back_raw() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 7);
    let sent = s.poll_transmit(at(0)).unwrap();
    assert_eq!(
        (sent.msg_id, sent.salt, sent.session_id),
        (msg_id, SALT, SESSION)
    );
    let pong = types::Pong { msg_id, ping_id: 7 };
    Server::new().send(&mut s, at(1), &rpc_result(msg_id, &pong));
    let (request, outcome) = response(&mut s);
    assert_eq!(request, id);
    let Outcome::Result(bytes) = outcome else {
        panic!("{outcome:?}")
    };
    let decoded: <functions::Ping as mtproto_types::RemoteCall>::Return<'_> =
        Deserialize::from_bytes(&bytes).unwrap();
    assert_eq!(decoded.constructor_id(), 0x347773c5);
    assert_eq!(s.pending_requests(), 0);
}

#[test]
fn a_top_level_pong_completes_the_ping() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 9);
    Server::new().send(
        &mut s,
        at(1),
        &types::Pong { msg_id, ping_id: 9 }.to_bytes(),
    );
    assert_eq!(response(&mut s).0, id);
}

#[test]
fn a_result_for_an_unknown_request_is_reported() {
    let mut s = session();
    let pong = types::Pong {
        msg_id: 4,
        ping_id: 1,
    };
    Server::new().send(&mut s, at(1), &rpc_result(12345 << 2, &pong));
    assert_eq!(
        events(&mut s),
        vec![Event::UnknownResult {
            req_msg_id: 12345 << 2
        }]
    );
}

#[test]
fn rpc_error_is_structured_with_flood_wait_seconds() {
    let mut s = session();
    let (_, msg_id) = ping(&mut s, 1);
    let error = types::RpcError {
        error_code: 420,
        error_message: "FLOOD_WAIT_30".into(),
    };
    Server::new().send(&mut s, at(1), &rpc_result(msg_id, &error));
    match response(&mut s).1 {
        Outcome::Error(e) => {
            assert_eq!(e, RpcError::new(420, "FLOOD_WAIT_30"));
            assert_eq!((e.name.as_str(), e.flood_wait()), ("FLOOD_WAIT", Some(30)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gzip_packed_results_are_inflated() {
    let mut s = session();
    let (_, msg_id) = ping(&mut s, 1);
    let answer = types::FutureSalts {
        req_msg_id: msg_id,
        now: T0 as i32,
        salts: vec![
            types::FutureSalt {
                valid_since: 0,
                valid_until: 1,
                salt: 0
            };
            64
        ],
    }
    .to_bytes();
    let packed = pack_body(answer.clone(), Some(64));
    assert_eq!(packed[..4], 0x3072cfa1u32.to_le_bytes());
    let result = types::RpcResult {
        req_msg_id: msg_id,
        result: RawObject::new(packed),
    };
    Server::new().send(&mut s, at(1), &result.to_bytes());
    assert_eq!(response(&mut s).1, Outcome::Result(answer));
}

#[test]
fn a_gzip_bomb_in_an_rpc_result_fails_the_request_within_the_cap() {
    let mut s = Session::new(
        SessionConfig {
            max_inflated: 64 * 1024,
            ..config()
        },
        SESSION,
        SALT,
        at(0),
    );
    let (id, msg_id) = ping(&mut s, 1);
    // 8 MiB of zeros: a few KiB packed, far over the 64 KiB cap.
    let bomb = pack_body(vec![0u8; 8 << 20], Some(0));
    assert!(bomb.len() < 16 * 1024);
    let result = types::RpcResult {
        req_msg_id: msg_id,
        result: RawObject::new(bomb),
    };
    Server::new().send(&mut s, at(1), &result.to_bytes());
    let (request, outcome) = response(&mut s);
    assert_eq!(request, id);
    assert!(
        matches!(
            outcome,
            Outcome::Failed(SessionError::Gzip(mtproto::gzip::GzipError::TooLarge { max, .. })) if max == 64 * 1024
        ),
        "{outcome:?}"
    );
}

#[test]
fn large_outgoing_bodies_are_gzip_packed_when_it_saves_bytes() {
    let mut s = session();
    let mut query = 0x1234_5678u32.to_le_bytes().to_vec();
    query.resize(4096, 0);
    s.enqueue_raw(query.clone(), at(0));
    let sent = s.poll_transmit(at(0)).unwrap();
    let packed = types::GzipPacked::from_bytes(&sent.body).unwrap();
    assert_eq!(
        mtproto::gzip::inflate(&packed.packed_data, 1 << 20).unwrap(),
        query
    );
    // Small bodies stay as they are.
    ping(&mut s, 1);
    let sent = s.poll_transmit(at(0)).unwrap();
    assert!(functions::Ping::from_bytes(&sent.body).is_ok());
}

fn cancel_with(answer: Vec<u8>) -> (Outcome, Vec<Event>) {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 1);
    s.poll_transmit(at(0));
    assert!(s.cancel(id, at(0)));
    let sent = s.poll_transmit(at(0)).unwrap();
    let drop = functions::RpcDropAnswer::from_bytes(&sent.body).unwrap();
    assert_eq!(drop.req_msg_id, msg_id);
    let mut server = Server::new();
    let result = types::RpcResult {
        req_msg_id: sent.msg_id,
        result: RawObject::new(answer.clone()),
    };
    server.send(&mut s, at(1), &result.to_bytes());
    let (request, outcome) = response(&mut s);
    assert_eq!(request, id);
    // The same answer to the original query passes silently.
    server.send(
        &mut s,
        at(1),
        &types::RpcResult {
            req_msg_id: msg_id,
            result: RawObject::new(answer),
        }
        .to_bytes(),
    );
    (outcome, events(&mut s))
}

#[test]
fn rpc_drop_answer_unknown() {
    let (outcome, rest) = cancel_with(types::RpcAnswerUnknown {}.to_bytes());
    assert_eq!(outcome, Outcome::Cancelled(DropAnswer::Unknown));
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn rpc_drop_answer_dropped_running() {
    let (outcome, rest) = cancel_with(types::RpcAnswerDroppedRunning {}.to_bytes());
    assert_eq!(outcome, Outcome::Cancelled(DropAnswer::DroppedRunning));
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn rpc_drop_answer_dropped() {
    let dropped = types::RpcAnswerDropped {
        msg_id: 77 << 2 | 1,
        seq_no: 5,
        bytes: 24,
    };
    let (outcome, _) = cancel_with(dropped.to_bytes());
    assert_eq!(
        outcome,
        Outcome::Cancelled(DropAnswer::Dropped {
            msg_id: 77 << 2 | 1,
            seq_no: 5,
            bytes: 24
        })
    );
}

#[test]
fn cancelling_an_unknown_request_does_nothing() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 1);
    Server::new().send(
        &mut s,
        at(1),
        &rpc_result(msg_id, &types::Pong { msg_id, ping_id: 1 }),
    );
    assert!(!s.cancel(id, at(1)));
}

#[test]
fn enqueue_ordered_chains_invoke_after_msg() {
    let mut s = session();
    let pings: Vec<functions::Ping> = (0..3).map(|ping_id| functions::Ping { ping_id }).collect();
    let ids = s.enqueue_ordered(&pings, at(0));
    let msg_ids: Vec<i64> = ids.iter().map(|id| s.msg_id_of(*id).unwrap()).collect();
    let sent = bodies(&s.poll_transmit(at(0)).unwrap());
    assert_eq!(sent.len(), 3);
    assert_eq!(functions::Ping::from_bytes(&sent[0].1).unwrap().ping_id, 0);
    for i in 1..3 {
        let wrapped = functions::InvokeAfterMsg::<functions::Ping>::from_bytes(&sent[i].1).unwrap();
        assert_eq!(wrapped.msg_id, msg_ids[i - 1]);
        assert_eq!(wrapped.query.ping_id, i as i64);
        assert_eq!(sent[i].0, msg_ids[i]);
    }
}

#[test]
fn invoke_after_msg_follows_a_resent_dependency() {
    let mut s = session();
    let pings: Vec<functions::Ping> = (0..2).map(|ping_id| functions::Ping { ping_id }).collect();
    let ids = s.enqueue_ordered(&pings, at(0));
    let container = s.poll_transmit(at(0)).unwrap();
    let bad = types::BadServerSalt {
        bad_msg_id: container.msg_id,
        bad_msg_seqno: 0,
        error_code: 48,
        new_server_salt: 1,
    };
    Server::new().send(&mut s, at(1), &bad.to_bytes());
    let sent = drain_transmits(&mut s, at(1));
    let wrapped = sent
        .iter()
        .find_map(|(_, b)| functions::InvokeAfterMsg::<functions::Ping>::from_bytes(b).ok())
        .unwrap();
    assert_eq!(wrapped.msg_id, s.msg_id_of(ids[0]).unwrap());
}

#[test]
fn destroy_session_is_a_request_with_a_raw_answer() {
    let mut s = session();
    let id = s.destroy_session(0x01d, at(0));
    let sent = s.poll_transmit(at(0)).unwrap();
    assert_eq!(
        functions::DestroySession::from_bytes(&sent.body)
            .unwrap()
            .session_id,
        0x01d
    );
    let ok = types::DestroySessionOk { session_id: 0x01d };
    Server::new().send(&mut s, at(1), &rpc_result(sent.msg_id, &ok));
    assert_eq!(response(&mut s), (id, Outcome::Result(ok.to_bytes())));
}

#[test]
fn updates_are_handed_back_inflated() {
    let mut s = session();
    let mut update = 0x7465_7374u32.to_le_bytes().to_vec();
    update.resize(2048, 7);
    let msg_id = Server::new().send(&mut s, at(1), &pack_body(update.clone(), Some(0)));
    assert_eq!(
        events(&mut s),
        vec![Event::Update {
            msg_id,
            body: update
        }]
    );
}

#[test]
fn dropped_running_on_the_original_before_the_drops_answer_cancels() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 1);
    s.poll_transmit(at(0));
    s.cancel(id, at(0));
    let drop = s.poll_transmit(at(0)).unwrap();
    let running = types::RpcAnswerDroppedRunning {};
    let mut server = Server::new();
    server.send(&mut s, at(1), &rpc_result(msg_id, &running));
    assert_eq!(
        response(&mut s),
        (id, Outcome::Cancelled(DropAnswer::DroppedRunning))
    );
    server.send(&mut s, at(1), &rpc_result(drop.msg_id, &running));
    assert!(events(&mut s).is_empty());
}
