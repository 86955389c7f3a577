//! A global allocator that counts, so tests can assert what decoding costs
//! in allocations: how many and how large per thread ([`count`]), and the
//! peak of live bytes of the whole process ([`bounded`]).
//!
//! A binary that measures installs it with
//! `#[global_allocator] static ALLOCATOR: Counting = Counting;`; without it
//! the counters stay at zero. The per-thread counts let tests run in
//! parallel (and the test harness allocate) without disturbing each other's
//! numbers; the process-wide peak is what the fuzz checks bound, since a
//! fuzz target runs one input at a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The counting allocator: every call forwards to [`System`].
pub struct Counting;

thread_local! {
    // `const` initialisation: no lazy setup, so the allocator can use them
    // without allocating.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

/// Live bytes of the whole process, and their peak.
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn record(size: usize) {
    // `try_with`: during thread teardown the slots may be gone.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + size));
    let now = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn release(size: usize) {
    LIVE.fetch_sub(size, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are plain thread-local cells and atomics that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            record(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            record(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        release(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            // Counted as the old block and the new one both alive, which is
            // what a moving realloc costs at its peak.
            record(new_size);
            release(layout.size());
        }
        p
    }
}

/// What `f` allocated on this thread: (allocations, bytes), and its result.
pub fn count<T>(f: impl FnOnce() -> T) -> (usize, usize, T) {
    let before = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    let value = f();
    let after = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    (after.0 - before.0, after.1 - before.1, value)
}

/// Runs `f` and panics if the bytes it allocated at its peak (above what
/// was live when it started) exceed `limit`. Meaningful only in a binary
/// that installs [`Counting`] and runs one check at a time; elsewhere the
/// counters stay at zero and the assertion holds trivially.
pub fn bounded<T>(what: &str, limit: usize, f: impl FnOnce() -> T) -> T {
    let start = LIVE.load(Ordering::Relaxed);
    // Nested calls measure their own part and leave the enclosing peak as
    // it would have been without them.
    let outer_peak = PEAK.swap(start, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    PEAK.fetch_max(outer_peak, Ordering::Relaxed);
    assert!(
        peak <= limit,
        "{what}: allocated {peak} bytes at the peak, more than the limit of {limit}"
    );
    out
}
