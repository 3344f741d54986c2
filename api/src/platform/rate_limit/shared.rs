//! The Redis-shared limiter without a Redis round trip on every request.
//!
//! Each node keeps a mirror of every bucket it serves: the bucket's TAT as Redis last reported it,
//! advanced by the requests this node admitted since. A request is decided locally (no I/O) when
//! the mirror was synced within `SYNC_INTERVAL` and would still have at least half the bucket left
//! after it; otherwise — a new bucket, a stale mirror, or a bucket getting close to its limit —
//! it goes to Redis, which first records the requests admitted locally since the last sync
//! (`pending`) and then judges this one. So a quiet bucket costs one Redis call per
//! `SYNC_INTERVAL`, a bucket near its limit is judged by Redis on every request (exact across
//! replicas where it matters), and the error is bounded: other replicas' traffic is seen at most
//! `SYNC_INTERVAL` late, and only while the bucket is at least half full.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use super::{
    gcra::{self, Decision, Policy},
    local_now_us, redis,
};

/// How stale a mirror may be and still decide locally.
const SYNC_INTERVAL_US: i64 = 250_000;
/// While one request refreshes a stale mirror, the others may still decide locally up to this age.
const MAX_STALENESS_US: i64 = 1_000_000;
const UNSET: i64 = i64::MIN;

struct Mirror {
    /// The bucket's TAT on this node's clock (µs), `UNSET` before the first sync.
    tat: AtomicI64,
    /// When the mirror was last synced with Redis (this node's clock, µs).
    synced_at: AtomicI64,
    /// Requests admitted locally and not yet recorded in Redis.
    pending: AtomicI64,
    /// A request is refreshing this mirror from Redis (the others need not queue behind it).
    refreshing: AtomicBool,
}

struct RefreshGuard<'a>(&'a AtomicBool);

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

pub struct SharedLimiter {
    pool: deadpool_redis::Pool,
    mirrors: moka::sync::Cache<String, Arc<Mirror>>,
}

impl SharedLimiter {
    pub fn new(pool: deadpool_redis::Pool, capacity: u64, idle: Duration) -> Self {
        Self { pool, mirrors: moka::sync::Cache::builder().max_capacity(capacity).time_to_idle(idle).build() }
    }

    /// Decides locally when the mirror allows it, else asks Redis. An error means Redis failed
    /// (the caller falls back to in-process limits); nothing pending is lost.
    pub async fn check(&self, key: &str, policy: &Policy) -> anyhow::Result<Decision> {
        let mirror = self.mirrors.get_with_by_ref(key, || {
            Arc::new(Mirror {
                tat: AtomicI64::new(UNSET),
                synced_at: AtomicI64::new(UNSET),
                pending: AtomicI64::new(0),
                refreshing: AtomicBool::new(false),
            })
        });
        // A stale mirror is refreshed by one request; meanwhile the others decide locally for a
        // little longer instead of all queueing for Redis at once.
        let refresher = mirror.refreshing.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok();
        // Clears the flag however this call ends (also when the caller's timeout drops it).
        let _guard = refresher.then(|| RefreshGuard(&mirror.refreshing));
        let max_age = if refresher { SYNC_INTERVAL_US } else { MAX_STALENESS_US };
        if let Some(decision) = Self::decide_locally(&mirror, policy, max_age) {
            return Ok(decision);
        }
        Self::sync(&self.pool, &mirror, key, policy).await
    }

    async fn sync(
        pool: &deadpool_redis::Pool,
        mirror: &Mirror,
        key: &str,
        policy: &Policy,
    ) -> anyhow::Result<Decision> {
        let pending = mirror.pending.swap(0, Ordering::AcqRel);
        let now = local_now_us();
        match redis::check(pool, key, policy, pending).await {
            Ok((decision, tat_from_now)) => {
                mirror.tat.store(now.saturating_add(tat_from_now), Ordering::Release);
                mirror.synced_at.store(now, Ordering::Release);
                Ok(decision)
            }
            Err(e) => {
                mirror.pending.fetch_add(pending, Ordering::AcqRel);
                Err(e)
            }
        }
    }

    fn decide_locally(mirror: &Mirror, policy: &Policy, max_age_us: i64) -> Option<Decision> {
        let headroom = (policy.limit / 2).max(2);
        loop {
            let now = local_now_us();
            let synced_at = mirror.synced_at.load(Ordering::Acquire);
            if synced_at == UNSET || now.saturating_sub(synced_at) > max_age_us {
                return None;
            }
            let current = mirror.tat.load(Ordering::Acquire);
            let (decision, next) = gcra::step(policy, (current != UNSET).then_some(current), now);
            let next = next.filter(|_| decision.remaining >= headroom)?;
            if mirror.tat.compare_exchange(current, next, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                mirror.pending.fetch_add(1, Ordering::AcqRel);
                return Some(decision);
            }
        }
    }
}
