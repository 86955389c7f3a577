//! Bare vectors (`vector<T>`, `vector t`) and vectors of bare elements,
//! which generated code serializes through these helpers.
//!
//! Generated code calls the typed helpers ([`write_elements`],
//! [`deserialize_bare_elements`], …), which are instantiated once per
//! element type and shared by every field of that type; the `_with` forms
//! take the element codec as a closure, for element kinds that have no
//! trait of their own.

use crate::{Constructor, Deserialize, DeserializeBare, Reader, Result, Serialize, Writer};

/// Writes a bare vector: the count, then each element written by `write`.
///
/// # Panics
/// If `items` has more than `u32::MAX` elements, which TL cannot express.
#[inline]
pub fn write_bare_with<T>(
    items: &[T],
    out: &mut Writer<'_>,
    mut write: impl FnMut(&T, &mut Writer<'_>),
) {
    let count = u32::try_from(items.len()).expect("TL vectors hold at most 2^32-1 elements");
    out.put_u32(count);
    for item in items {
        write(item, out);
    }
}

/// Reads a bare vector whose elements are read by `read` and take at least
/// `min_element_len` bytes each.
///
/// The count is checked against the bytes left before anything is
/// allocated, so a vector claiming 2^31 elements in 8 bytes is an error,
/// not a 16 GiB allocation.
#[inline]
pub fn deserialize_bare_with<'a, T>(
    reader: &mut Reader<'a>,
    min_element_len: usize,
    mut read: impl FnMut(&mut Reader<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let count = reader.read_vector_len(min_element_len)?;
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        items.push(read(reader)?);
    }
    Ok(items)
}

/// Bytes of a bare vector of values that write themselves
/// ([`Serialize`]): the count, then each element.
pub fn elements_len<T: Serialize>(items: &[T]) -> usize {
    4 + items.iter().map(Serialize::serialized_len).sum::<usize>()
}

/// Writes a bare vector of values that write themselves: the count, then
/// each element in its own (boxed or primitive) form.
///
/// # Panics
/// If `items` has more than `u32::MAX` elements, which TL cannot express.
pub fn write_elements<T: Serialize>(items: &[T], out: &mut Writer<'_>) {
    write_bare_with(items, out, T::write_to);
}

/// Reads a bare vector of values that read themselves, checking the count
/// against [`Deserialize::MIN_LEN`] before allocating.
#[inline]
pub fn deserialize_elements<'a, T: Deserialize<'a>>(reader: &mut Reader<'a>) -> Result<Vec<T>> {
    let count = reader.read_vector_len(T::MIN_LEN)?;
    T::deserialize_many(reader, count)
}

/// Bytes of a bare vector of bare constructors (`vector<%T>`): the count,
/// then each element without its id.
pub fn bare_elements_len<T: Constructor>(items: &[T]) -> usize {
    4 + items.iter().map(Constructor::bare_len).sum::<usize>()
}

/// Writes a bare vector of bare constructors: the count, then each element
/// without its id.
///
/// # Panics
/// If `items` has more than `u32::MAX` elements, which TL cannot express.
pub fn write_bare_elements<T: Constructor>(items: &[T], out: &mut Writer<'_>) {
    write_bare_with(items, out, T::write_bare_to);
}

/// Reads a bare vector of bare constructors, checking the count against
/// [`DeserializeBare::MIN_BARE_LEN`] before allocating.
pub fn deserialize_bare_elements<'a, T: DeserializeBare<'a>>(
    reader: &mut Reader<'a>,
) -> Result<Vec<T>> {
    deserialize_bare_with(reader, T::MIN_BARE_LEN, T::deserialize_bare)
}
