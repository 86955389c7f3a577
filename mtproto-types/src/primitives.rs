//! TL primitives: `int`, `long`, `double`, `Bool`, `int128`, `int256`,
//! `string` (`Cow<str>`) and `Vector<T>` (`Vec<T>`).

use std::borrow::Cow;

use crate::{
    tl_bytes_len, Deserialize, ErrorKind, IntoStatic, Reader, Result, Serialize, Writer,
    BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID,
};

/// TL `int128`: 16 raw bytes (nonces).
pub type Int128 = [u8; 16];
/// TL `int256`: 32 raw bytes.
pub type Int256 = [u8; 32];

macro_rules! fixed {
    ($($ty:ty => $read:ident),* $(,)?) => {$(
        impl Serialize for $ty {
            #[inline]
            fn serialized_len(&self) -> usize {
                std::mem::size_of::<$ty>()
            }
            #[inline]
            fn write_to(&self, out: &mut Writer<'_>) {
                out.put(&self.to_le_bytes());
            }
        }
        impl<'a> Deserialize<'a> for $ty {
            const MIN_LEN: usize = std::mem::size_of::<$ty>();

            #[inline]
            fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
                reader.$read()
            }

            /// All `count` numbers under one bounds check, converted in a
            /// loop the compiler vectorizes.
            #[inline]
            fn deserialize_many(reader: &mut Reader<'a>, count: usize) -> Result<Vec<Self>> {
                const SIZE: usize = std::mem::size_of::<$ty>();
                let bytes = reader.take(count.saturating_mul(SIZE))?;
                // `extend` on a presized `Vec`, not `collect`: collect's
                // generic path stayed an out-of-line call (14% of decoding
                // a container of acks of two ids each).
                let mut items = Vec::with_capacity(count);
                items.extend(bytes.chunks_exact(SIZE).map(|chunk| {
                    let mut word = [0u8; SIZE];
                    word.copy_from_slice(chunk);
                    <$ty>::from_le_bytes(word)
                }));
                Ok(items)
            }
        }
        impl IntoStatic for $ty {
            type Static = $ty;
            #[inline]
            fn into_static(self) -> Self { self }
        }
    )*};
}

fixed!(i32 => read_i32, i64 => read_i64, f64 => read_f64, u32 => read_u32);

macro_rules! raw_array {
    ($($n:literal => $read:ident),*) => {$(
        impl Serialize for [u8; $n] {
            #[inline]
            fn serialized_len(&self) -> usize {
                $n
            }
            #[inline]
            fn write_to(&self, out: &mut Writer<'_>) {
                out.put(self);
            }
        }
        impl<'a> Deserialize<'a> for [u8; $n] {
            const MIN_LEN: usize = $n;

            #[inline]
            fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
                reader.$read()
            }
        }
        impl IntoStatic for [u8; $n] {
            type Static = [u8; $n];
            #[inline]
            fn into_static(self) -> Self { self }
        }
    )*};
}

raw_array!(16 => read_int128, 32 => read_int256);

/// `Bool`: the boxed `boolTrue` / `boolFalse`.
impl Serialize for bool {
    #[inline]
    fn serialized_len(&self) -> usize {
        4
    }
    #[inline]
    fn write_to(&self, out: &mut Writer<'_>) {
        out.put_u32(if *self { BOOL_TRUE_ID } else { BOOL_FALSE_ID });
    }
}

impl<'a> Deserialize<'a> for bool {
    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        let start = reader.offset();
        match reader.read_u32()? {
            BOOL_TRUE_ID => Ok(true),
            BOOL_FALSE_ID => Ok(false),
            id => Err(crate::Error::new(
                ErrorKind::UnknownConstructor {
                    id,
                    expected: "Bool",
                },
                start,
            )),
        }
    }
}

impl IntoStatic for bool {
    type Static = bool;
    #[inline]
    fn into_static(self) -> Self {
        self
    }
}

/// `string`: UTF-8 text, borrowed from the input when decoded.
impl Serialize for Cow<'_, str> {
    #[inline]
    fn serialized_len(&self) -> usize {
        tl_bytes_len(self.len())
    }
    #[inline]
    fn write_to(&self, out: &mut Writer<'_>) {
        out.put_tl_bytes(self.as_bytes());
    }
}

impl<'a> Deserialize<'a> for Cow<'a, str> {
    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        reader.read_str().map(Cow::Borrowed)
    }
}

impl IntoStatic for Cow<'_, str> {
    type Static = Cow<'static, str>;
    fn into_static(self) -> Cow<'static, str> {
        Cow::Owned(self.into_owned())
    }
}

/// `Vector<T>`: the boxed vector, id `0x1cb5c415`, a count, then the elements.
impl<T: Serialize> Serialize for Vec<T> {
    #[inline]
    fn serialized_len(&self) -> usize {
        4 + crate::vector::elements_len(self)
    }
    #[inline]
    fn write_to(&self, out: &mut Writer<'_>) {
        out.put_u32(VECTOR_ID);
        crate::vector::write_elements(self, out);
    }
}

impl<'a, T: Deserialize<'a>> Deserialize<'a> for Vec<T> {
    /// The id and the count.
    const MIN_LEN: usize = 8;

    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        reader.expect_vector_id()?;
        crate::vector::deserialize_elements(reader)
    }
}

impl<T: IntoStatic> IntoStatic for Vec<T> {
    type Static = Vec<T::Static>;
    fn into_static(self) -> Self::Static {
        // A plain loop rather than `map().collect()`: the in-place collect
        // machinery is instantiated for every element type of a layer
        // (hundreds), and its code was a tenth of the layer's build.
        let mut out = Vec::with_capacity(self.len());
        for x in self {
            out.push(x.into_static());
        }
        out
    }
}

impl<T: IntoStatic> IntoStatic for Option<T> {
    type Static = Option<T::Static>;
    fn into_static(self) -> Self::Static {
        self.map(IntoStatic::into_static)
    }
}

impl<T: IntoStatic> IntoStatic for Box<T> {
    type Static = Box<T::Static>;
    fn into_static(self) -> Self::Static {
        Box::new((*self).into_static())
    }
}

/// A boxed value behind a `Box` (recursive types) serializes as the value.
impl<T: Serialize + ?Sized> Serialize for Box<T> {
    #[inline]
    fn serialized_len(&self) -> usize {
        (**self).serialized_len()
    }
    #[inline]
    fn write_to(&self, out: &mut Writer<'_>) {
        (**self).write_to(out)
    }
}

impl<'a, T: Deserialize<'a>> Deserialize<'a> for Box<T> {
    const MIN_LEN: usize = T::MIN_LEN;

    /// Decodes the value straight into the box's memory.
    #[inline]
    fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
        crate::slot::deserialize_boxed(reader)
    }
}

/// A bare constructor behind a `Box` (recursive types) is written bare too.
impl<T: crate::Constructor> crate::Constructor for Box<T> {
    const CONSTRUCTOR_ID: u32 = T::CONSTRUCTOR_ID;
    const NAME: &'static str = T::NAME;
    #[inline]
    fn bare_len(&self) -> usize {
        (**self).bare_len()
    }
    #[inline]
    fn write_bare_to(&self, out: &mut Writer<'_>) {
        (**self).write_bare_to(out)
    }
}

impl<'a, T: crate::DeserializeBare<'a>> crate::DeserializeBare<'a> for Box<T> {
    const MIN_BARE_LEN: usize = T::MIN_BARE_LEN;
    #[inline]
    fn deserialize_bare(reader: &mut Reader<'a>) -> Result<Self> {
        T::deserialize_bare(reader).map(Box::new)
    }
}
