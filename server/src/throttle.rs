//! Slows down token guessing without refusing anyone's valid token: forged tokens (a bad
//! signature, not an expired one) are counted per claimed subject and per client address.
//! Past the limit a subject's further forged tokens get 429 instead of 401; past ten times
//! the limit an address is refused before its tokens are checked (a flood). A token the
//! key signed is always checked, so people behind one proxy never lock each other out.
//!
//! The counts live in this process only: behind several replicas a key gets the limit at
//! each of them, which still bounds guessing to a few per second.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Keys tracked at most: past this, expired windows are dropped, and if the table is
/// still full new keys go uncounted rather than letting the table eat memory.
const MAX_TRACKED: usize = 100_000;

/// An address may have this many times a subject's limit of forged tokens a minute.
pub const ADDRESS_FACTOR: u32 = 10;

/// Failed token checks per key (a client address, a claimed subject), in fixed one-minute
/// windows.
pub struct Throttle<K> {
    limit: u32,
    failures: Mutex<HashMap<K, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

impl<K: Hash + Eq + Clone + std::fmt::Display> Throttle<K> {
    /// `limit` failures a minute per key; 0 turns throttling off.
    pub fn new(limit: u32) -> Self {
        Throttle { limit, failures: Mutex::default() }
    }

    /// `Err(seconds to wait)` while `key` is over the limit.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        match failures.get(key) {
            Some(w) if self.limit > 0 && w.count >= self.limit && now < w.start + WINDOW => {
                Err((w.start + WINDOW - now).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed token check of `key`.
    pub fn failed(&self, key: &K, now: Instant) {
        if self.limit == 0 {
            return;
        }
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= MAX_TRACKED && !failures.contains_key(key) {
            failures.retain(|_, w| now < w.start + WINDOW);
            if failures.len() >= MAX_TRACKED {
                return;
            }
        }
        let w = failures.entry(key.clone()).or_insert(Window { start: now, count: 0 });
        if now >= w.start + WINDOW {
            *w = Window { start: now, count: 0 };
        }
        w.count += 1;
        if w.count == self.limit {
            tracing::warn!("{key}: {} forged tokens within a minute; throttled for the rest of the minute", self.limit);
        }
    }
}

/// The client's address: the peer's, or, when the peer is a trusted reverse proxy, the
/// address that proxy appended last to `X-Forwarded-For`.
pub fn client(peer: IpAddr, forwarded_for: Option<&str>, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    forwarded_for.and_then(|h| h.rsplit(',').next()).and_then(|a| a.trim().parse().ok()).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_for_the_rest_of_the_minute_after_the_limit() {
        let t = Throttle::<IpAddr>::new(3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.check(&a, start), Ok(()));
            t.failed(&a, start);
        }
        assert_eq!(t.check(&a, start + Duration::from_secs(15)), Err(45));
        assert_eq!(t.check(&b, start), Ok(()), "another address is not affected");
        assert_eq!(t.check(&a, start + WINDOW), Ok(()), "a new minute starts afresh");
        t.failed(&a, start + WINDOW);
        assert_eq!(t.check(&a, start + WINDOW), Ok(()), "one failure in the new minute");
    }

    #[test]
    fn a_limit_of_zero_never_refuses() {
        let t = Throttle::<String>::new(0);
        let a = "li".to_string();
        (0..100).for_each(|_| t.failed(&a, Instant::now()));
        assert_eq!(t.check(&a, Instant::now()), Ok(()));
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let other: IpAddr = "10.0.0.8".parse().unwrap();
        let header = Some("1.2.3.4, 192.168.1.20");
        assert_eq!(client(proxy, header, &[proxy]), "192.168.1.20".parse::<IpAddr>().unwrap());
        assert_eq!(client(other, header, &[proxy]), other, "anyone else could forge the header");
        assert_eq!(client(proxy, Some("garbage"), &[proxy]), proxy);
        assert_eq!(client(proxy, None, &[proxy]), proxy);
    }
}
