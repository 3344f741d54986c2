//! The Redis back end: one Lua script (the GCRA step of `gcra.rs`) run atomically, so that every
//! replica sharing the Redis shares the buckets. `shared.rs` decides when to call it (not on every
//! request) and passes the requests it admitted locally since the last call (`pending`), which
//! the script records before judging the current one. The clock is Redis's own (`TIME`), so
//! replicas with skewed clocks still agree. Sent with `EVALSHA`; on `NOSCRIPT` (a restarted or
//! flushed Redis) it is sent once with `EVAL`, which caches it again.

use std::sync::LazyLock;

use deadpool_redis::{Pool, redis};

use super::gcra::{Decision, Policy};

/// KEYS[1] = bucket key; ARGV[1] = emission interval µs; ARGV[2] = period µs (interval × limit);
/// ARGV[3] = requests already admitted locally since the last call (recorded unconditionally).
/// Returns {allowed (0/1), remaining, reset_after µs, retry_after µs}.
const SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local pending = tonumber(ARGV[3]) or 0
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  tat = tonumber(stored) or now
  if tat < now then tat = now end
end
if pending > 0 then
  tat = tat + pending * interval
end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  if pending > 0 then
    redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.max(1, math.ceil((tat - now) / 1000)))
  end
  return {0, 0, tat - now, allow_at - now}
end
local ttl_ms = math.ceil((new_tat - now) / 1000)
if ttl_ms < 1 then ttl_ms = 1 end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, math.floor((period - (new_tat - now)) / interval), new_tat - now, 0}
";

/// The script's SHA-1, as `EVALSHA` wants it.
static SHA: LazyLock<String> = LazyLock::new(|| {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, SCRIPT.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
});

/// Records `pending` locally admitted requests and runs one GCRA step for `key` in Redis.
/// Returns the decision and the bucket's TAT relative to now (µs), for the local mirror.
pub async fn check(pool: &Pool, key: &str, policy: &Policy, pending: i64) -> anyhow::Result<(Decision, i64)> {
    let mut conn = pool.get().await?;
    let (interval, period) = (policy.interval_us(), policy.period_us());
    let reply: redis::RedisResult<(i64, i64, i64, i64)> = redis::cmd("EVALSHA")
        .arg(SHA.as_str())
        .arg(1)
        .arg(key)
        .arg(interval)
        .arg(period)
        .arg(pending)
        .query_async(&mut conn)
        .await;
    let (allowed, remaining, reset_us, retry_us) = match reply {
        Err(e) if e.code() == Some("NOSCRIPT") => {
            redis::cmd("EVAL")
                .arg(SCRIPT)
                .arg(1)
                .arg(key)
                .arg(interval)
                .arg(period)
                .arg(pending)
                .query_async(&mut conn)
                .await?
        }
        other => other?,
    };
    Ok((Decision::from_raw(policy, allowed == 1, remaining, reset_us, retry_us), reset_us))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_hash_is_the_sha1_of_the_script() {
        assert_eq!(super::SHA.len(), 40);
        assert!(super::SHA.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
