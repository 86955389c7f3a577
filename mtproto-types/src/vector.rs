//! Bare vectors (`vector<T>`, `vector t`) and vectors of bare elements,
//! which generated code serializes through these helpers.

use crate::{Reader, Result};

/// Appends a bare vector: the count, then each element written by `write`.
///
/// # Panics
/// If `items` has more than `u32::MAX` elements, which TL cannot express.
#[inline]
pub fn serialize_bare_with<T>(
    items: &[T],
    out: &mut Vec<u8>,
    mut write: impl FnMut(&T, &mut Vec<u8>),
) {
    let count = u32::try_from(items.len()).expect("TL vectors hold at most 2^32-1 elements");
    out.extend_from_slice(&count.to_le_bytes());
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
