//! The session against a scripted server: every rule of the session has a
//! test here that fails if the rule breaks.

mod requests;
mod scripted;
mod service_messages;
