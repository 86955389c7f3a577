//! What the server's service messages make the session do, and its own
//! upkeep: duplicates and bad ids, acks, salts and clock corrections, new
//! sessions, pings, state and resend requests, plaintexts and containers.

use std::time::Duration;

use mtproto::container::{self, ContainerLimits};
use mtproto::msg_id::UnixTime;
use mtproto::random::SplitMix64;
use mtproto::service::{functions, types};
use mtproto::session::{Event, Outcome, Session, SessionConfig, SessionError, Transmit};
use mtproto_types::{Deserialize, RawObject, Serialize};

use crate::scripted::*;

#[test]
fn duplicate_incoming_msg_ids_are_ignored_but_acked_again() {
    let mut s = session();
    let (_, msg_id) = ping(&mut s, 1);
    s.poll_transmit(at(0));
    let body = rpc_result(msg_id, &types::Pong { msg_id, ping_id: 1 });
    let server_id = (T0 as i64) << 32 | 5;
    s.handle_message(at(1), server_id, 1, &body).unwrap();
    s.handle_message(at(1), server_id, 1, &body).unwrap();
    let all = events(&mut s);
    assert_eq!(all.len(), 1, "{all:?}");
    let acks: Vec<i64> = drain_transmits(&mut s, at(1))
        .iter()
        .flat_map(|(_, b)| types::MsgsAck::from_bytes(b).unwrap().msg_ids)
        .collect();
    assert_eq!(acks, vec![server_id, server_id]);
}

#[test]
fn bad_incoming_msg_ids_are_reported() {
    let mut s = session();
    let body = types::Pong {
        msg_id: 4,
        ping_id: 1,
    }
    .to_bytes();
    // Even: a client's id, not a server's.
    s.handle_message(at(1), (T0 as i64) << 32 | 4, 1, &body)
        .unwrap();
    // An hour in the past.
    s.handle_message(at(1), (T0 as i64 - 3600) << 32 | 1, 1, &body)
        .unwrap();
    let all = events(&mut s);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|e| matches!(e, Event::BadIncomingMsgId(_))));
}

#[test]
fn content_related_messages_are_acked_and_acks_stop_resends() {
    let mut s = session();
    let (_, first) = ping(&mut s, 1);
    let (_, second) = ping(&mut s, 2);
    s.poll_transmit(at(0));
    let mut server = Server::new();
    let ack_id = server.msg_id(at(1));
    // msgs_ack is not content-related (even seq_no): no ack owed for it.
    s.handle_message(
        at(1),
        ack_id,
        2,
        &types::MsgsAck {
            msg_ids: vec![first],
        }
        .to_bytes(),
    )
    .unwrap();
    let update = server.send(&mut s, at(1), &0xdead_beefu32.to_le_bytes());
    s.resend_unacknowledged(at(2));
    let sent = drain_transmits(&mut s, at(2));
    let acks: Vec<i64> = sent
        .iter()
        .filter_map(|(_, b)| types::MsgsAck::from_bytes(b).ok())
        .flat_map(|a| a.msg_ids)
        .collect();
    assert_eq!(acks, vec![update]);
    let pings: Vec<i64> = sent
        .iter()
        .filter_map(|(_, b)| functions::Ping::from_bytes(b).ok())
        .map(|p| p.ping_id)
        .collect();
    assert_eq!(pings, vec![2], "the acked ping is not re-sent");
    assert!(
        !sent.iter().any(|(msg_id, _)| *msg_id == second),
        "re-sent with a new msg_id"
    );
}

#[test]
fn bad_server_salt_adopts_the_salt_and_resends_with_a_new_msg_id() {
    let mut s = session();
    let (id, first) = ping(&mut s, 1);
    ping(&mut s, 2);
    let container = s.poll_transmit(at(0)).unwrap();
    assert_eq!(container.salt, SALT);
    let bad = types::BadServerSalt {
        bad_msg_id: container.msg_id,
        bad_msg_seqno: container.seq_no,
        error_code: 48,
        new_server_salt: 0x0bad_5a17,
    };
    Server::new().send(&mut s, at(1), &bad.to_bytes());
    assert!(events(&mut s).contains(&Event::SaltChanged { salt: 0x0bad_5a17 }));
    let resent = s.poll_transmit(at(1)).unwrap();
    assert_eq!(resent.salt, 0x0bad_5a17);
    let pings: Vec<i64> = bodies(&resent)
        .iter()
        .filter_map(|(_, b)| functions::Ping::from_bytes(b).ok())
        .map(|p| p.ping_id)
        .collect();
    assert_eq!(pings, vec![1, 2], "both messages of the container");
    let new_id = s.msg_id_of(id).unwrap();
    assert!(new_id > container.msg_id && new_id != first);
}

/// A server that answers every re-send with `bad_server_salt` (a new salt
/// each time) ends the request after `max_resends` re-sends instead of
/// keeping it in flight forever (it was re-sent once per answer, without
/// end).
#[test]
fn bad_server_salt_storm_ends_the_request_after_max_resends() {
    let mut s = Session::new(
        SessionConfig {
            max_resends: 3,
            ..config()
        },
        SESSION,
        SALT,
        at(0),
    );
    let (id, _) = ping(&mut s, 1);
    let mut server = Server::new();
    let mut answers = 0;
    while let Some(msg_id) = s.msg_id_of(id) {
        assert!(
            answers < 100,
            "still re-sent after {answers} bad_server_salt"
        );
        drain_transmits(&mut s, at(1));
        let bad = types::BadServerSalt {
            bad_msg_id: msg_id,
            bad_msg_seqno: 1,
            error_code: 48,
            new_server_salt: 0x5a17 + answers,
        };
        server.send(&mut s, at(1), &bad.to_bytes());
        answers += 1;
    }
    assert_eq!(answers, 4, "the first send and three re-sends");
    assert!(events(&mut s).iter().any(|e| matches!(
        e,
        Event::Response {
            outcome: Outcome::Failed(SessionError::TooManyResends { code: 48, .. }),
            ..
        }
    )));
    assert_eq!(s.pending_requests(), 0);
}

fn bad_msg(bad_msg_id: i64, error_code: i32) -> Vec<u8> {
    types::BadMsgNotification {
        bad_msg_id,
        bad_msg_seqno: 1,
        error_code,
    }
    .to_bytes()
}

/// The re-sent ping among what goes out at 1 s (with the ack of the
/// notification), as (msg_id, ping_id).
fn resent_ping(s: &mut Session) -> (i64, i64) {
    drain_transmits(s, at(1))
        .iter()
        .find_map(|(msg_id, b)| {
            functions::Ping::from_bytes(b)
                .ok()
                .map(|p| (*msg_id, p.ping_id))
        })
        .expect("the ping is re-sent")
}

#[test]
fn bad_msg_16_corrects_the_clock_and_resends() {
    // The server's clock is 1000 s ahead: our id is "too low". The
    // notification itself is outside our time window until corrected.
    let mut s = session();
    let (id, first) = ping(&mut s, 1);
    s.poll_transmit(at(0));
    let mut server = Server::new();
    server.clock_offset = 1000;
    server.send(&mut s, at(1), &bad_msg(first, 16));
    assert!(events(&mut s).is_empty(), "accepted after the correction");
    let (resent, _) = resent_ping(&mut s);
    assert_eq!(resent, s.msg_id_of(id).unwrap());
    assert_eq!(resent >> 32, T0 as i64 + 1001);
}

#[test]
fn bad_msg_17_corrects_the_clock_backwards_and_resends() {
    let mut s = session();
    let (id, first) = ping(&mut s, 1);
    s.poll_transmit(at(0));
    let mut server = Server::new();
    server.clock_offset = -1000;
    server.send(&mut s, at(1), &bad_msg(first, 17));
    let (resent, _) = resent_ping(&mut s);
    assert_eq!(resent, s.msg_id_of(id).unwrap());
    assert_eq!(resent >> 32, T0 as i64 + 1 - 1000);
}

#[test]
fn bad_msg_32_moves_seq_no_up_and_resends() {
    let mut s = session();
    let (_, first) = ping(&mut s, 1);
    let sent = s.poll_transmit(at(0)).unwrap();
    Server::new().send(&mut s, at(1), &bad_msg(first, 32));
    let resent = drain_transmits(&mut s, at(1));
    let ping_again = s.poll_transmit(at(1));
    assert!(ping_again.is_none());
    // Re-sent ping plus the ack of the notification, in a container.
    let seq = {
        let t = {
            let mut s2 = session();
            let (_, f) = ping(&mut s2, 1);
            s2.poll_transmit(at(0));
            Server::new().send(&mut s2, at(1), &bad_msg(f, 32));
            s2.poll_transmit(at(1)).unwrap()
        };
        container::unpack(t.msg_id, &t.body, &ContainerLimits::default())
            .unwrap()
            .iter()
            .find(|m| functions::Ping::from_bytes(m.body.as_bytes()).is_ok())
            .unwrap()
            .seqno
    };
    assert!(
        seq > sent.seq_no + 64,
        "seq_no {seq} jumped past the old one"
    );
    assert!(resent
        .iter()
        .any(|(_, b)| functions::Ping::from_bytes(b).is_ok()));
}

#[test]
fn bad_msg_with_an_unfixable_code_is_reported_and_resends_are_bounded() {
    let mut s = Session::new(
        SessionConfig {
            max_resends: 2,
            ..config()
        },
        SESSION,
        SALT,
        at(0),
    );
    let (id, _) = ping(&mut s, 1);
    let mut server = Server::new();
    for _ in 0..3 {
        let msg_id = s.msg_id_of(id).unwrap();
        drain_transmits(&mut s, at(0));
        server.send(&mut s, at(1), &bad_msg(msg_id, 35));
    }
    let all = events(&mut s);
    assert!(all.contains(&Event::BadMsg {
        msg_id: all
            .iter()
            .find_map(|e| match e {
                Event::BadMsg { msg_id, .. } => Some(*msg_id),
                _ => None,
            })
            .unwrap(),
        code: 35
    }));
    assert!(all.iter().any(|e| matches!(
        e,
        Event::Response {
            outcome: Outcome::Failed(SessionError::TooManyResends { code: 35, .. }),
            ..
        }
    )));
    assert_eq!(s.pending_requests(), 0);
}

#[test]
fn new_session_created_is_an_event_with_the_new_salt_and_resends_older_requests() {
    let mut s = session();
    let (old, old_msg_id) = ping(&mut s, 1);
    let (newer, newer_msg_id) = ping(&mut s, 2);
    s.poll_transmit(at(0));
    let created = types::NewSessionCreated {
        first_msg_id: newer_msg_id,
        unique_id: 0x0e1d,
        server_salt: 0x0ee5a17,
    };
    Server::new().send(&mut s, at(1), &created.to_bytes());
    let all = events(&mut s);
    assert!(all.contains(&Event::NewSession {
        first_msg_id: newer_msg_id,
        unique_id: 0x0e1d,
        resent: 1
    }));
    assert_eq!(s.salt(at(1)), 0x0ee5a17);
    assert_ne!(s.msg_id_of(old), Some(old_msg_id), "re-sent");
    assert_eq!(
        s.msg_id_of(newer),
        Some(newer_msg_id),
        "covered by the new session"
    );
    let sent = drain_transmits(&mut s, at(1));
    assert!(sent
        .iter()
        .any(|(_, b)| functions::Ping::from_bytes(b).map(|p| p.ping_id) == Ok(1)));
    // The notification is content-related and acknowledged.
    assert!(sent
        .iter()
        .any(|(_, b)| types::MsgsAck::from_bytes(b).is_ok()));
}

#[test]
fn ping_delay_disconnect_is_due_every_interval() {
    let mut s = session();
    assert_eq!(s.poll_timeout(), Some(at(60)));
    s.handle_timeout(at(59));
    assert!(s.poll_transmit(at(59)).is_none(), "not due yet");
    s.handle_timeout(at(60));
    let sent = s.poll_transmit(at(60)).unwrap();
    let ping = functions::PingDelayDisconnect::from_bytes(&sent.body).unwrap();
    assert_eq!(ping.disconnect_delay, 75);
    assert_eq!(s.poll_timeout(), Some(at(120)));
    // Its pong is consumed by the session, not reported.
    let pong = types::Pong {
        msg_id: sent.msg_id,
        ping_id: ping.ping_id,
    };
    Server::new().send(&mut s, at(61), &pong.to_bytes());
    assert!(events(&mut s).is_empty());
    assert_eq!(s.pending_requests(), 0);
}

#[test]
fn ping_interval_and_delay_are_configurable() {
    let mut s = Session::new(
        SessionConfig {
            ping_interval: Duration::from_secs(10),
            disconnect_delay: Duration::from_secs(15),
            ..config()
        },
        SESSION,
        SALT,
        at(0),
    );
    assert_eq!(s.poll_timeout(), Some(at(10)));
    s.handle_timeout(at(10));
    let sent = s.poll_transmit(at(10)).unwrap();
    assert_eq!(
        functions::PingDelayDisconnect::from_bytes(&sent.body)
            .unwrap()
            .disconnect_delay,
        15
    );
}

#[test]
fn future_salts_are_fetched_stored_and_switched_mid_stream() {
    let mut s = Session::new(SessionConfig::default(), SESSION, SALT, at(0));
    // Nothing stored: a refresh is due at once.
    assert!(s.poll_timeout().unwrap() <= at(0));
    s.handle_timeout(at(0));
    let request = s.poll_transmit(at(0)).unwrap();
    assert_eq!(
        functions::GetFutureSalts::from_bytes(&request.body)
            .unwrap()
            .num,
        64
    );
    let t = T0 as i32;
    let answer = types::FutureSalts {
        req_msg_id: request.msg_id,
        now: t,
        salts: vec![
            types::FutureSalt {
                valid_since: t - 10,
                valid_until: t + 100,
                salt: 0xa,
            },
            types::FutureSalt {
                valid_since: t + 100,
                valid_until: t + 3700,
                salt: 0xb,
            },
        ],
    };
    // Future salts come unwrapped, like pong.
    Server::new().send(&mut s, at(1), &answer.to_bytes());
    assert!(events(&mut s).is_empty());
    ping(&mut s, 1);
    assert_eq!(s.poll_transmit(at(99)).unwrap().salt, 0xa);
    ping(&mut s, 2);
    assert_eq!(s.poll_transmit(at(100)).unwrap().salt, 0xb, "switched");
    // The next refresh is due the margin before the last salt expires.
    assert_eq!(s.poll_timeout(), Some(at(60)), "the ping comes first");
    s.handle_timeout(at(60));
    drain_transmits(&mut s, at(60));
    assert_eq!(s.poll_timeout(), Some(at(120)));
    let mut later = at(120);
    while later < at(3100) {
        s.handle_timeout(later);
        drain_transmits(&mut s, later);
        later = s.poll_timeout().unwrap();
    }
    assert_eq!(later, at(3100), "3700 - 600 s margin");
    s.handle_timeout(later);
    let sent = drain_transmits(&mut s, later);
    assert!(sent
        .iter()
        .any(|(_, b)| functions::GetFutureSalts::from_bytes(b).is_ok()));
}

#[test]
fn the_longest_lived_valid_salt_wins() {
    let mut salts = mtproto::salt::SaltStore::new(1);
    salts.add([
        types::FutureSalt {
            valid_since: 0,
            valid_until: 200,
            salt: 2,
        },
        types::FutureSalt {
            valid_since: 50,
            valid_until: 300,
            salt: 3,
        },
    ]);
    assert_eq!(salts.current(UnixTime::from_secs(10)), 2);
    assert_eq!(salts.current(UnixTime::from_secs(60)), 3);
    assert_eq!(salts.current(UnixTime::from_secs(300)), 1, "all expired");
}

#[test]
fn msgs_state_req_is_answered_one_byte_per_id() {
    let mut s = session();
    let mut server = Server::new();
    let received = server.send(&mut s, at(1), &0xdead_beefu32.to_le_bytes());
    let never = received + 400;
    let future = (T0 as i64 + 3600) << 32 | 1;
    let ancient = (T0 as i64 - 3600) << 32 | 1;
    let req = types::MsgsStateReq {
        msg_ids: vec![received, never, future, ancient],
    };
    let req_id = server.send(&mut s, at(1), &req.to_bytes());
    let sent = drain_transmits(&mut s, at(1));
    let info = sent
        .iter()
        .find_map(|(_, b)| types::MsgsStateInfo::from_bytes(b).ok())
        .unwrap();
    assert_eq!(info.req_msg_id, req_id);
    assert_eq!(&info.info[..], &[4 | 8, 2, 3, 1]);
}

#[test]
fn msg_resend_req_resends_what_we_have_and_reports_the_rest() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 5);
    s.poll_transmit(at(0));
    let unknown = 999 << 2;
    let req = types::MsgResendReq {
        msg_ids: vec![msg_id, unknown],
    };
    Server::new().send(&mut s, at(1), &req.to_bytes());
    assert_eq!(
        events(&mut s),
        vec![Event::ResendUnavailable {
            msg_ids: vec![unknown]
        }]
    );
    let sent = drain_transmits(&mut s, at(1));
    let again = sent
        .iter()
        .find(|(_, b)| functions::Ping::from_bytes(b).is_ok())
        .unwrap();
    assert_eq!(again.0, msg_id, "same msg_id, as asked");
    assert_eq!(s.msg_id_of(id), Some(msg_id));
}

#[test]
fn http_wait_defaults_in_http_mode() {
    let mut s = Session::new(
        SessionConfig {
            http_wait: Some(container::default_http_wait()),
            ..config()
        },
        SESSION,
        SALT,
        at(0),
    );
    let poll = s.poll_long_poll(at(0)).unwrap();
    let wait = types::HttpWait::from_bytes(&poll.body).unwrap();
    assert_eq!(
        (wait.max_delay, wait.wait_after, wait.max_wait),
        (0, 0, 25_000)
    );
    ping(&mut s, 1);
    let sent = bodies(&s.poll_transmit(at(0)).unwrap());
    assert!(sent
        .iter()
        .any(|(_, b)| types::HttpWait::from_bytes(b).is_ok()));
}

#[test]
fn plaintexts_round_trip_and_other_sessions_are_refused() {
    let mut s = session();
    let (id, msg_id) = ping(&mut s, 1);
    let sent = s.poll_transmit(at(0)).unwrap();
    let mut plaintext = Vec::new();
    sent.encode_plaintext(&mut SplitMix64::new(1), &mut plaintext)
        .unwrap();
    assert_eq!(plaintext.len() % 16, 0);

    let answer = Transmit {
        salt: SALT,
        session_id: SESSION,
        msg_id: (T0 as i64) << 32 | 1,
        seq_no: 1,
        body: rpc_result(msg_id, &types::Pong { msg_id, ping_id: 1 }),
    };
    let mut incoming = Vec::new();
    answer
        .encode_plaintext(&mut SplitMix64::new(2), &mut incoming)
        .unwrap();
    s.handle_plaintext(at(1), &incoming).unwrap();
    assert_eq!(response(&mut s).0, id);

    let other = Transmit {
        session_id: 1,
        ..answer
    };
    let mut foreign = Vec::new();
    other
        .encode_plaintext(&mut SplitMix64::new(3), &mut foreign)
        .unwrap();
    assert!(matches!(
        s.handle_plaintext(at(1), &foreign),
        Err(SessionError::WrongSession { found: 1, .. })
    ));
    assert!(matches!(
        s.handle_plaintext(at(1), &[0u8; 7]),
        Err(SessionError::Envelope(_))
    ));
}

#[test]
fn a_broken_container_is_refused_as_a_whole() {
    let mut s = session();
    let ping_body = functions::Ping { ping_id: 1 }.to_bytes();
    let container = types::MsgContainer {
        messages: vec![types::Message {
            msg_id: (T0 as i64 + 1) << 32 | 1,
            seqno: 1,
            body: RawObject::new(&ping_body[..]),
        }],
    }
    .to_bytes();
    let result = s.handle_message(at(1), (T0 as i64) << 32 | 1, 0, &container);
    assert!(matches!(
        result,
        Err(SessionError::Container(
            container::ContainerError::InnerIdNotLower { .. }
        ))
    ));
}
