//! Answers matched to the requests they answer; each request ends the way
//! its [`Purpose`] calls for: the caller's with an [`Event::Response`], the
//! session's own silently, after using the answer.

use std::borrow::Cow;

use mtproto_types::{Constructor, Deserialize, RawObject};

use super::requests::{Purpose, Request, RequestId};
use super::{DropAnswer, Event, Outcome, Session, SessionError};
use crate::rpc_error::RpcError;
use crate::service::types;

/// An answer before it is known which request takes it: borrowed, so that
/// nothing is copied for the session's own requests.
pub(crate) enum Answer<'a> {
    /// The content of an `rpc_result` (inflated), or a `pong`.
    Result(Cow<'a, [u8]>),
    /// A `future_salts`, already decoded, and its bytes.
    FutureSalts {
        body: &'a [u8],
        salts: types::FutureSalts,
    },
    /// An `rpc_error`.
    Error(RpcError),
    /// An answer that could not be used.
    Failed(SessionError),
}

impl Answer<'_> {
    /// The constructor of a raw answer.
    fn constructor_id(&self) -> Option<u32> {
        match self {
            Answer::Result(bytes) => RawObject::new(&bytes[..]).constructor_id(),
            Answer::FutureSalts { .. } => Some(types::FutureSalts::CONSTRUCTOR_ID),
            Answer::Error(_) | Answer::Failed(_) => None,
        }
    }

    /// What the caller gets.
    fn into_outcome(self) -> Outcome {
        match self {
            Answer::Result(bytes) => Outcome::Result(bytes.into_owned()),
            Answer::FutureSalts { body, .. } => Outcome::Result(body.to_vec()),
            Answer::Error(error) => Outcome::Error(error),
            Answer::Failed(error) => Outcome::Failed(error),
        }
    }

    /// The answer as one to `rpc_drop_answer`, if it is one.
    fn to_drop_answer(&self) -> Option<DropAnswer> {
        let Answer::Result(bytes) = self else {
            return None;
        };
        match self.constructor_id() {
            Some(types::RpcAnswerDroppedRunning::CONSTRUCTOR_ID) => {
                Some(DropAnswer::DroppedRunning)
            }
            Some(types::RpcAnswerUnknown::CONSTRUCTOR_ID) => Some(DropAnswer::Unknown),
            _ => types::RpcAnswerDropped::from_bytes(bytes)
                .ok()
                .map(|dropped| DropAnswer::Dropped {
                    msg_id: dropped.msg_id,
                    seq_no: dropped.seq_no,
                    bytes: dropped.bytes,
                }),
        }
    }

    /// The salts in a `future_salts` answer.
    fn into_future_salts(self) -> Option<Vec<types::FutureSalt>> {
        match self {
            Answer::FutureSalts { salts, .. } => Some(salts.salts),
            // The server sends future_salts bare, but one inside an
            // rpc_result is just as good.
            Answer::Result(bytes) => types::FutureSalts::from_bytes(&bytes)
                .ok()
                .map(|salts| salts.salts),
            Answer::Error(_) | Answer::Failed(_) => None,
        }
    }
}

impl Session {
    /// Ends the request sent as `req_msg_id` with `answer`.
    pub(crate) fn complete(&mut self, req_msg_id: i64, answer: Answer<'_>) {
        let Some(id) = self.requests.id_of(req_msg_id) else {
            // Late answers to cancelled requests (`rpc_answer_dropped_running`
            // is sent to the original query too) are expected.
            if !self.requests.was_dropped(req_msg_id) {
                self.events.push_back(Event::UnknownResult { req_msg_id });
            }
            return;
        };
        let Some(request) = self.requests.finish(id) else {
            return;
        };
        match request.purpose {
            Purpose::Caller => {
                // The server answers the original query of a drop that
                // caught it running with `rpc_answer_dropped_running` too,
                // possibly before the drop's own answer.
                let dropped_running =
                    answer.constructor_id() == Some(types::RpcAnswerDroppedRunning::CONSTRUCTOR_ID);
                let outcome = if request.cancelling && dropped_running {
                    self.requests.remember_dropped(request.msg_id);
                    Outcome::Cancelled(DropAnswer::DroppedRunning)
                } else {
                    answer.into_outcome()
                };
                self.events.push_back(Event::Response {
                    request: id,
                    outcome,
                })
            }
            Purpose::KeepAlive => {}
            Purpose::FutureSalts => {
                self.salts_in_flight = false;
                if let Some(salts) = answer.into_future_salts() {
                    self.salts.add(salts);
                }
            }
            Purpose::Drop { target } => {
                // Without a usable answer the original request stays
                // pending: its own answer may still come.
                if let Some(answer) = answer.to_drop_answer() {
                    if let Some(original) = self.requests.finish(target) {
                        self.requests.remember_dropped(original.msg_id);
                        self.events.push_back(Event::Response {
                            request: target,
                            outcome: Outcome::Cancelled(answer),
                        });
                    }
                }
            }
        }
    }

    /// Ends `request`, already out of the table, with `error`.
    pub(crate) fn fail(&mut self, id: RequestId, request: Request, error: SessionError) {
        match request.purpose {
            Purpose::Caller => self.events.push_back(Event::Response {
                request: id,
                outcome: Outcome::Failed(error),
            }),
            Purpose::FutureSalts => self.salts_in_flight = false,
            Purpose::KeepAlive | Purpose::Drop { .. } => {}
        }
    }
}
