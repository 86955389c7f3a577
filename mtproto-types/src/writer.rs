//! [`Writer`]: the cursor serializers write through.
//!
//! The one module of this crate with `unsafe` code, for two measured
//! reasons (`codec_interleaved`, see BENCHMARKS.md): writing into a `Vec`'s
//! spare capacity without zeroing it first (zeroing made encoding 1000
//! `rpc_result`s in a container 20% slower: 0.98-1.05x grammers-tl-types
//! instead of 1.20-1.24x), and copying short byte runs inline rather than
//! through `memmove` ([`copy_into`]). Each `unsafe` block says why it is
//! sound; the invariant they rest on is on [`Writer`].
#![allow(unsafe_code)]

use std::mem::MaybeUninit;

/// A cursor over a buffer already sized for what will be written into it.
///
/// [`Serialize::serialize_into`](crate::Serialize::serialize_into) grows its
/// `Vec` once, by [`Serialize::serialized_len`](crate::Serialize::serialized_len),
/// and hands the new bytes to [`Serialize::write_to`](crate::Serialize::write_to)
/// as a `Writer`. A write is then one comparison against a length the
/// compiler keeps in a register, and a copy; appending to the `Vec` field by
/// field instead reloads its length and capacity from memory around every
/// copy (a byte store may alias them) and stores the length back each time.
///
/// ```
/// use mtproto_types::Writer;
///
/// let mut buf = [0u8; 12];
/// let mut w = Writer::new(&mut buf);
/// w.put_u32(0x1cb5c415);
/// w.put_tl_bytes(b"abc");
/// assert_eq!(w.written(), 8);
/// assert_eq!(w.remaining(), 4);
/// assert_eq!(&buf[..8], b"\x15\xc4\xb5\x1c\x03abc");
/// ```
#[derive(Debug)]
pub struct Writer<'a> {
    // Invariant: `pos <= buf.len()`, and `buf[..pos]` is initialized: `pos`
    // only moves past bytes that `put` or `put_tl_bytes` has just written,
    // each from initialized data. Nothing else writes to `buf`, and it is
    // never handed out, so no uninitialized byte can be stored in a buffer
    // that `new` was given initialized.
    buf: &'a mut [MaybeUninit<u8>],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// A writer that fills `buf` from its start.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> Self {
        // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and the writer
        // only ever stores initialized bytes (see the invariant), so `buf`
        // is still fully initialized when the borrow ends.
        let buf = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        Writer { buf, pos: 0 }
    }

    /// A writer over memory that is not initialized yet (a `Vec`'s spare
    /// capacity).
    #[inline]
    fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub fn written(&self) -> usize {
        self.pos
    }

    /// Bytes left in the buffer.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Appends `bytes`.
    ///
    /// # Panics
    /// If they do not fit: the buffer was sized by a `serialized_len` that
    /// is shorter than what its `write_to` writes, a bug in that impl.
    #[inline]
    pub fn put(&mut self, bytes: &[u8]) {
        let end = self.pos + bytes.len();
        match self.buf.get_mut(self.pos..end) {
            Some(dst) => copy_into(dst, bytes),
            None => overflow(bytes.len(), self.remaining()),
        }
        self.pos = end;
    }

    /// Appends a little-endian `u32` (constructor ids, flags, counts).
    #[inline]
    pub fn put_u32(&mut self, value: u32) {
        self.put(&value.to_le_bytes());
    }

    /// Appends a little-endian `i32`.
    #[inline]
    pub fn put_i32(&mut self, value: i32) {
        self.put(&value.to_le_bytes());
    }

    /// Appends `data` as a TL `string`/`bytes` value: a 1- or 4-byte length,
    /// the data, zeros up to a multiple of 4.
    ///
    /// # Panics
    /// TL cannot express lengths of 2^24 bytes or more (no MTProto message
    /// is that large). Passing such data is a programming error and panics
    /// rather than writing a corrupt length.
    #[inline]
    pub fn put_tl_bytes(&mut self, data: &[u8]) {
        let len = data.len();
        assert!(
            len < 1 << 24,
            "TL bytes longer than 2^24-1 cannot be encoded"
        );
        // One bounds check for the whole value; the zeros go in first, as
        // one 4-byte store over its last word (every value is at least 4
        // bytes), and the header and data then overwrite what is not
        // padding: no variable-length memset for 0-3 bytes.
        let total = crate::tl_bytes_len(len);
        let end = self.pos + total;
        let Some(dst) = self.buf.get_mut(self.pos..end) else {
            overflow(total, self.remaining())
        };
        copy_into(&mut dst[total - 4..], &[0; 4]);
        let header = if len <= 253 {
            copy_into(&mut dst[..1], &[len as u8]);
            1
        } else {
            copy_into(
                &mut dst[..4],
                &[254, len as u8, (len >> 8) as u8, (len >> 16) as u8],
            );
            4
        };
        copy_plain_into(&mut dst[header..header + len], data);
        // Every byte of `dst` is now written: the header `..header`, the
        // data `header..header + len`, and the rest, at most 3 bytes, lies
        // in the zeroed last word; so the invariant holds up to `end`.
        self.pos = end;
    }
}

/// Copies `src` into `dst`, which has its length.
///
/// Up to 32 bytes (ids, flags, short bodies such as acks and pongs) are
/// copied inline as two overlapping loads and stores of a fixed width,
/// instead of a call into libc's `memmove`, whose call and size dispatch
/// cost more than such a copy: encoding a container of 1000 small service
/// messages went from 1.4x to 1.9x grammers-tl-types. With a constant
/// length all but one branch folds away.
#[inline(always)]
fn copy_into(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    assert_eq!(dst.len(), src.len());
    let n = src.len();
    let from = src.as_ptr();
    let to = dst.as_mut_ptr().cast::<u8>();
    // SAFETY: `dst` and `src` have the same length `n` (just checked;
    // callers pass ranges of that length, so the check folds away) and
    // `dst` is exclusively borrowed, so they cannot overlap; `MaybeUninit<u8>`
    // has the layout of `u8`. Each branch reads and writes only offsets
    // below `n`: a pair of `W`-byte accesses at `0` and `n - W` needs
    // `W <= n`, which its condition gives. Every byte of `dst` is written,
    // which is what keeps the writer's invariant as `pos` moves past it.
    unsafe {
        if n > 32 {
            std::ptr::copy_nonoverlapping(from, to, n);
        } else if n >= 16 {
            copy_pair::<u128>(from, to, n);
        } else if n >= 8 {
            copy_pair::<u64>(from, to, n);
        } else if n >= 4 {
            copy_pair::<u32>(from, to, n);
        } else if n > 0 {
            *to = *from;
            *to.add(n / 2) = *from.add(n / 2);
            *to.add(n - 1) = *from.add(n - 1);
        }
    }
}

/// Copies `src` into `dst`, which has its length, with one `memcpy`.
///
/// For strings: their lengths vary from one to the next, and the size
/// branches of [`copy_into`] then mispredict; `memcpy` dispatches on size
/// as well, but measured no worse on `messages.messages`.
#[inline(always)]
fn copy_plain_into(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    assert_eq!(dst.len(), src.len());
    // SAFETY: as in `copy_into`: equal lengths (checked), no overlap
    // (`dst` is exclusively borrowed), same layout; every byte of `dst` is
    // initialized after the copy.
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr().cast::<u8>(), src.len()) }
}

/// Copies `n` bytes as two `W`-byte words, the first at 0 and the second
/// ending at `n` (they overlap when `n < 2 * W`).
///
/// # Safety
/// `size_of::<W>() <= n <= 2 * size_of::<W>()`, `from` readable and `to`
/// writable for `n` bytes, not overlapping.
#[inline(always)]
unsafe fn copy_pair<W: Copy>(from: *const u8, to: *mut u8, n: usize) {
    let w = std::mem::size_of::<W>();
    let head = from.cast::<W>().read_unaligned();
    let tail = from.add(n - w).cast::<W>().read_unaligned();
    to.cast::<W>().write_unaligned(head);
    to.add(n - w).cast::<W>().write_unaligned(tail);
}

/// Makes room for `len` more bytes in `out`, has `write` fill them through
/// a [`Writer`], and keeps what it wrote.
///
/// # Panics
/// If `write` writes more than `len` bytes, or replaces the writer it was
/// given with another one (`mem::swap`); in debug builds also if it writes
/// fewer. All are bugs in a `Serialize` impl.
#[inline]
pub(crate) fn append(out: &mut Vec<u8>, len: usize, write: impl FnOnce(&mut Writer<'_>)) {
    let start = out.len();
    out.reserve(len);
    let spare = &mut out.spare_capacity_mut()[..len];
    let spare_at = spare.as_ptr();
    let mut writer = Writer::uninit(spare);
    write(&mut writer);
    // `write` could have swapped in a writer over some other buffer, whose
    // position says nothing about `out`'s bytes.
    assert!(
        std::ptr::eq(writer.buf.as_ptr(), spare_at),
        "a write_to replaced the Writer it was given"
    );
    let written = writer.written();
    debug_assert_eq!(written, len, "serialized_len disagrees with write_to");
    // SAFETY: the writer is the one over `out`'s spare capacity from `start`
    // on (checked just above), and by its invariant its first `written`
    // bytes are initialized; `written <= len <= capacity - start`.
    unsafe { out.set_len(start + written) };
}

#[cold]
#[inline(never)]
#[track_caller]
fn overflow(needed: usize, remaining: usize) -> ! {
    panic!(
        "Writer overflow: {needed} bytes to write, {remaining} left; \
         a serialized_len is shorter than what its write_to writes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tl_bytes_headers_and_padding() {
        for len in [0usize, 1, 3, 4, 253, 254, 255, 1000] {
            let data = vec![0xab; len];
            let mut buf = vec![0xff; crate::tl_bytes_len(len)];
            let mut w = Writer::new(&mut buf);
            w.put_tl_bytes(&data);
            assert_eq!(w.remaining(), 0, "len {len}");
            let header = if len <= 253 { 1 } else { 4 };
            assert_eq!(&buf[header..header + len], &data[..]);
            assert!(buf[header + len..].iter().all(|&b| b == 0), "len {len}");
            if len <= 253 {
                assert_eq!(buf[0] as usize, len);
            } else {
                assert_eq!(buf[0], 254);
                assert_eq!(
                    u32::from_le_bytes([buf[1], buf[2], buf[3], 0]) as usize,
                    len
                );
            }
        }
    }

    #[test]
    fn copies_of_every_short_length_and_offset() {
        // Every size branch of `copy_into` (0, 1-3, 4-7, 8-15, 16-32, more),
        // at every alignment, between guard bytes that must stay untouched.
        let src: Vec<u8> = (1..=80).collect();
        for n in 0..=80 {
            for offset in 0..8 {
                let mut buf = [0xee; 96];
                let mut w = Writer::new(&mut buf[..offset + n]);
                w.put(&[0xaa; 8][..offset]);
                w.put(&src[..n]);
                assert_eq!(w.remaining(), 0);
                assert_eq!(&buf[offset..offset + n], &src[..n], "n {n} offset {offset}");
                assert!(buf[offset + n..].iter().all(|&b| b == 0xee));
            }
        }
    }

    #[test]
    #[should_panic(expected = "Writer overflow: 4 bytes to write, 3 left")]
    fn overflow_panics_with_both_sizes() {
        let mut buf = [0u8; 3];
        Writer::new(&mut buf).put_u32(1);
    }

    #[test]
    fn append_keeps_what_was_written() {
        let mut out = vec![1, 2];
        append(&mut out, 4, |w| w.put_i32(-1));
        assert_eq!(out, [1, 2, 0xff, 0xff, 0xff, 0xff]);
    }

    #[test]
    #[should_panic(expected = "replaced the Writer")]
    fn append_refuses_a_swapped_writer() {
        // Only a 'static buffer can be swapped with the writer `append`
        // hands out (its closure takes a writer of any lifetime), hence the
        // leak (Miri: -Zmiri-ignore-leaks). Its 8 written bytes must not
        // become `out`'s length.
        let other: &'static mut [u8] = Box::leak(vec![0u8; 8].into_boxed_slice());
        let mut out = Vec::new();
        append(&mut out, 8, |w| {
            let mut fake = Writer::new(other);
            fake.put(&[1; 8]);
            std::mem::swap(w, &mut fake);
        });
    }
}
