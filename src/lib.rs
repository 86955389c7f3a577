//! `mtproto`: the sans-IO MTProto runtime.
//!
//! It turns requests into bytes for a connection and bytes from a connection
//! into results and events: transports, envelopes, message ids and sequence
//! numbers, containers, `gzip_packed`, and the session. It never owns a
//! socket or a clock; callers hand it bytes and time.
