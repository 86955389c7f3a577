//! The inputs of the codec benches (written from the wire rules), the
//! operations they time, and grammers-mtproto's hand-written container
//! parsing restated over grammers-tl-types, shared by `codec` (criterion)
//! and `codec_interleaved` (ratios from alternating short rounds).

use grammers_tl_types::{self as gt, Cursor, Deserializable, Serializable};
use mtproto::service::types as svc;
use mtproto_types::Deserialize;

// ---------------------------------------------------------------------------
// Input bytes, written from the wire rules.

pub struct W(Vec<u8>);

impl W {
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn bytes(&mut self, data: &[u8]) -> &mut Self {
        let header = if data.len() <= 253 {
            self.0.push(data.len() as u8);
            1
        } else {
            let n = data.len();
            self.0
                .extend_from_slice(&[254, n as u8, (n >> 8) as u8, (n >> 16) as u8]);
            4
        };
        self.0.extend_from_slice(data);
        let total = header + data.len();
        self.0.resize(self.0.len() + (4 - total % 4) % 4, 0);
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    pub fn vector(&mut self, count: usize) -> &mut Self {
        self.u32(0x1cb5c415).u32(count as u32)
    }
}

/// The bodies of 1000 small service messages.
pub fn service_bodies() -> Vec<Vec<u8>> {
    (0..1000i64)
        .map(|i| {
            let mut w = W(Vec::new());
            match i % 3 {
                0 => w.u32(0x347773c5).i64(0x5e0b_8000_0000_0001 + 4 * i).i64(i), // pong
                1 => w.u32(0x62d6b459).vector(2).i64(i << 2).i64((i + 1) << 2),   // msgs_ack
                _ => w.u32(0x9ec20908).i64(i << 2).i64(i * 7).i64(-i), // new_session_created
            };
            w.0
        })
        .collect()
}

/// The bodies of 1000 `rpc_result`s with 100-byte results.
pub fn rpc_result_bodies() -> Vec<Vec<u8>> {
    (0..1000i64)
        .map(|i| {
            let mut w = W(Vec::new());
            w.u32(0xf35c6d01).i64(0x5e0b_8000_0000_0000 + 4 * i);
            w.u32(0x2144ca19); // some boxed value: 4 + 96 bytes
            w.0.extend((0..96).map(|b| (b + i) as u8));
            w.0
        })
        .collect()
}

pub fn container(bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut w = W(Vec::new());
    w.u32(0x73f1f8dc).u32(bodies.len() as u32);
    for (i, body) in bodies.iter().enumerate() {
        w.i64(0x5e0b_8000_0000_0001 + 4 * i as i64)
            .i32(2 * i as i32 + 1)
            .i32(body.len() as i32);
        w.0.extend_from_slice(body);
    }
    w.0
}

/// `messages.messages` with 100 messages, 10 users and a chat.
pub fn messages_messages() -> Vec<u8> {
    let texts = [
        "See you at 7 at the usual place?",
        "Das Treffen ist morgen um 10:00 — bitte die Unterlagen mitbringen.",
        "Привет! Как дела? Посмотри ссылку https://example.org/article/42",
        "👍 sounds good, I'll bring the slides and the demo build",
        "Release notes: fixed the crash on startup, faster sync, new dark theme for everyone.",
    ];
    let mut w = W(Vec::new());
    w.u32(0x1d73e7ea).vector(100);
    for i in 0..100i32 {
        let photo = i % 5 == 0;
        let reply = i % 7 == 3;
        let text = texts[i as usize % texts.len()];
        // flags: out(1) if even, reply_to(3), entities(7), from_id(8), media(9).
        let mut flags = (1 << 7) | (1 << 8);
        if i % 2 == 0 {
            flags |= 1 << 1;
        }
        if reply {
            flags |= 1 << 3;
        }
        if photo {
            flags |= 1 << 9;
        }
        w.u32(0x7600b9d3).u32(flags).u32(0); // message, flags, flags2
        w.i32(100_000 + i); // id
        w.u32(0x59511722).i64(1_000_000 + i64::from(i % 10)); // from_id: peerUser
        w.u32(0x36c6019a).i64(777); // peer_id: peerChat
        if reply {
            // messageReplyHeader with reply_to_msg_id (bit 4).
            w.u32(0x1b97dd66).u32(1 << 4).i32(100_000 + i - 1);
        }
        w.i32(1_700_000_000 + 60 * i); // date
        w.str(text);
        if photo {
            // messageMediaPhoto { photo: photo { sizes: stripped, 2 sizes } }
            w.u32(0xe216eb63).u32(1);
            w.u32(0xfb197a65).u32(0);
            w.i64(5_000_000_000 + i64::from(i))
                .i64(-1234567890123 * i64::from(i));
            w.bytes(&[7u8; 29]); // file_reference
            w.i32(1_700_000_000 + 60 * i);
            w.vector(3);
            w.u32(0xe0b0bc2e).str("i").bytes(&[1u8; 120]);
            w.u32(0x75c78e60).str("m").i32(320).i32(240).i32(18_000);
            w.u32(0x75c78e60).str("x").i32(800).i32(600).i32(64_000);
            w.i32(2); // dc_id
        }
        // entities: a bold word and a text URL.
        w.vector(2);
        w.u32(0xbd610bc9).i32(0).i32(3);
        w.u32(0x76a6d327)
            .i32(4)
            .i32(8)
            .str("https://example.org/a/very/long/path?with=query");
    }
    w.vector(0); // topics
                 // chats: one chat with no photo.
    w.vector(1);
    w.u32(0x41cbf256).u32(0).i64(777).str("Project team");
    w.u32(0x37c1011c); // chatPhotoEmpty
    w.i32(12).i32(1_650_000_000).i32(3);
    // users: ten users with names, username, access hash and status.
    w.vector(10);
    for u in 0..10i64 {
        // flags: access_hash(0), first_name(1), last_name(2), username(3), status(6).
        w.u32(0xb1b8cc83)
            .u32(1 | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6))
            .u32(0);
        w.i64(1_000_000 + u).i64(0x1234_5678_9abc_def0 ^ u);
        w.str(["Anna", "Boris", "Chen", "Dana", "Emil"][u as usize % 5]);
        w.str(["Schmidt", "Ivanov", "Wei", "Levi", "Novak"][u as usize % 5]);
        w.str(&format!("user_{u}_handle"));
        w.u32(0x7b197dc8).u32(0); // userStatusRecently
    }
    w.0
}

// ---------------------------------------------------------------------------
// grammers-mtproto's hand-written container and rpc_result parsing
// (`manual_tl`), restated over grammers-tl-types' `Cursor`.

pub mod grammers_manual {
    use super::*;

    pub struct Message {
        pub msg_id: i64,
        pub seq_no: i32,
        pub body: Vec<u8>,
    }

    pub fn container(bytes: &[u8]) -> gt::deserialize::Result<Vec<Message>> {
        let mut buf = Cursor::from_slice(bytes);
        let id = <u32 as Deserializable>::deserialize(&mut buf)?;
        if id != 0x73f1f8dc {
            return Err(gt::deserialize::Error::UnexpectedConstructor { id });
        }
        let len = <i32 as Deserializable>::deserialize(&mut buf)?;
        let mut messages = Vec::with_capacity(len.max(0) as usize);
        for _ in 0..len {
            let msg_id = <i64 as Deserializable>::deserialize(&mut buf)?;
            let seq_no = <i32 as Deserializable>::deserialize(&mut buf)?;
            let len = <i32 as Deserializable>::deserialize(&mut buf)?;
            let mut body = vec![0; len.max(0) as usize];
            buf.read_exact(&mut body)?;
            messages.push(Message {
                msg_id,
                seq_no,
                body,
            });
        }
        Ok(messages)
    }

    pub struct RpcResult {
        pub req_msg_id: i64,
        pub result: Vec<u8>,
    }

    pub fn rpc_result(bytes: &[u8]) -> gt::deserialize::Result<RpcResult> {
        let mut buf = Cursor::from_slice(bytes);
        let id = <u32 as Deserializable>::deserialize(&mut buf)?;
        if id != 0xf35c6d01 {
            return Err(gt::deserialize::Error::UnexpectedConstructor { id });
        }
        let req_msg_id = <i64 as Deserializable>::deserialize(&mut buf)?;
        let mut result = Vec::new();
        buf.read_to_end(&mut result)?;
        Ok(RpcResult { req_msg_id, result })
    }

    pub fn serialize(messages: &[Message]) -> Vec<u8> {
        let mut out = Vec::new();
        0x73f1f8dcu32.serialize(&mut out);
        (messages.len() as i32).serialize(&mut out);
        for m in messages {
            m.msg_id.serialize(&mut out);
            m.seq_no.serialize(&mut out);
            (m.body.len() as i32).serialize(&mut out);
            out.extend_from_slice(&m.body);
        }
        out
    }
}

/// A decoded service message, in ours and in grammers' types.
#[allow(dead_code)]
pub enum Ours {
    Pong(svc::Pong),
    Ack(svc::MsgsAck),
    NewSession(svc::NewSessionCreated),
}

#[allow(dead_code)]
pub enum Theirs {
    Pong(gt::enums::Pong),
    Ack(gt::enums::MsgsAck),
    NewSession(gt::enums::NewSession),
}

pub fn decode_ours_service(bytes: &[u8]) -> Vec<Ours> {
    let container = svc::MsgContainer::from_bytes(bytes).unwrap();
    container
        .messages
        .iter()
        .map(|m| match m.body.constructor_id() {
            Some(0x347773c5) => Ours::Pong(m.body.decode().unwrap()),
            Some(0x62d6b459) => Ours::Ack(m.body.decode().unwrap()),
            _ => Ours::NewSession(m.body.decode().unwrap()),
        })
        .collect()
}

pub fn decode_theirs_service(bytes: &[u8]) -> Vec<Theirs> {
    grammers_manual::container(bytes)
        .unwrap()
        .iter()
        .map(
            |m| match u32::from_le_bytes(m.body[..4].try_into().unwrap()) {
                0x347773c5 => Theirs::Pong(gt::enums::Pong::from_bytes(&m.body).unwrap()),
                0x62d6b459 => Theirs::Ack(gt::enums::MsgsAck::from_bytes(&m.body).unwrap()),
                _ => Theirs::NewSession(gt::enums::NewSession::from_bytes(&m.body).unwrap()),
            },
        )
        .collect()
}

/// Decodes a container of `rpc_result`s with ours, results left raw
/// (borrowed); returns a checksum so nothing is optimized away.
pub fn decode_ours_rpc(bytes: &[u8]) -> i64 {
    let container = svc::MsgContainer::from_bytes(bytes).unwrap();
    let mut sum = 0i64;
    for m in &container.messages {
        let r: svc::RpcResult = m.body.decode().unwrap();
        sum = sum.wrapping_add(r.req_msg_id) + r.result.as_bytes().len() as i64;
    }
    sum
}

/// Decodes a container of `rpc_result`s as grammers-mtproto does (results
/// copied out).
pub fn decode_theirs_rpc(bytes: &[u8]) -> i64 {
    let messages = grammers_manual::container(bytes).unwrap();
    let mut sum = 0i64;
    for m in &messages {
        let r = grammers_manual::rpc_result(&m.body).unwrap();
        sum = sum.wrapping_add(r.req_msg_id) + r.result.len() as i64;
    }
    sum
}
