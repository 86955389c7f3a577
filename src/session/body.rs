//! Message bodies: transparent `gzip_packed` both ways (one level deep),
//! and decoding a service message into its typed value.

use std::borrow::Cow;

use mtproto_types::{Constructor, Deserialize, RawObject, Serialize};

use super::SessionError;
use crate::gzip;
use crate::service::types;

/// Compresses `body` into a `gzip_packed` when it is longer than
/// `threshold` and that saves bytes; otherwise returns it unchanged.
pub fn pack_body(body: Vec<u8>, threshold: Option<usize>) -> Vec<u8> {
    let Some(threshold) = threshold else {
        return body;
    };
    match gzip::compress_if_smaller(&body, threshold) {
        Some(packed) => types::GzipPacked {
            packed_data: packed.into(),
        }
        .to_bytes(),
        None => body,
    }
}

/// Inflates `body` if it is a `gzip_packed` (at most `max_inflated`
/// bytes, one level deep); borrows it unchanged otherwise.
pub fn unpack_body(body: &[u8], max_inflated: usize) -> Result<Cow<'_, [u8]>, SessionError> {
    if RawObject::new(body).constructor_id() != Some(types::GzipPacked::CONSTRUCTOR_ID) {
        return Ok(Cow::Borrowed(body));
    }
    inflate(body, max_inflated).map(Cow::Owned)
}

/// Inflates `body`, a `gzip_packed`, refusing one that holds another.
pub(crate) fn inflate(body: &[u8], max_inflated: usize) -> Result<Vec<u8>, SessionError> {
    let packed = decode::<types::GzipPacked>(body)?;
    let inflated = gzip::inflate(&packed.packed_data, max_inflated)?;
    if RawObject::new(&inflated[..]).constructor_id() == Some(types::GzipPacked::CONSTRUCTOR_ID) {
        return Err(SessionError::NestedGzip);
    }
    Ok(inflated)
}

/// Decodes `body` as `T`, naming `T` in the error.
pub(crate) fn decode<'a, T: Deserialize<'a> + Constructor>(
    body: &'a [u8],
) -> Result<T, SessionError> {
    T::from_bytes(body).map_err(|error| SessionError::Decode {
        what: T::NAME,
        error,
    })
}
