//! The per-endpoint rate limit of deliveries (`rate_limit_per_second`), in process memory: each
//! worker process keeps its own buckets, so N worker processes may together send up to N times
//! the limit.
//!
//! GCRA (as `platform/rate_limit/gcra.rs`): a burst of up to `limit` deliveries, then one every
//! `1 s / limit`. A delivery over the limit is told how long to wait (the job snoozes, which
//! does not count as an attempt). Refused deliveries each reserve the next free slot, so a
//! backlog comes back spread out one interval apart instead of all at once.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use uuid::Uuid;

/// Microseconds in a second.
const MICROS: i64 = 1_000_000;
/// Buckets kept before idle ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// The theoretical arrival time of the next delivery, µs.
    tat: i64,
    /// The next slot handed to a refused delivery, µs.
    reserved: i64,
}

/// Buckets by endpoint.
#[derive(Debug, Default)]
pub struct EndpointLimiter {
    buckets: Mutex<HashMap<Uuid, Bucket>>,
}

impl EndpointLimiter {
    /// `None`: deliver now (counted). `Some(wait)`: over the limit; try again after `wait`.
    pub fn check(&self, endpoint: Uuid, per_second: u32, now_ms: i64) -> Option<Duration> {
        let Ok(mut buckets) = self.buckets.lock() else { return None };
        let now = now_ms.saturating_mul(1000);
        let interval = (MICROS / i64::from(per_second.max(1))).max(1);
        let period = interval.saturating_mul(i64::from(per_second.max(1)));
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| b.tat > now || b.reserved > now);
        }
        let bucket = buckets.entry(endpoint).or_insert(Bucket { tat: now, reserved: now });
        let tat = bucket.tat.max(now);
        // Allowed when the delivery fits in the burst: tat + interval - period <= now.
        let earliest = tat + interval - period;
        if earliest <= now {
            bucket.tat = tat + interval;
            return None;
        }
        let slot = bucket.reserved.max(earliest);
        bucket.reserved = slot + interval;
        let wait_us = u64::try_from(slot - now).unwrap_or(0).max(1000);
        Some(Duration::from_micros(wait_us))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_limit_then_one_per_interval() {
        let l = EndpointLimiter::default();
        let ep = Uuid::now_v7();
        let t = 1_000_000;
        for _ in 0..5 {
            assert_eq!(l.check(ep, 5, t), None);
        }
        // Over: refused ones get successive slots 200 ms apart.
        assert_eq!(l.check(ep, 5, t), Some(Duration::from_millis(200)));
        assert_eq!(l.check(ep, 5, t), Some(Duration::from_millis(400)));
        assert_eq!(l.check(ep, 5, t), Some(Duration::from_millis(600)));
        // At the first slot, one more passes; the next waits.
        assert_eq!(l.check(ep, 5, t + 200), None);
        assert!(l.check(ep, 5, t + 200).is_some());
        // Other endpoints have their own bucket.
        assert_eq!(l.check(Uuid::now_v7(), 5, t), None);
    }

    #[test]
    fn one_per_second() {
        let l = EndpointLimiter::default();
        let ep = Uuid::now_v7();
        assert_eq!(l.check(ep, 1, 0), None);
        assert_eq!(l.check(ep, 1, 0), Some(Duration::from_secs(1)));
        assert_eq!(l.check(ep, 1, 999), Some(Duration::from_millis(1001)), "its slot is taken by the first refusal");
        assert_eq!(l.check(ep, 1, 1000), None);
        assert_eq!(l.check(ep, 1, 2000), None);
    }
}
