//! Rate limiting: a GCRA limiter (`gcra.rs`) with one API, `RateLimiter::check(key, policy)`,
//! and two back ends: Redis when `redis_url` is set (buckets shared by every replica through one
//! atomic Lua script; `shared.rs` keeps a local mirror so that only new, stale or nearly empty
//! buckets cost a round trip), in-process otherwise (a bounded cache of one timestamp per key).
//! If Redis fails at request time the check falls back to the in-process limiter, with a
//! warning: limits then hold per node, never disappear.
//!
//! `middleware.rs` applies the per-API-key, per-user, per-IP and auth buckets to `/v1`; the
//! login brute-force throttle (per account) calls `check` from `identity::service::login`.

pub mod gcra;
mod login;
pub mod middleware;
pub mod openapi;
mod redis;
mod shared;

use std::{
    sync::{
        Arc, LazyLock,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

pub use gcra::{Decision, Policy};
pub use login::throttle_login;

use crate::config::Settings;

/// How long one Redis check may take before the local limiter answers instead.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// At most one "Redis unavailable" warning per this many seconds.
const WARN_EVERY_SECS: i64 = 10;
/// Keys remembered by the in-process limiter (least recently/frequently used go first).
const LOCAL_CAPACITY: u64 = 200_000;
/// The longest period of any policy: an entry idle this long is a full bucket, so it can go.
const LOCAL_IDLE: Duration = Duration::from_secs(15 * 60);

/// The limits in force, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Policies {
    pub enabled: bool,
    pub api_key: Policy,
    pub user: Policy,
    pub ip: Policy,
    pub auth: Policy,
    pub login_account: Policy,
}

impl Policies {
    pub fn from_settings(s: &Settings) -> Self {
        Self {
            enabled: s.rate_limit_enabled,
            api_key: Policy::per_minute("api_key", s.rate_limit_api_key_per_minute),
            user: Policy::per_minute("user", s.rate_limit_user_per_minute),
            ip: Policy::per_minute("ip", s.rate_limit_ip_per_minute),
            auth: Policy::per_minute("auth", s.rate_limit_auth_per_minute),
            login_account: Policy::new("login_account", s.rate_limit_login_per_account, 15 * 60),
        }
    }
}

/// The limiter. Cheap to share (`AppState` holds one).
pub struct RateLimiter {
    pub policies: Policies,
    shared: Option<shared::SharedLimiter>,
    prefix: String,
    local: LocalLimiter,
    last_warning: AtomicI64,
    /// Hashes of API keys that recently authenticated on this node (see the middleware).
    known_api_keys: moka::sync::Cache<String, ()>,
}

impl RateLimiter {
    pub fn new(settings: &Settings, redis: Option<deadpool_redis::Pool>) -> Self {
        Self {
            policies: Policies::from_settings(settings),
            shared: redis.map(|pool| shared::SharedLimiter::new(pool, LOCAL_CAPACITY, LOCAL_IDLE)),
            prefix: format!("{}:rl", settings.redis_key_prefix),
            local: LocalLimiter::new(),
            last_warning: AtomicI64::new(i64::MIN),
            known_api_keys: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(10 * 60))
                .build(),
        }
    }

    /// Counts one request against `key` in `policy`'s bucket. `key` must not be a secret (hash
    /// tokens and emails first); it is namespaced by the bucket name.
    pub async fn check(&self, key: &str, policy: Policy) -> Decision {
        let full_key = format!("{}:{}:{key}", self.prefix, policy.bucket);
        if let Some(shared) = &self.shared {
            match tokio::time::timeout(REDIS_TIMEOUT, shared.check(&full_key, &policy)).await {
                Ok(Ok(decision)) => return decision,
                Ok(Err(e)) => self.warn(&e.to_string()),
                Err(_) => self.warn("timed out"),
            }
        }
        self.local.check(&full_key, &policy)
    }

    /// Whether an API key (by hash) authenticated on this node in the last minutes.
    pub fn is_known_api_key(&self, hash: &str) -> bool {
        self.known_api_keys.contains_key(hash)
    }

    /// Records whether an API key (by hash) authenticated.
    pub fn remember_api_key(&self, hash: &str, authenticated: bool) {
        if authenticated {
            if !self.known_api_keys.contains_key(hash) {
                self.known_api_keys.insert(hash.to_owned(), ());
            }
        } else {
            self.known_api_keys.invalidate(hash);
        }
    }

    fn warn(&self, error: &str) {
        let now = local_now_us() / gcra::MICROS;
        let last = self.last_warning.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= WARN_EVERY_SECS
            && self.last_warning.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            tracing::warn!(error, "rate limiter: Redis unavailable, using this node's in-process limits");
        }
    }
}

/// Microseconds on a monotonic clock (from the first use in this process).
fn local_now_us() -> i64 {
    static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
    i64::try_from(EPOCH.elapsed().as_micros()).unwrap_or(i64::MAX)
}

/// The in-process back end: the TAT of each key in a bounded cache, updated by compare-and-swap.
struct LocalLimiter {
    tats: moka::sync::Cache<String, Arc<AtomicI64>>,
}

/// The stored value meaning "no TAT yet".
const UNSET: i64 = i64::MIN;

impl LocalLimiter {
    fn new() -> Self {
        Self { tats: moka::sync::Cache::builder().max_capacity(LOCAL_CAPACITY).time_to_idle(LOCAL_IDLE).build() }
    }

    fn check(&self, key: &str, policy: &Policy) -> Decision {
        let cell = self.tats.get_with_by_ref(key, || Arc::new(AtomicI64::new(UNSET)));
        loop {
            let now = local_now_us();
            let current = cell.load(Ordering::Acquire);
            let (decision, next) = gcra::step(policy, (current != UNSET).then_some(current), now);
            match next {
                None => return decision,
                Some(next) => {
                    if cell.compare_exchange(current, next, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                        return decision;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_local_limiter_enforces_the_policy_per_key() {
        let limiter = RateLimiter::new(&Settings::default(), None);
        let policy = Policy::per_minute("t", 3);
        let mut allowed = 0;
        for _ in 0..5 {
            allowed += usize::from(limiter.check("a", policy).await.allowed);
        }
        assert_eq!(allowed, 3);
        assert!(limiter.check("b", policy).await.allowed, "another key has its own bucket");
        let other = Policy::per_minute("u", 3);
        assert!(limiter.check("a", other).await.allowed, "another bucket name has its own state");
        let refused = limiter.check("a", policy).await;
        assert_eq!((refused.allowed, refused.remaining, refused.retry_after_secs), (false, 0, 20));
    }

    #[tokio::test]
    async fn an_unreachable_redis_falls_back_to_local_limits_not_to_none() {
        // Nothing listens on port 1: every Redis check fails at once.
        let pool = deadpool_redis::Config::from_url("redis://127.0.0.1:1")
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .unwrap();
        let limiter = RateLimiter::new(&Settings::default(), Some(pool));
        let policy = Policy::per_minute("t", 2);
        let allowed: Vec<bool> = futures_util::future::join_all((0..4).map(|_| limiter.check("k", policy)))
            .await
            .into_iter()
            .map(|d| d.allowed)
            .collect();
        assert_eq!(allowed.iter().filter(|a| **a).count(), 2, "{allowed:?}");
    }
}
