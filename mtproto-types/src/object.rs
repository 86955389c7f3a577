//! `Object` and `!X`: a boxed value kept as raw bytes, decoded on demand.

use std::borrow::Cow;
use std::fmt;

use crate::{Deserialize, ErrorKind, IntoStatic, Reader, RemoteCall, Result, Serialize};

/// A boxed TL value of a type not known at decoding time, as its raw
/// serialization (constructor id included).
///
/// TL puts no length before an `Object`: it is the last field of its value
/// and runs to the end of the enclosing bounded buffer (`rpc_result.result`,
/// `invokeAfterMsg.query`), or its length comes from a sibling field
/// (`message.bytes`). Decoding borrows those bytes; [`RawObject::decode`]
/// reads them as a concrete type later, typically as the return type of the
/// request an `rpc_result` answers.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RawObject<'a>(pub Cow<'a, [u8]>);

impl<'a> RawObject<'a> {
    /// Wraps serialized bytes (which should start with a constructor id).
    #[inline]
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        RawObject(bytes.into())
    }

    /// Serializes `value` into an owned raw object.
    #[inline]
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> RawObject<'static> {
        RawObject(Cow::Owned(value.to_bytes()))
    }

    /// The serialized bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The constructor id in the first four bytes, if there are four.
    #[inline]
    pub fn constructor_id(&self) -> Option<u32> {
        let id = self.0.get(..4)?;
        Some(u32::from_le_bytes([id[0], id[1], id[2], id[3]]))
    }

    /// Decodes the bytes as `T`, which must consume all of them.
    #[inline]
    pub fn decode<'b, T: Deserialize<'b>>(&'b self) -> Result<T> {
        T::from_bytes(&self.0)
    }
}

impl fmt::Debug for RawObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.constructor_id() {
            Some(id) => write!(f, "RawObject(#{id:08x}, {} bytes)", self.0.len()),
            None => write!(f, "RawObject({:?})", &self.0[..]),
        }
    }
}

impl Serialize for RawObject<'_> {
    #[inline]
    fn serialized_len(&self) -> usize {
        self.0.len()
    }
    #[inline]
    fn write_to(&self, out: &mut crate::Writer<'_>) {
        out.put(&self.0);
    }
}

/// Takes every remaining byte of the reader, which must hold at least a
/// constructor id.
impl<'a> Deserialize<'a> for RawObject<'a> {
    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        if reader.remaining() < 4 {
            return Err(reader.error(ErrorKind::UnexpectedEof {
                needed: 4,
                available: reader.remaining(),
            }));
        }
        Ok(RawObject(Cow::Borrowed(reader.take_rest())))
    }
}

/// Serialized as the lowercase hex of the whole boxed value.
#[cfg(feature = "serde")]
impl serde::Serialize for RawObject<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::hex(&self.0))
    }
}

impl IntoStatic for RawObject<'_> {
    type Static = RawObject<'static>;
    fn into_static(self) -> RawObject<'static> {
        RawObject(Cow::Owned(self.0.into_owned()))
    }
}

/// A raw query stands for any function: its answer is raw as well. This is
/// what a server decodes `invokeAfterMsg` and friends into.
impl RemoteCall for RawObject<'_> {
    type Return<'r> = RawObject<'r>;
}
