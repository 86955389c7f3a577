//! The two ends of an MTProto connection.
//!
//! Several layers depend on which end they work for: transports (who sends
//! the first bytes and quick-ack tokens), message ids (their low bits) and
//! containers (how they are numbered). The type lives here, below all of
//! them, so none has to reach into another for it.

use std::fmt;

/// Which end of the connection an encoder, decoder or numbering works for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The end that opened the connection, sends the first bytes and may
    /// request quick acknowledgments.
    Client,
    /// The end that accepted the connection, answers quick-ack requests and
    /// reports transport errors.
    Server,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Client => "client",
            Side::Server => "server",
        })
    }
}
