//! Hostile input, decoder by decoder: each crafted input must fail with
//! exactly the error the decoder documents (variant, offset, values), never
//! a panic, never a different error, never an allocation the input cannot
//! back. One table per decoder of the runtime and its service layer; every
//! row names what it attacks. The TL core's, the dynamic codec's and the
//! schema parser's tables live with those crates.

mod container;
mod envelope;
mod gzip;
mod service_layer;
mod session;
mod transport;

use mtproto_test_support::counting::Counting;
use mtproto_test_support::hex::{cat, le32};
use mtproto_types::{Error, ErrorKind};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

pub(crate) fn err(kind: ErrorKind, offset: usize) -> Error {
    Error::new(kind, offset)
}

/// gzip data of `data`, whether or not it is smaller.
pub(crate) fn gz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

// Constructor ids the tables write by hand.
pub(crate) const PONG: u32 = 0x347773c5;
pub(crate) const MSGS_ACK: u32 = 0x62d6b459;
pub(crate) const RPC_ERROR: u32 = 0x2144ca19;
pub(crate) const VECTOR: u32 = 0x1cb5c415;
pub(crate) const MSG_CONTAINER: u32 = 0x73f1f8dc;
pub(crate) const FUTURE_SALTS: u32 = 0xae500895;

/// A container of `(msg_id, body)` entries, `bytes` set from each body.
pub(crate) fn container_of(entries: &[(i64, &[u8])]) -> Vec<u8> {
    let mut out = cat(&[&le32(MSG_CONTAINER), &le32(entries.len() as u32)]);
    for (msg_id, body) in entries {
        out.extend_from_slice(&msg_id.to_le_bytes());
        out.extend_from_slice(&le32(1));
        out.extend_from_slice(&le32(body.len() as u32));
        out.extend_from_slice(body);
    }
    out
}
