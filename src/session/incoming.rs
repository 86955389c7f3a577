//! Incoming messages: ids checked and acks owed, `gzip_packed` inflated,
//! each service message decoded once into its typed value and acted on;
//! anything else goes to the caller as an update.

use std::borrow::Cow;

use mtproto_types::{Constructor, RawObject, Serialize};

use super::answers::Answer;
use super::body::{self, decode, unpack_body};
use super::{Event, Session, SessionError};
use crate::container::OutgoingMessage;
use crate::msg_id::{BadMsgCode, MsgIdError, UnixTime};
use crate::rpc_error::RpcError;
use crate::service::types;

impl Session {
    /// Handles one message: a top-level one, or one out of a container.
    pub(crate) fn receive(&mut self, now: UnixTime, msg_id: i64, seq_no: i32, body: &[u8]) {
        let constructor = RawObject::new(body).constructor_id();
        // A bad_msg_notification 16/17 says our clock is off; the message
        // carrying it is itself outside our (wrong) time window, so it is
        // read, and the clock corrected, before its id is checked. Anything
        // else is read only once its id is accepted.
        let bad_msg = (constructor == Some(types::BadMsgNotification::CONSTRUCTOR_ID))
            .then(|| decode::<types::BadMsgNotification>(body));
        if let Some(Ok(note)) = &bad_msg {
            self.correct_clock(now, msg_id, note);
        }
        if !self.accept_id(now, msg_id, seq_no) {
            return;
        }
        let handled = match bad_msg {
            Some(note) => note.map(|note| self.on_bad_msg(now, note)),
            None => self.dispatch(now, msg_id, constructor, body),
        };
        if let Err(error) = handled {
            self.events
                .push_back(Event::ProtocolError { msg_id, error });
        }
    }

    /// Corrects the clock from a notification about one of our messages.
    fn correct_clock(&mut self, now: UnixTime, msg_id: i64, note: &types::BadMsgNotification) {
        let ours = self.requests.id_of(note.bad_msg_id).is_some()
            || self.sent_containers.contains(&note.bad_msg_id);
        if ours {
            self.numbering
                .ids()
                .correct_from_bad_msg(note.error_code, msg_id, now);
        }
    }

    /// Validates an incoming msg_id and owes an ack for a content-related
    /// message. `false`: drop the message.
    pub(crate) fn accept_id(&mut self, now: UnixTime, msg_id: i64, seq_no: i32) -> bool {
        let server_now = self.numbering.server_now(now);
        match self.incoming.accept(msg_id, server_now) {
            Ok(()) => {
                if seq_no & 1 == 1 {
                    self.outbox.ack(msg_id);
                }
                true
            }
            // Already handled; the ack may have been lost, so owe it again.
            Err(MsgIdError::Duplicate { .. }) => {
                if seq_no & 1 == 1 {
                    self.outbox.ack(msg_id);
                }
                false
            }
            Err(error) => {
                self.events.push_back(Event::BadIncomingMsgId(error));
                false
            }
        }
    }

    /// Decodes an accepted message whose first four bytes are
    /// `constructor`, and acts on it.
    fn dispatch(
        &mut self,
        now: UnixTime,
        msg_id: i64,
        constructor: Option<u32>,
        body: &[u8],
    ) -> Result<(), SessionError> {
        let Some(constructor) = constructor else {
            return Err(SessionError::Decode {
                what: "message body",
                error: mtproto_types::Error::new(
                    mtproto_types::ErrorKind::UnexpectedEof {
                        needed: 4,
                        available: body.len(),
                    },
                    0,
                ),
            });
        };
        match constructor {
            types::GzipPacked::CONSTRUCTOR_ID => {
                // Recurses once at most: `inflate` refuses a gzip_packed
                // inside a gzip_packed.
                let inflated = body::inflate(body, self.config.max_inflated)?;
                let constructor = RawObject::new(&inflated[..]).constructor_id();
                return self.dispatch(now, msg_id, constructor, &inflated);
            }
            types::RpcResult::CONSTRUCTOR_ID => self.on_rpc_result(decode(body)?),
            types::Pong::CONSTRUCTOR_ID => {
                let pong: types::Pong = decode(body)?;
                self.complete(pong.msg_id, Answer::Result(Cow::Borrowed(body)));
            }
            types::FutureSalts::CONSTRUCTOR_ID => {
                let salts: types::FutureSalts = decode(body)?;
                self.complete(salts.req_msg_id, Answer::FutureSalts { body, salts });
            }
            types::MsgsAck::CONSTRUCTOR_ID => {
                self.on_ack(&decode::<types::MsgsAck>(body)?.msg_ids);
            }
            types::BadServerSalt::CONSTRUCTOR_ID => self.on_bad_server_salt(now, decode(body)?),
            // Only one that was gzip_packed gets here; see `receive`.
            types::BadMsgNotification::CONSTRUCTOR_ID => self.on_bad_msg(now, decode(body)?),
            types::NewSessionCreated::CONSTRUCTOR_ID => self.on_new_session(now, decode(body)?),
            types::MsgsStateReq::CONSTRUCTOR_ID => {
                let request: types::MsgsStateReq = decode(body)?;
                self.answer_state_request(now, msg_id, &request.msg_ids);
            }
            types::MsgResendReq::CONSTRUCTOR_ID => {
                self.on_resend_request(&decode::<types::MsgResendReq>(body)?.msg_ids);
            }
            types::MsgsStateInfo::CONSTRUCTOR_ID => {
                let info: types::MsgsStateInfo = decode(body)?;
                self.events.push_back(Event::StateInfo {
                    req_msg_id: info.req_msg_id,
                    info: info.info.to_vec(),
                });
            }
            types::MsgDetailedInfo::CONSTRUCTOR_ID => {
                let info: types::MsgDetailedInfo = decode(body)?;
                self.on_ack(&[info.msg_id]);
                self.on_detailed_info(now, info.answer_msg_id);
            }
            types::MsgNewDetailedInfo::CONSTRUCTOR_ID => {
                let info: types::MsgNewDetailedInfo = decode(body)?;
                self.on_detailed_info(now, info.answer_msg_id);
            }
            _ => self.events.push_back(Event::Update {
                msg_id,
                body: body.to_vec(),
            }),
        }
        Ok(())
    }

    fn on_rpc_result(&mut self, result: types::RpcResult<'_>) {
        let answer = match unpack_body(result.result.as_bytes(), self.config.max_inflated) {
            Ok(answer)
                if RawObject::new(&answer[..]).constructor_id()
                    == Some(types::RpcError::CONSTRUCTOR_ID) =>
            {
                match decode::<types::RpcError>(&answer) {
                    Ok(error) => Answer::Error(RpcError::from_tl(&error)),
                    Err(error) => Answer::Failed(error),
                }
            }
            Ok(answer) => Answer::Result(answer),
            Err(error) => Answer::Failed(error),
        };
        self.complete(result.req_msg_id, answer);
    }

    fn on_ack(&mut self, msg_ids: &[i64]) {
        for msg_id in msg_ids {
            for inner in self.expand(*msg_id) {
                self.requests.acknowledge(inner);
            }
        }
    }

    /// The msg_ids a notification about `msg_id` concerns: a container's
    /// contents, or the message itself.
    fn expand(&self, msg_id: i64) -> Vec<i64> {
        self.sent_containers
            .get(&msg_id)
            .cloned()
            .unwrap_or_else(|| vec![msg_id])
    }

    fn on_bad_server_salt(&mut self, now: UnixTime, bad: types::BadServerSalt) {
        self.salts.reset(bad.new_server_salt);
        self.events.push_back(Event::SaltChanged {
            salt: bad.new_server_salt,
        });
        // Counted like any other rejection: a server that answers every
        // re-send with another salt would otherwise keep the request
        // re-sent forever.
        self.resend(self.expand(bad.bad_msg_id), Some(bad.error_code), now);
    }

    fn on_bad_msg(&mut self, now: UnixTime, note: types::BadMsgNotification) {
        let code = note.error_code;
        match BadMsgCode::from_code(code) {
            // The clock was corrected before the message's id was checked.
            Some(
                BadMsgCode::MsgIdTooLow | BadMsgCode::MsgIdTooHigh | BadMsgCode::BadServerSalt,
            ) => {}
            // Jump well past what the server expects, or back below it, as
            // other clients do; the re-sent messages get the new numbers.
            Some(BadMsgCode::SeqNoTooLow) => self.numbering.shift_seq_no(64),
            Some(BadMsgCode::SeqNoTooHigh) => self.numbering.shift_seq_no(-16),
            _ => self.events.push_back(Event::BadMsg {
                msg_id: note.bad_msg_id,
                code,
            }),
        }
        self.resend(self.expand(note.bad_msg_id), Some(code), now);
    }

    fn on_new_session(&mut self, now: UnixTime, created: types::NewSessionCreated) {
        self.salts.reset(created.server_salt);
        self.events.push_back(Event::SaltChanged {
            salt: created.server_salt,
        });
        // Requests older than the new session were lost with the old one.
        let lost: Vec<i64> = self
            .requests
            .sent()
            .map(|(msg_id, _)| msg_id)
            .filter(|msg_id| *msg_id < created.first_msg_id)
            .collect();
        let resent = lost.len();
        self.resend(lost, None, now);
        self.events.push_back(Event::NewSession {
            first_msg_id: created.first_msg_id,
            unique_id: created.unique_id,
            resent,
        });
    }

    /// Answers `msgs_state_req` with `msgs_state_info`: one byte per id,
    /// from what the incoming validator knows (1 unknown/too old, 2 not
    /// received, 3 not received and too new, 4 received, +8 if the ack is
    /// already sent).
    fn answer_state_request(&mut self, now: UnixTime, req_msg_id: i64, msg_ids: &[i64]) {
        let server_now = self.numbering.server_now(now);
        let info: Vec<u8> = msg_ids
            .iter()
            .map(|msg_id| match self.incoming.check(*msg_id, server_now) {
                Err(MsgIdError::Duplicate { .. }) => 4 | 8,
                Ok(()) => 2,
                Err(MsgIdError::TooHigh { .. }) => 3,
                Err(_) => 1,
            })
            .collect();
        let answer = types::MsgsStateInfo {
            req_msg_id,
            info: info.into(),
        };
        let (msg_id, seq_no) = self.numbering.next(now, false);
        self.outbox.push(OutgoingMessage {
            msg_id,
            seq_no,
            body: answer.to_bytes(),
        });
    }

    /// Re-sends what we still have, with the same msg_ids (the server
    /// asked for exactly those); reports the rest.
    fn on_resend_request(&mut self, msg_ids: &[i64]) {
        let mut missing = Vec::new();
        for msg_id in msg_ids {
            match self.requests.id_of(*msg_id) {
                // Still queued: it goes out anyway.
                Some(_) if self.outbox.contains(*msg_id) => {}
                Some(id) => {
                    if let Some(message) =
                        self.requests.outgoing(id, self.config.compress_threshold)
                    {
                        self.outbox.push(message);
                    }
                }
                None => missing.push(*msg_id),
            }
        }
        if !missing.is_empty() {
            self.events
                .push_back(Event::ResendUnavailable { msg_ids: missing });
        }
    }

    /// `msg_(new_)detailed_info`: ack an answer we have, ask for one we do
    /// not.
    fn on_detailed_info(&mut self, now: UnixTime, answer_msg_id: i64) {
        let server_now = self.numbering.server_now(now);
        match self.incoming.check(answer_msg_id, server_now) {
            Err(MsgIdError::Duplicate { .. }) => self.outbox.ack(answer_msg_id),
            _ => self.outbox.request_resend([answer_msg_id]),
        }
    }
}
