//! In-place decoding: a [`Slot`] is memory a decoder writes its value into,
//! so a large value (`messages.messages` holds 536-byte `Message`s) is built
//! where it will live, a `Vec`'s next element or a `Box`, instead of being
//! returned in a `Result` and then copied there.
//!
//! Only [`Slot::write`] makes the [`Filled`] proof that
//! [`Deserialize::deserialize_into`] must return, and that method is
//! generic over the slot's lifetime `'s`, which is invariant: a decoder
//! that works for every `'s` cannot have a `Filled<'s>` from anywhere but
//! the one slot it was given, so `Ok` means this slot was written. That is
//! what lets safe decoders fill memory that the crate then treats as
//! initialized ([`decode_into`]).
#![allow(unsafe_code)]

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::{Deserialize, Reader, Result};

/// Makes a lifetime invariant: `'s` can be neither shortened nor extended.
type Brand<'s> = PhantomData<fn(&'s ()) -> &'s ()>;

/// Memory for one `T` that a decoder fills in place: give it the value with
/// [`Slot::write`], and return the [`Filled`] you get back.
///
/// ```
/// use mtproto_types::{Deserialize, Filled, Reader, Result, Slot};
///
/// /// A pair of ints, decoded in place.
/// struct Pair(i32, i32);
///
/// impl<'a> Deserialize<'a> for Pair {
///     fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
///         mtproto_types::deserialize_in_place(reader)
///     }
///     fn deserialize_into<'s>(reader: &mut Reader<'a>, slot: Slot<'s, Self>) -> Result<Filled<'s>> {
///         Ok(slot.write(Pair(reader.read_i32()?, reader.read_i32()?)))
///     }
/// }
///
/// let pairs = Vec::<Pair>::from_bytes(b"\x15\xc4\xb5\x1c\x01\0\0\0\x02\0\0\0\x03\0\0\0").unwrap();
/// assert_eq!((pairs[0].0, pairs[0].1), (2, 3));
/// ```
pub struct Slot<'s, T> {
    // A raw pointer rather than `&'s mut MaybeUninit<T>`, which would need
    // `T: 's` wherever a slot is named: `'s` only brands the slot, and the
    // memory's borrow is held by `decode_into`'s caller.
    mem: *mut MaybeUninit<T>,
    brand: Brand<'s>,
}

/// Proof that a [`Slot`] with the lifetime `'s` was written.
///
/// Each slot's lifetime is its own, so one slot's proof cannot stand in
/// for another's:
///
/// ```compile_fail
/// use mtproto_types::{Filled, Slot};
///
/// fn write_the_other<'s, 't>(mine: Slot<'s, i32>, other: Slot<'t, i32>) -> Filled<'s> {
///     std::mem::forget(mine);
///     other.write(1)
/// }
/// ```
#[must_use = "a decoder returns the proof that its slot was written"]
pub struct Filled<'s> {
    brand: Brand<'s>,
}

impl<'s, T> Slot<'s, T> {
    /// Stores `value` in the slot.
    #[inline(always)]
    pub fn write(self, value: T) -> Filled<'s> {
        // SAFETY: `mem` comes from the `&mut MaybeUninit<T>` that
        // `decode_into` was given, which stays borrowed for the call this
        // slot lives in; `write` consumes the slot, so this is the only
        // access.
        unsafe { (*self.mem).write(value) };
        Filled { brand: PhantomData }
    }
}

impl<T> std::fmt::Debug for Slot<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

impl std::fmt::Debug for Filled<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filled")
    }
}

/// Decodes a `T` into `mem`. `Ok` means `mem` is initialized: the
/// `Filled` that `deserialize_into` returned can only have come from the
/// slot over `mem` (see the module's docs).
#[inline(always)]
fn decode_into<'a, T: Deserialize<'a>>(
    reader: &mut Reader<'a>,
    mem: &mut MaybeUninit<T>,
) -> Result<()> {
    let slot = Slot {
        mem,
        brand: PhantomData,
    };
    T::deserialize_into(reader, slot).map(|_filled| ())
}

/// Decodes a `T` through its [`Deserialize::deserialize_into`]: the body of
/// `deserialize` for types whose decoder is written in place (generated
/// enums). A type must not implement both this way and keep the default
/// `deserialize_into`, which calls `deserialize`.
#[inline]
pub fn deserialize_in_place<'a, T: Deserialize<'a>>(reader: &mut Reader<'a>) -> Result<T> {
    let mut mem = MaybeUninit::uninit();
    decode_into(reader, &mut mem)?;
    // SAFETY: `decode_into` returned `Ok`, so `mem` was written.
    Ok(unsafe { mem.assume_init() })
}

/// Reads `count` values into a `Vec` sized once, each decoded in place in
/// the `Vec`'s next element. The caller has checked `count` against the
/// bytes left.
#[inline]
pub(crate) fn read_each_in_place<'a, T: Deserialize<'a>>(
    reader: &mut Reader<'a>,
    count: usize,
) -> Result<Vec<T>> {
    let mut items: Vec<T> = Vec::with_capacity(count);
    for _ in 0..count {
        let Some(next) = items.spare_capacity_mut().first_mut() else {
            unreachable!("the Vec has room for `count` elements")
        };
        decode_into(reader, next)?;
        // SAFETY: `decode_into` returned `Ok`: the first spare element, the one at
        // `len`, is initialized, and it is within the capacity.
        unsafe { items.set_len(items.len() + 1) };
    }
    Ok(items)
}

/// Decodes a `T` straight into a new `Box`.
#[inline]
pub(crate) fn deserialize_boxed<'a, T: Deserialize<'a>>(reader: &mut Reader<'a>) -> Result<Box<T>> {
    // `Box::new_uninit` needs Rust 1.82; this crate supports 1.80.
    let mut boxed = Box::new(MaybeUninit::<T>::uninit());
    decode_into(reader, &mut *boxed)?;
    // SAFETY: `decode_into` returned `Ok`, so the box's value was written, and
    // `MaybeUninit<T>` has the layout of `T`: the allocation is a valid
    // `Box<T>`.
    Ok(unsafe { Box::from_raw(Box::into_raw(boxed).cast::<T>()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Filled, Slot};
    use std::cell::Cell;

    thread_local! {
        static DROPS: Cell<usize> = const { Cell::new(0) };
    }

    /// An int decoded in place that counts its drops: a value that failed
    /// to decode was never written and must not be dropped; every written
    /// one must be, once.
    #[derive(Debug)]
    struct Counted(i32);

    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.set(DROPS.get() + 1);
        }
    }

    impl<'a> Deserialize<'a> for Counted {
        fn deserialize(reader: &mut Reader<'a>) -> Result<Self> {
            deserialize_in_place(reader)
        }
        fn deserialize_into<'s>(
            reader: &mut Reader<'a>,
            slot: Slot<'s, Self>,
        ) -> Result<Filled<'s>> {
            Ok(slot.write(Counted(reader.read_i32()?)))
        }
    }

    fn ints(values: &[i32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn vector_elements_land_in_order_and_drop_once() {
        DROPS.set(0);
        let bytes = ints(&[7, 8, 9]);
        let items = read_each_in_place::<Counted>(&mut Reader::new(&bytes), 3).unwrap();
        assert_eq!(items.iter().map(|c| c.0).collect::<Vec<_>>(), [7, 8, 9]);
        assert_eq!(DROPS.get(), 0);
        drop(items);
        assert_eq!(DROPS.get(), 3);
    }

    #[test]
    fn a_failed_element_drops_only_the_written_ones() {
        DROPS.set(0);
        // Three ints where four were promised.
        let bytes = ints(&[1, 2, 3]);
        let err = read_each_in_place::<Counted>(&mut Reader::new(&bytes), 4).unwrap_err();
        assert_eq!(err.offset, 12);
        assert_eq!(DROPS.get(), 3);
    }

    #[test]
    fn boxed_and_plain_values() {
        DROPS.set(0);
        let bytes = ints(&[5]);
        let boxed = deserialize_boxed::<Counted>(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(boxed.0, 5);
        assert_eq!(Counted::from_bytes(&bytes).unwrap().0, 5);
        assert!(deserialize_boxed::<Counted>(&mut Reader::new(&bytes[..3])).is_err());
        drop(boxed);
        assert_eq!(DROPS.get(), 2);
    }
}
