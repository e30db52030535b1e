//! A client-side write rate per connection: write requests are spaced so
//! that no more than the connection's `writes_per_sec` start in any second
//! (AWS shares 50 writes/s per account; Coffer's default stays well under
//! it). A call that makes several write requests (an AWS update is
//! `PutSecretValue` and then `TagResource`) reserves as many.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// Spaces writes evenly at a fixed rate. Shared by every deployment of one
/// connection in a process.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
    granted: AtomicU64,
}

impl RateLimiter {
    /// At most `per_sec` writes a second (at least one).
    pub fn new(per_sec: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_sec.max(1),
            next: Mutex::new(None),
            granted: AtomicU64::new(0),
        }
    }

    /// Waits until the next write may start.
    pub async fn acquire(&self) {
        self.acquire_many(1).await;
    }

    /// Waits until a call making `writes` write requests (at least one) may
    /// start; the writes after it wait their intervals.
    pub async fn acquire_many(&self, writes: u32) {
        let wait = self.reserve(Instant::now(), writes).await;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Reserves `writes` intervals from `now` or the end of the last
    /// reservation, whichever is later; returns how long to wait.
    async fn reserve(&self, now: Instant, writes: u32) -> Duration {
        let writes = writes.max(1);
        let mut next = self.next.lock().await;
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + self.interval * writes);
        self.granted.fetch_add(u64::from(writes), Ordering::Relaxed);
        at.saturating_duration_since(now)
    }

    /// Write requests granted so far.
    pub fn granted(&self) -> u64 {
        self.granted.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_are_spaced_at_the_rate() {
        let limiter = RateLimiter::new(20);
        let started = Instant::now();
        for _ in 0..11 {
            limiter.acquire().await;
        }
        let took = started.elapsed();
        // Ten intervals of 50 ms after the first write.
        assert!(took >= Duration::from_millis(490), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }

    #[tokio::test]
    async fn a_call_of_several_writes_reserves_each() {
        let limiter = RateLimiter::new(20);
        let t0 = Instant::now();
        // Two writes at once: the first starts now, the next call waits
        // for both intervals.
        assert_eq!(limiter.reserve(t0, 2).await, Duration::ZERO);
        assert_eq!(limiter.reserve(t0, 1).await, Duration::from_millis(100));
        assert_eq!(limiter.reserve(t0, 0).await, Duration::from_millis(150));
        // Once the reservations are over, nothing waits.
        let later = t0 + Duration::from_secs(1);
        assert_eq!(limiter.reserve(later, 3).await, Duration::ZERO);
        assert_eq!(
            limiter.reserve(later + Duration::from_millis(40), 1).await,
            Duration::from_millis(110)
        );
        // 0 counts as one.
        assert_eq!(limiter.granted(), 2 + 1 + 1 + 3 + 1);
    }

    #[tokio::test]
    async fn the_limiter_never_waits_when_writes_come_slower_than_the_rate() {
        let limiter = RateLimiter::new(20);
        let t0 = Instant::now();
        for i in 0..5 {
            let now = t0 + Duration::from_millis(60 * i);
            assert_eq!(limiter.reserve(now, 1).await, Duration::ZERO);
        }
    }
}
