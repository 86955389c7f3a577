//! The scripted server and the helpers every session test uses: fixed
//! clocks and ids, and what the session sent or reported, collected.

use mtproto::container::{self, ContainerLimits};
use mtproto::msg_id::UnixTime;
use mtproto::service::{functions, types};
use mtproto::session::{Event, Outcome, RequestId, Session, SessionConfig, Transmit};
use mtproto_types::{RawObject, Serialize};

pub(crate) const T0: u64 = 1_700_000_000;
pub(crate) const SESSION: i64 = 0x5e55_1011;
pub(crate) const SALT: i64 = 0x5a17;

pub(crate) fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(T0 + secs)
}

/// A scripted server: numbers its messages 1 mod 4 on its own clock.
pub(crate) struct Server {
    pub(crate) clock_offset: i64,
    pub(crate) counter: i64,
}

impl Server {
    pub(crate) fn new() -> Self {
        Self {
            clock_offset: 0,
            counter: 0,
        }
    }

    pub(crate) fn msg_id(&mut self, now: UnixTime) -> i64 {
        self.counter += 1;
        ((T0 as i64 + self.clock_offset + (now.as_duration().as_secs() as i64 - T0 as i64)) << 32)
            | (self.counter << 2)
            | 1
    }

    pub(crate) fn send(&mut self, session: &mut Session, now: UnixTime, body: &[u8]) -> i64 {
        let msg_id = self.msg_id(now);
        session.handle_message(now, msg_id, 1, body).unwrap();
        msg_id
    }
}

pub(crate) fn config() -> SessionConfig {
    SessionConfig {
        future_salts: None,
        ..SessionConfig::default()
    }
}

pub(crate) fn session() -> Session {
    Session::new(config(), SESSION, SALT, at(0))
}

pub(crate) fn rpc_result(req_msg_id: i64, result: &impl Serialize) -> Vec<u8> {
    types::RpcResult {
        req_msg_id,
        result: RawObject::from_value(result),
    }
    .to_bytes()
}

/// All message bodies in a transmit, with their msg_ids.
pub(crate) fn bodies(transmit: &Transmit) -> Vec<(i64, Vec<u8>)> {
    if transmit.body[..4] == container::MSG_CONTAINER_ID.to_le_bytes() {
        container::unpack(transmit.msg_id, &transmit.body, &ContainerLimits::default())
            .unwrap()
            .into_iter()
            .map(|m| (m.msg_id, m.body.as_bytes().to_vec()))
            .collect()
    } else {
        vec![(transmit.msg_id, transmit.body.clone())]
    }
}

pub(crate) fn drain_transmits(session: &mut Session, now: UnixTime) -> Vec<(i64, Vec<u8>)> {
    std::iter::from_fn(|| session.poll_transmit(now))
        .flat_map(|t| bodies(&t))
        .collect()
}

pub(crate) fn events(session: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| session.poll_event()).collect()
}

pub(crate) fn response(session: &mut Session) -> (RequestId, Outcome) {
    for event in events(session) {
        if let Event::Response { request, outcome } = event {
            return (request, outcome);
        }
    }
    panic!("no response");
}

pub(crate) fn ping(session: &mut Session, ping_id: i64) -> (RequestId, i64) {
    let id = session.enqueue(&functions::Ping { ping_id }, at(0));
    (id, session.msg_id_of(id).unwrap())
}
