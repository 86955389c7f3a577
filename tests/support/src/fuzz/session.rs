//! Target `session`: one session driven by a script read from the input.

use mtproto::container::{self, ContainerLimits};
use mtproto::msg_id::UnixTime;
use mtproto::session::{Session, SessionConfig};
use mtproto_types::Serialize;

use super::layers::DYNAMIC_MAX_INFLATED;
use crate::counting::bounded;

const T0: u64 = 1_700_000_000;

/// Reads the input as a script of operations on one session:
/// - `0`: a message from a well-behaved server clock (msg_id fresh, 1 mod 4)
///   with a body taken from the input;
/// - `1`: the same with a raw msg_id and seq_no from the input;
/// - `2`: an `rpc_result` for a pending request with a body from the input;
/// - `3`: a whole plaintext (envelope) from the input;
/// - `4`: enqueue a request; `5`: cancel one; `6`: time passes;
/// - `7`: the same msg_id again (a duplicate).
///
/// After each step pending transmissions and events are drained and
/// checked: what the session sends decodes, and containers unpack.
pub fn session(data: &[u8]) {
    let config = SessionConfig {
        max_inflated: DYNAMIC_MAX_INFLATED,
        ..SessionConfig::default()
    };
    let limit = 64 * data.len() + (256 << 10) + 2 * DYNAMIC_MAX_INFLATED;
    bounded("session", limit, || {
        let mut now_secs = 0u64;
        let now = |s: u64| UnixTime::from_secs(T0 + s);
        let session_id = 0x5e55_1011;
        let mut session = Session::new(config, session_id, 0x5a17, now(0));
        let mut requests = Vec::new();
        let mut counter: i64 = 0;
        let mut last_msg_id = 0i64;
        let mut input = Bytes(data);
        while let Some(op) = input.u8() {
            let t = now(now_secs);
            let server_id = |counter: &mut i64, secs: u64| {
                *counter += 1;
                (((T0 + secs) as i64) << 32) | (*counter << 2) | 1
            };
            match op % 8 {
                0 => {
                    let body = input.chunk();
                    let msg_id = server_id(&mut counter, now_secs);
                    last_msg_id = msg_id;
                    let _ = session.handle_message(t, msg_id, (counter as i32) * 2 + 1, body);
                }
                1 => {
                    let msg_id = input.i64();
                    let seq_no = input.i64() as i32;
                    let body = input.chunk();
                    let _ = session.handle_message(t, msg_id, seq_no, body);
                }
                2 => {
                    let which = input.u8().unwrap_or(0);
                    let body = input.chunk();
                    let pending: Vec<i64> = requests
                        .iter()
                        .filter_map(|r| session.msg_id_of(*r))
                        .collect();
                    let req_msg_id = match pending.len() {
                        0 => input.i64(),
                        n => pending[usize::from(which) % n],
                    };
                    let mut result = Vec::with_capacity(12 + body.len());
                    result.extend_from_slice(&0xf35c_6d01u32.to_le_bytes());
                    result.extend_from_slice(&req_msg_id.to_le_bytes());
                    result.extend_from_slice(body);
                    let msg_id = server_id(&mut counter, now_secs);
                    last_msg_id = msg_id;
                    let _ = session.handle_message(t, msg_id, 1, &result);
                }
                3 => {
                    let plaintext = input.chunk();
                    let _ = session.handle_plaintext(t, plaintext);
                }
                4 => {
                    let ping_id = input.i64();
                    requests
                        .push(session.enqueue(&mtproto::service::functions::Ping { ping_id }, t));
                }
                5 => {
                    if let Some(&r) = requests.get(usize::from(input.u8().unwrap_or(0))) {
                        session.cancel(r, t);
                    }
                }
                6 => {
                    now_secs += u64::from(input.u8().unwrap_or(1));
                    session.handle_timeout(now(now_secs));
                }
                _ => {
                    let body = input.chunk();
                    let _ = session.handle_message(t, last_msg_id, 1, body);
                }
            }
            drain(&mut session, now(now_secs));
        }
    });
}

fn drain(session: &mut Session, now: UnixTime) {
    let limits = ContainerLimits::default();
    let mut sends = 0;
    while let Some(transmit) = session.poll_transmit(now) {
        sends += 1;
        assert!(sends < 10_000, "the session keeps sending");
        let body = &transmit.body;
        if body.get(..4) == Some(&container::MSG_CONTAINER_ID.to_le_bytes()[..]) {
            let inner = container::unpack(transmit.msg_id, body, &limits)
                .unwrap_or_else(|e| panic!("the session sent a container unpack rejects: {e}"));
            for m in inner {
                sent_message_decodes(m.body.as_bytes());
            }
        } else {
            sent_message_decodes(body);
        }
    }
    let mut events = 0;
    while session.poll_event().is_some() {
        events += 1;
        assert!(events < 100_000, "the session keeps reporting");
    }
}

/// Everything the session sends itself is a service message: it decodes
/// with the generated service layer and encodes back to the same bytes.
fn sent_message_decodes(body: &[u8]) {
    match mtproto::service::decode_by_id(body) {
        Some(Ok(value)) => assert_eq!(value.to_bytes(), body, "sent {value:?}"),
        Some(Err(e)) => panic!("the session sent a message that does not decode: {e}"),
        None => panic!("the session sent an unknown constructor: {body:02x?}"),
    }
}

/// A cursor over the fuzz input that never fails: past the end it yields
/// zeros and empty chunks.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn i64(&mut self) -> i64 {
        let mut word = [0u8; 8];
        let n = self.0.len().min(8);
        word[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        i64::from_le_bytes(word)
    }
    /// A length byte (in 4-byte words), then that many bytes.
    fn chunk(&mut self) -> &'a [u8] {
        let words = usize::from(self.u8().unwrap_or(0));
        let n = (words * 4).min(self.0.len());
        let (chunk, rest) = self.0.split_at(n);
        self.0 = rest;
        chunk
    }
}
