//! `bytes`: raw data that borrows from the input when decoded.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use crate::{tl_bytes_len, Deserialize, IntoStatic, Reader, Result, Serialize, Writer};

/// A TL `bytes` value: borrowed from the input when decoded, owned when
/// built from a `Vec<u8>`.
///
/// ```
/// use mtproto_types::{Bytes, Serialize};
/// let owned = Bytes::from(vec![1, 2, 3]);
/// let borrowed = Bytes::from(&[1u8, 2, 3][..]);
/// assert_eq!(owned, borrowed);
/// assert_eq!(owned.to_bytes(), [3, 1, 2, 3]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Bytes<'a>(pub Cow<'a, [u8]>);

impl Bytes<'_> {
    /// The data as a slice.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The data, copied if borrowed.
    pub fn into_vec(self) -> Vec<u8> {
        self.0.into_owned()
    }
}

impl Deref for Bytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Bytes<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl<'a> From<&'a [u8]> for Bytes<'a> {
    fn from(data: &'a [u8]) -> Self {
        Bytes(Cow::Borrowed(data))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Bytes<'a> {
    fn from(data: &'a [u8; N]) -> Self {
        Bytes(Cow::Borrowed(data))
    }
}

impl From<Vec<u8>> for Bytes<'_> {
    fn from(data: Vec<u8>) -> Self {
        Bytes(Cow::Owned(data))
    }
}

/// Lowercase hex, the form logs and the JSON mapping use.
impl fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("b\"")?;
        for b in self.0.iter() {
            write!(f, "{b:02x}")?;
        }
        f.write_str("\"")
    }
}

impl Serialize for Bytes<'_> {
    #[inline]
    fn serialized_len(&self) -> usize {
        tl_bytes_len(self.0.len())
    }
    #[inline]
    fn write_to(&self, out: &mut Writer<'_>) {
        out.put_tl_bytes(&self.0);
    }
}

impl<'a> Deserialize<'a> for Bytes<'a> {
    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        reader.read_tl_bytes().map(|b| Bytes(Cow::Borrowed(b)))
    }
}

impl IntoStatic for Bytes<'_> {
    type Static = Bytes<'static>;
    fn into_static(self) -> Bytes<'static> {
        Bytes(Cow::Owned(self.0.into_owned()))
    }
}

/// Serialized as a lowercase hex string.
#[cfg(feature = "serde")]
impl serde::Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::hex(&self.0))
    }
}
