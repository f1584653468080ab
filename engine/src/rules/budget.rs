//! What one rule call may spend, and the stack it runs on.
//!
//! Rhai counts an operation the same whatever it touches, but upper-casing a 100 000
//! character string or copying a value nested 9 000 deep costs as much as thousands of
//! small ones: such loops ran for minutes inside the operations limit (issue 12). So a call
//! is held to four budgets, checked on every operation by the sandbox's progress callback:
//! - **operations**: Rhai's count plus a charge by size, one operation per
//!   [`limits::CHARGE_BYTES`] the call allocates (where the host counts allocation, see
//!   `rules::memory`) or a string search reads (`library`);
//! - **memory**: [`limits::MEMORY_BYTES`] held beyond what the call started with;
//! - **time**: [`time_limit`] of wall clock (hosts with a clock; the browser has none here,
//!   and a runaway rule there only hurts its own tab). It stops a call, never decides one:
//!   the engine still reads no clock for what a rule means;
//! - **stack**: the call runs on a segment of [`limits::STACK_BYTES`] of its own, so no
//!   value it builds can overflow its thread's stack when it is copied, compared, printed
//!   or dropped, however small that thread's stack is.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rhai::Dynamic;

use super::{limits, memory};

/// Why a call was stopped, as the token Rhai carries back (see `rules::error`).
pub(crate) const MEMORY: &str = "memory";
pub(crate) const TIME: &str = "time";
pub(crate) const OPERATIONS: &str = "operations";

/// Milliseconds a rule call may run; set by the host (`kexie serve`'s `[rules] time_ms`).
static TIME_LIMIT_MS: AtomicU64 = AtomicU64::new(limits::TIME_MS);

/// Sets the wall-clock budget of every rule call in this process.
pub fn set_time_limit(limit: Duration) {
    TIME_LIMIT_MS.store(limit.as_millis().clamp(1, u64::MAX as u128) as u64, Ordering::Relaxed);
}

/// The wall-clock budget of a rule call.
pub fn time_limit() -> Duration {
    Duration::from_millis(TIME_LIMIT_MS.load(Ordering::Relaxed))
}

#[cfg(not(target_arch = "wasm32"))]
type Deadline = Option<std::time::Instant>;
#[cfg(target_arch = "wasm32")]
type Deadline = Option<()>;

/// What the running call started from.
#[derive(Clone, Copy)]
struct Meter {
    held: isize,
    allocated: usize,
    /// Bytes read by string searches, charged like bytes allocated.
    read: usize,
    deadline: Deadline,
}

thread_local! {
    /// The running rule call's meter; `None` outside a call.
    static METER: Cell<Option<Meter>> = const { Cell::new(None) };
}

/// Runs `f` as one rule call: on a stack of its own, with its budgets counted from here.
/// Whatever `f` builds must be dropped inside it; only plain results may leave.
pub(crate) fn metered<T>(f: impl FnOnce() -> T) -> T {
    let meter = Meter { held: memory::held(), allocated: memory::allocated(), read: 0, deadline: deadline() };
    let outer = METER.replace(Some(meter));
    let out = on_own_stack(f);
    METER.set(outer);
    out
}

#[cfg(not(target_arch = "wasm32"))]
fn deadline() -> Deadline {
    std::time::Instant::now().checked_add(time_limit())
}

#[cfg(target_arch = "wasm32")]
fn deadline() -> Deadline {
    None
}

#[cfg(not(target_arch = "wasm32"))]
fn on_own_stack<T>(f: impl FnOnce() -> T) -> T {
    // A thread with this much stack left runs the call in place; any other (the server's
    // pool threads, a test's) gets a fresh segment, unmapped after the call, so what a
    // hostile call touched is not kept.
    stacker::maybe_grow(limits::STACK_BYTES, limits::STACK_BYTES, f)
}

#[cfg(target_arch = "wasm32")]
fn on_own_stack<T>(f: impl FnOnce() -> T) -> T {
    f()
}

/// Charges the running call for reading `bytes` (a string search).
pub(crate) fn charge_read(bytes: usize) {
    METER.with(|m| {
        if let Some(mut meter) = m.get() {
            meter.read = meter.read.saturating_add(bytes);
            m.set(Some(meter));
        }
    });
}

/// The sandbox's progress callback: the token of the budget the running call has spent,
/// if any. `ops` is Rhai's count of operations so far.
pub(crate) fn spent(ops: u64) -> Option<Dynamic> {
    let meter = METER.get()?;
    let copied = memory::allocated().wrapping_sub(meter.allocated);
    let charged = copied.saturating_add(meter.read) / limits::CHARGE_BYTES;
    if ops.saturating_add(charged as u64) > limits::OPERATIONS {
        return Some(Dynamic::from(OPERATIONS));
    }
    if memory::held().wrapping_sub(meter.held) > limits::MEMORY_BYTES as isize {
        return Some(Dynamic::from(MEMORY));
    }
    if ops.is_multiple_of(8) && past(meter.deadline) {
        return Some(Dynamic::from(TIME));
    }
    None
}

#[cfg(not(target_arch = "wasm32"))]
fn past(deadline: Deadline) -> bool {
    deadline.is_some_and(|d| std::time::Instant::now() > d)
}

#[cfg(target_arch = "wasm32")]
fn past(_: Deadline) -> bool {
    false
}
