//! Optional Redis (`REDIS_URL`): the connection pool. With it, rate-limit buckets
//! (`platform/rate_limit`) and idempotency records (`platform/idempotency`) live in Redis so that
//! API replicas agree; without it, in-process and database implementations serve a single node.
//! `/readyz` pings it.

use std::time::Duration;

use anyhow::Context;
use deadpool_redis::{Config, Pool, Runtime};

/// Creates the pool and checks that the server answers.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    let pool =
        Config::from_url(url).create_pool(Some(Runtime::Tokio1)).context("key `redis_url`: invalid Redis URL")?;
    ping(&pool).await.context("cannot reach Redis (check `redis_url`)")?;
    Ok(pool)
}

/// `PING`, bounded to two seconds.
pub async fn ping(pool: &Pool) -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(2), async {
        let mut conn = pool.get().await?;
        let pong: String = deadpool_redis::redis::cmd("PING").query_async(&mut conn).await?;
        anyhow::ensure!(pong == "PONG", "unexpected PING reply");
        Ok(())
    })
    .await
    .context("Redis PING timed out")?
}
