//! A client [`Session`] and a small scripted server peer, both built from
//! this crate, over a real TCP connection on 127.0.0.1 with the
//! intermediate transport's tokio codec.
//!
//! The client sends 1001 requests in rounds of bulk sends (pings, some of
//! them chained with `invokeAfterMsg`, and `get_future_salts`); the server
//! answers in containers, gzip_packs the large answers, rotates its salt
//! once (`bad_server_salt`, the client re-sends), forces a new session once
//! (`new_session_created`) and holds one request until the client cancels
//! it (`rpc_drop_answer`).
//!
//! No encryption layer here: the plaintext of each encrypted message
//! (salt, session_id, msg_id, seq_no, body, padding) travels as it is, where
//! a real client would encrypt it with the auth key.
//!
//! Run: `cargo run --example loopback --features tokio`. It prints one line
//! and exits non-zero if any request was lost or it ran over 30 s.

use std::future::poll_fn;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use futures_core::Stream;
use futures_sink::Sink;
use mtproto::container::{self, ContainerLimits, Numbering, Outbox, OutgoingMessage};
use mtproto::envelope::EncryptedPlaintext;
use mtproto::msg_id::{MsgIdValidator, UnixTime};
use mtproto::random::SplitMix64;
use mtproto::service::{functions, types};
use mtproto::session::{pack_body, Event, Outcome, Session, SessionConfig};
use mtproto::transport::codec::{Codec, CodecError};
use mtproto::transport::{intermediate, Frame, Side};
use mtproto_types::{Constructor, Deserialize, RawObject, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

const PINGS: usize = 950;
const SALT_REQUESTS: usize = 50;
const ORDERED: usize = 50;
const ROUND: usize = 100;
/// A ping the server holds until it is cancelled.
const HELD_PING: i64 = -1;
const SESSION_ID: i64 = 0x0100_bac4;
const FIRST_SALT: i64 = 0x5a17_0001;
const SECOND_SALT: i64 = 0x5a17_0002;

type ClientCodec = Codec<intermediate::Encoder, intermediate::Decoder>;

fn now() -> UnixTime {
    UnixTime::from(SystemTime::now())
}

/// `SinkExt::send` without pulling in futures-util.
async fn send<S: Sink<T> + Unpin, T>(sink: &mut S, item: T) -> Result<(), S::Error> {
    poll_fn(|cx| Pin::new(&mut *sink).poll_ready(cx)).await?;
    Pin::new(&mut *sink).start_send(item)?;
    poll_fn(|cx| Pin::new(&mut *sink).poll_flush(cx)).await
}

/// `StreamExt::next` without pulling in futures-util.
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the server did, for the summary line.
#[derive(Debug, Default)]
struct ServerStats {
    gzip_packed: usize,
}

/// The server side: the same numbering, outbox and container rules as the
/// client, in the server role, and a little script.
struct ServerPeer {
    numbering: Numbering,
    incoming: MsgIdValidator,
    outbox: Outbox,
    salt: i64,
    answered: usize,
    salt_rotated: bool,
    session_recreated: bool,
    held: Option<i64>,
    rng: SplitMix64,
    stats: ServerStats,
}

impl ServerPeer {
    fn new() -> Self {
        Self {
            numbering: Numbering::new(Side::Server),
            incoming: MsgIdValidator::for_client_ids(),
            outbox: Outbox::new(ContainerLimits::default()),
            salt: FIRST_SALT,
            answered: 0,
            salt_rotated: false,
            session_recreated: false,
            held: None,
            rng: SplitMix64::new(0x5e),
            stats: ServerStats::default(),
        }
    }

    fn reply(&mut self, body: Vec<u8>, content_related: bool) {
        let (msg_id, seq_no) = self.numbering.next(now(), content_related);
        self.outbox.push(OutgoingMessage {
            msg_id,
            seq_no,
            body,
        });
    }

    fn rpc_result(&mut self, req_msg_id: i64, result: Vec<u8>) {
        let result = types::RpcResult {
            req_msg_id,
            result: RawObject::new(result),
        };
        self.reply(result.to_bytes(), true);
    }

    /// Handles one client packet (a plaintext) and returns the plaintexts
    /// to send back.
    fn handle(&mut self, packet: &[u8]) -> Result<Vec<Vec<u8>>, BoxError> {
        let message = EncryptedPlaintext::decode(packet)?;
        let now = now();
        self.incoming.accept(message.msg_id, now)?;
        let inner: Vec<(i64, i32, Vec<u8>)> =
            if message.body.get(..4) == Some(&container::MSG_CONTAINER_ID.to_le_bytes()) {
                container::unpack(message.msg_id, message.body, &ContainerLimits::default())?
                    .into_iter()
                    .map(|m| (m.msg_id, m.seqno, m.body.as_bytes().to_vec()))
                    .collect()
            } else {
                vec![(message.msg_id, message.seq_no, message.body.to_vec())]
            };
        let has_requests = inner.iter().any(|(_, seq, _)| seq & 1 == 1);
        // Script: the salt "expires" once, after 300 answers, on a packet
        // that carries requests, so that they must be re-sent.
        if has_requests && self.answered >= 300 && !self.salt_rotated {
            self.salt_rotated = true;
            self.salt = SECOND_SALT;
        }
        if message.salt != self.salt {
            let bad = types::BadServerSalt {
                bad_msg_id: message.msg_id,
                bad_msg_seqno: message.seq_no,
                error_code: 48,
                new_server_salt: self.salt,
            };
            self.reply(bad.to_bytes(), false);
            return Ok(self.flush());
        }
        // Script: after 600 answers the server "loses" the session once.
        if has_requests && self.answered >= 600 && !self.session_recreated {
            self.session_recreated = true;
            let created = types::NewSessionCreated {
                first_msg_id: inner[0].0,
                unique_id: 0x00e5_5102,
                server_salt: self.salt,
            };
            self.reply(created.to_bytes(), true);
        }
        for (msg_id, seq_no, body) in inner {
            if self.incoming.accept(msg_id, now).is_err() {
                continue;
            }
            if seq_no & 1 == 1 {
                self.outbox.ack(msg_id);
            }
            self.answer(msg_id, &body)?;
        }
        Ok(self.flush())
    }

    fn answer(&mut self, msg_id: i64, body: &[u8]) -> Result<(), BoxError> {
        let Some(id) = body
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        else {
            return Err("empty body".into());
        };
        match id {
            functions::InvokeAfterMsg::<RawObject>::CONSTRUCTOR_ID => {
                // Answered in order anyway: this peer is single-threaded.
                let wrapped = functions::InvokeAfterMsg::<RawObject>::from_bytes(body)?;
                self.answer(msg_id, wrapped.query.as_bytes())?;
            }
            functions::Ping::CONSTRUCTOR_ID => {
                let ping = functions::Ping::from_bytes(body)?;
                if ping.ping_id == HELD_PING {
                    self.held = Some(msg_id);
                    return Ok(());
                }
                self.answered += 1;
                let pong = types::Pong {
                    msg_id,
                    ping_id: ping.ping_id,
                };
                self.reply(pong.to_bytes(), false);
            }
            functions::GetFutureSalts::CONSTRUCTOR_ID => {
                let request = functions::GetFutureSalts::from_bytes(body)?;
                self.answered += 1;
                let since = (now().as_duration().as_secs() as i32) - 60;
                let salts = (0..request.num.clamp(1, 64))
                    .map(|i| types::FutureSalt {
                        valid_since: since + i * 1800,
                        valid_until: since + i * 1800 + 3600,
                        salt: SECOND_SALT,
                    })
                    .collect();
                let answer = types::FutureSalts {
                    req_msg_id: msg_id,
                    now: since + 60,
                    salts,
                }
                .to_bytes();
                let packed = pack_body(answer, Some(512));
                if packed.get(..4) == Some(&types::GzipPacked::CONSTRUCTOR_ID.to_le_bytes()) {
                    self.stats.gzip_packed += 1;
                }
                self.rpc_result(msg_id, packed);
            }
            functions::RpcDropAnswer::CONSTRUCTOR_ID => {
                let drop = functions::RpcDropAnswer::from_bytes(body)?;
                let running = types::RpcAnswerDroppedRunning {}.to_bytes();
                if self.held == Some(drop.req_msg_id) {
                    self.held = None;
                    // Both the drop and the original get the answer.
                    self.rpc_result(drop.req_msg_id, running.clone());
                    self.rpc_result(msg_id, running);
                } else {
                    self.rpc_result(msg_id, types::RpcAnswerUnknown {}.to_bytes());
                }
            }
            // Acknowledgments need no answer.
            types::MsgsAck::CONSTRUCTOR_ID => {}
            other => return Err(format!("unexpected request {other:#010x}").into()),
        }
        Ok(())
    }

    fn flush(&mut self) -> Vec<Vec<u8>> {
        let now = now();
        std::iter::from_fn(|| self.outbox.flush(&mut self.numbering, now))
            .map(|packet| {
                let mut plaintext = Vec::new();
                EncryptedPlaintext {
                    salt: self.salt,
                    session_id: SESSION_ID,
                    msg_id: packet.msg_id,
                    seq_no: packet.seq_no,
                    body: &packet.body,
                }
                .encode(&mut self.rng, &mut plaintext)
                .expect("bodies are TL serializations");
                plaintext
            })
            .collect()
    }
}

async fn serve(listener: TcpListener) -> Result<ServerStats, BoxError> {
    let (stream, _) = listener.accept().await?;
    let mut framed = Framed::new(
        stream,
        Codec::new(
            intermediate::Encoder::server(),
            intermediate::Decoder::server(),
        ),
    );
    let mut peer = ServerPeer::new();
    while let Some(frame) = next(&mut framed).await {
        let Frame::Packet { payload, .. } = frame? else {
            continue;
        };
        for packet in peer.handle(&payload)? {
            send(&mut framed, &packet[..]).await?;
        }
    }
    Ok(peer.stats)
}

/// What the client saw.
#[derive(Debug, Default)]
struct Summary {
    requests: usize,
    answered: usize,
    containers: usize,
    salt_changes: usize,
    new_sessions: usize,
    cancelled: usize,
}

async fn flush_client(
    session: &mut Session,
    framed: &mut Framed<TcpStream, ClientCodec>,
    rng: &mut SplitMix64,
) -> Result<(), CodecError> {
    while let Some(transmit) = session.poll_transmit(now()) {
        let mut plaintext = Vec::new();
        transmit
            .encode_plaintext(rng, &mut plaintext)
            .expect("bodies are TL serializations");
        send(framed, &plaintext[..]).await?;
    }
    Ok(())
}

async fn run() -> Result<(Summary, ServerStats), BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener));

    let stream = TcpStream::connect(addr).await?;
    let mut framed = Framed::new(
        stream,
        Codec::new(
            intermediate::Encoder::client(),
            intermediate::Decoder::client(),
        ),
    );
    let mut rng = SplitMix64::new(0xc1);
    let mut session = Session::new(SessionConfig::default(), SESSION_ID, FIRST_SALT, now());
    let mut summary = Summary::default();

    // The work, in rounds of ROUND requests sent in bulk.
    let mut work: Vec<Vec<u8>> = (0..PINGS)
        .map(|i| functions::Ping { ping_id: i as i64 }.to_bytes())
        .collect();
    for i in 0..SALT_REQUESTS {
        work.insert(i * 19, functions::GetFutureSalts { num: 64 }.to_bytes());
    }
    let ordered: Vec<functions::Ping> = (0..ORDERED)
        .map(|i| functions::Ping {
            ping_id: 10_000 + i as i64,
        })
        .collect();

    let held = session.enqueue(&functions::Ping { ping_id: HELD_PING }, now());
    summary.requests += 1;
    let mut cancelled = false;
    let mut rounds = work.chunks(ROUND);
    let mut ordered_sent = false;
    loop {
        if summary.answered + ROUND / 2 >= summary.requests {
            if let Some(round) = rounds.next() {
                for query in round {
                    session.enqueue_raw(query.clone(), now());
                }
                summary.requests += round.len();
            } else if !ordered_sent {
                ordered_sent = true;
                summary.requests += session.enqueue_ordered(&ordered, now()).len();
            }
        }
        if !cancelled && summary.answered >= 500 {
            cancelled = session.cancel(held, now());
        }
        if let Some(at) = session.poll_timeout() {
            if at <= now() {
                session.handle_timeout(now());
            }
        }
        flush_client(&mut session, &mut framed, &mut rng).await?;
        if summary.answered == summary.requests && ordered_sent {
            break;
        }
        let frame = tokio::time::timeout(Duration::from_secs(5), next(&mut framed))
            .await
            .map_err(|_| "no answer from the server for 5 s")?
            .ok_or("the server closed the connection")??;
        let Frame::Packet { payload, .. } = frame else {
            continue;
        };
        if let Ok(plaintext) = EncryptedPlaintext::decode(&payload) {
            if plaintext.body.get(..4) == Some(&container::MSG_CONTAINER_ID.to_le_bytes()) {
                summary.containers += 1;
            }
        }
        session.handle_plaintext(now(), &payload)?;
        while let Some(event) = session.poll_event() {
            match event {
                Event::Response { outcome, .. } => match outcome {
                    Outcome::Result(_) => summary.answered += 1,
                    Outcome::Cancelled(_) => {
                        summary.answered += 1;
                        summary.cancelled += 1;
                    }
                    Outcome::Error(e) => return Err(format!("unexpected {e}").into()),
                    Outcome::Failed(e) => return Err(format!("request failed: {e}").into()),
                },
                Event::SaltChanged { .. } => summary.salt_changes += 1,
                Event::NewSession { .. } => summary.new_sessions += 1,
                Event::ProtocolError { error, .. } => return Err(error.into()),
                Event::BadIncomingMsgId(error) => return Err(error.into()),
                _ => {}
            }
        }
    }
    drop(framed);
    let stats = server.await??;
    if summary.salt_changes == 0 || summary.new_sessions == 0 || summary.cancelled != 1 {
        return Err(format!("the script did not run through: {summary:?}").into());
    }
    Ok((summary, stats))
}

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(Duration::from_secs(30), run()).await {
        Ok(Ok((summary, stats))) => {
            let lost = summary.requests - summary.answered;
            println!(
                "loopback: {} requests, {} answered, {} containers, {} gzip_packed, {} lost",
                summary.requests, summary.answered, summary.containers, stats.gzip_packed, lost
            );
            if lost == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Ok(Err(error)) => {
            eprintln!("loopback: failed: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("loopback: failed: over the 30 s limit");
            ExitCode::FAILURE
        }
    }
}
