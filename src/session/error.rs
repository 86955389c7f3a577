//! What can be wrong with an incoming message.

use crate::container::ContainerError;
use crate::envelope::EnvelopeError;
use crate::gzip::GzipError;

/// What went wrong with an incoming message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The plaintext envelope is malformed.
    #[error("plaintext envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The plaintext belongs to another session.
    #[error("message for session {found:#018x}, this is session {expected:#018x}")]
    WrongSession {
        /// Our session id.
        expected: i64,
        /// The one in the message.
        found: i64,
    },
    /// A container broke a rule.
    #[error("container: {0}")]
    Container(#[from] ContainerError),
    /// A service message did not decode.
    #[error("{what}: {error}")]
    Decode {
        /// Which message.
        what: &'static str,
        /// The decoder's error.
        error: mtproto_types::Error,
    },
    /// A gzip_packed body did not inflate (bomb, corruption).
    #[error("gzip_packed: {0}")]
    Gzip(#[from] GzipError),
    /// A gzip_packed body inflated to another gzip_packed.
    #[error("gzip_packed inside gzip_packed")]
    NestedGzip,
    /// The server rejected a message more often than allowed.
    #[error("message rejected {attempts} times, last with code {code}")]
    TooManyResends {
        /// Times sent.
        attempts: u32,
        /// The last bad_msg_notification code.
        code: i32,
    },
}
