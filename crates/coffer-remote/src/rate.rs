//! A client-side write rate per connection: writes are spaced so that no
//! more than the connection's `writes_per_sec` start in any second (AWS
//! shares 50 writes/s per account; Coffer's default stays well under it).

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// Spaces writes evenly at a fixed rate. Shared by every deployment of one
/// connection in a process.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// At most `per_sec` writes a second (at least one).
    pub fn new(per_sec: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_sec.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits until the next write may start.
    pub async fn acquire(&self) {
        let wait = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.interval);
            at.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
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
}
