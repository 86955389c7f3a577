//! [`SecureError`]: why [`SecureSession::handle_packet`](super::SecureSession::handle_packet)
//! refused a packet, one variant per check so callers and tests can tell
//! them apart.

use crate::crypto::CryptoError;
use crate::envelope::EnvelopeError;
use crate::session::SessionError;

/// Why an incoming packet was refused.
///
/// Every variant except [`SecureError::Session`] is reported before the
/// session sees the message, so the session's state is unchanged; so is
/// `Session(SessionError::WrongSession)`, the session's own first check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecureError {
    /// Decryption or one of its stateless checks failed: another key
    /// ([`CryptoError::AuthKeyIdMismatch`]), an altered packet or the wrong
    /// direction ([`CryptoError::MsgKeyMismatch`]), bad lengths or padding.
    #[error("decryption: {0}")]
    Crypto(#[from] CryptoError),
    /// The authenticated plaintext did not decode as an envelope.
    #[error("plaintext envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    /// A message from the server carries an even msg_id; server msg_ids
    /// are odd (1 or 3 mod 4), client ones even.
    #[error("msg_id {msg_id:#018x} from the server is even")]
    EvenMsgId {
        /// The msg_id.
        msg_id: i64,
    },
    /// The session refused the message: another session of this key
    /// ([`SessionError::WrongSession`], nothing changed), or a malformed
    /// container as a whole (it may have recorded an event about it).
    #[error("session: {0}")]
    Session(#[from] SessionError),
}
