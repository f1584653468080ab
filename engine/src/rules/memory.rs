//! What a thread allocates, for the budget of a rule call (`rules::budget`).
//!
//! Rhai's size limits hold per value, and it checks them only where a value is written
//! directly: a map filled with copies of a large array (`m[k] = a` in a loop) passed every
//! limit and grew to gigabytes within the operations limit. So the host's allocator counts
//! what each thread holds and has allocated, and the budget stops a call that holds too
//! much, or has copied so much that it has spent its operations.
//!
//! The server installs [`Counting`] as its global allocator. Where it is not installed (the
//! browser, where a runaway rule can only hurt its own tab) nothing is counted and Rhai's
//! own limits are all there is.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes this thread has allocated less those it freed, as `Counting` saw them.
    static HELD: Cell<isize> = const { Cell::new(0) };
    /// Bytes this thread has ever allocated (what it copied, whether kept or not).
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting bytes per thread.
pub struct Counting;

// SAFETY: every call is passed to `System` unchanged; counting touches only a const-initialised
// thread-local `Cell`, which neither allocates nor needs a destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

fn count(bytes: isize) {
    // `try_with`: while a thread ends, its slots may already be gone.
    let _ = HELD.try_with(|held| held.set(held.get().wrapping_add(bytes)));
    if bytes > 0 {
        let _ = ALLOCATED.try_with(|all| all.set(all.get().wrapping_add(bytes as usize)));
    }
}

/// Bytes this thread holds, as far as `Counting` saw (0 where it is not installed).
pub(crate) fn held() -> isize {
    HELD.get()
}

/// Bytes this thread has allocated in all, as far as `Counting` saw.
pub(crate) fn allocated() -> usize {
    ALLOCATED.get()
}
