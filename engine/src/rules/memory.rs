//! The memory one rule call may take, in total.
//!
//! Rhai's size limits hold per value, and it checks them only where a value is written
//! directly: a map filled with copies of a large array (`m[k] = a` in a loop) passed every
//! limit and grew to gigabytes within the operations limit. So the host's allocator counts
//! what each thread holds, and the sandbox's progress callback stops a call once it holds
//! more than [`super::limits::MEMORY_BYTES`] beyond what it started with.
//!
//! The server installs [`Counting`] as its global allocator. Where it is not installed (the
//! browser, where a runaway rule can only hurt its own tab) nothing is counted and Rhai's
//! own limits are all there is.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes this thread has allocated less those it freed, as `Counting` saw them.
    static HELD: Cell<isize> = const { Cell::new(0) };
    /// `HELD` when the running rule call began; `None` outside a call.
    static BASE: Cell<Option<isize>> = const { Cell::new(None) };
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
    // `try_with`: while a thread ends, its slot may already be gone.
    let _ = HELD.try_with(|held| held.set(held.get().wrapping_add(bytes)));
}

/// Runs `f` as one rule call: what it allocates from here on counts against the budget.
pub(crate) fn metered<T>(f: impl FnOnce() -> T) -> T {
    let outer = BASE.replace(Some(HELD.get()));
    let out = f();
    BASE.set(outer);
    out
}

/// Whether the running rule call holds more than its budget.
pub(crate) fn over_budget() -> bool {
    BASE.get().is_some_and(|base| HELD.get().wrapping_sub(base) > super::limits::MEMORY_BYTES as isize)
}
