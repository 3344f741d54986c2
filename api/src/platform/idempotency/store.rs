//! Where idempotency records live: Redis when `redis_url` is configured (so every replica sees
//! them), else the `idempotency_keys` table. Both stores offer the same four operations: `claim`
//! (atomic), `complete`, `release` and — for the table only — `sweep`.
//!
//! A claim is a lease: it carries a token (Redis) or its `locked_until` instant (database), and
//! `complete`/`release` only touch the record while that lease still holds it, so a request
//! whose lease was taken over (its owner ran for more than `LOCK`) cannot clobber the new owner.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use deadpool_redis::redis;
use entities::idempotency_key::{self, Column, Entity};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TryInsertResult};

use crate::{error::ApiError, platform::crypto, state::AppState};

/// How long an in-flight claim blocks retries before another request may take it over.
pub const LOCK: Duration = Duration::from_secs(60);

const IN_FLIGHT: &str = "in_flight";
const COMPLETED: &str = "completed";

/// What a claim found.
pub enum Claim {
    /// The key was free (or its record had expired): this request runs and owns the lease.
    Acquired(Lease),
    /// Another request holds the key.
    Existing(Record),
}

/// The right to complete or release a claimed key.
pub struct Lease {
    token: String,
    locked_until: DateTime<Utc>,
}

/// A record held under a key by an earlier (or concurrent) request.
pub struct Record {
    pub request_mac: String,
    /// `None` while the first request is still in flight.
    pub response: Option<StoredResponse>,
}

/// A stored outcome; `body` is sealed.
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// The store chosen by configuration, borrowed from the application state.
pub struct Store<'a> {
    db: &'a DatabaseConnection,
    redis: Option<&'a deadpool_redis::Pool>,
    prefix: &'a str,
    ttl: Duration,
}

/// Redis is down or failing: the request cannot be made idempotent, so it is not run (503, retry).
fn redis_err(err: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %err, "idempotency store (Redis) failed");
    ApiError::Unavailable {
        detail: "Idempotency-Key could not be checked (the idempotency store is unavailable); retry shortly.".into(),
    }
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

const REDIS_CLAIM: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'state', 'in_flight', 'token', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return redis.call('HMGET', KEYS[1], 'mac', 'state', 'status', 'ctype', 'body')
";

const REDIS_COMPLETE: &str = r"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'in_flight' then
  redis.call('HSET', KEYS[1], 'state', 'completed', 'status', ARGV[2], 'ctype', ARGV[3], 'body', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
";

const REDIS_RELEASE: &str = r"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'in_flight' then
  return redis.call('DEL', KEYS[1])
end
return 0
";

fn bytes_of(value: &redis::Value) -> Option<Vec<u8>> {
    match value {
        redis::Value::BulkString(b) => Some(b.clone()),
        redis::Value::SimpleString(s) => Some(s.as_bytes().to_vec()),
        redis::Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

fn string_of(value: &redis::Value) -> Option<String> {
    bytes_of(value).and_then(|b| String::from_utf8(b).ok())
}

impl<'a> Store<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Self {
            db: &state.db,
            redis: state.redis.as_ref(),
            prefix: &state.settings.redis_key_prefix,
            ttl: Duration::from_secs(state.settings.idempotency_ttl_secs),
        }
    }

    fn redis_key(&self, scope_hash: &str) -> String {
        format!("{}:idempotency:{scope_hash}", self.prefix)
    }

    /// Claims `scope_hash` for a request with this MAC, or reports who holds it.
    pub async fn claim(&self, scope_hash: &str, request_mac: &str) -> Result<Claim, ApiError> {
        match self.redis {
            Some(pool) => self.claim_redis(pool, scope_hash, request_mac).await,
            None => self.claim_db(scope_hash, request_mac).await,
        }
    }

    /// Stores the outcome under the lease (a no-op if the lease was lost).
    pub async fn complete(&self, scope_hash: &str, lease: &Lease, response: StoredResponse) -> Result<(), ApiError> {
        match self.redis {
            Some(pool) => {
                let mut conn = pool.get().await.map_err(redis_err)?;
                let _: redis::Value = redis::cmd("EVAL")
                    .arg(REDIS_COMPLETE)
                    .arg(1)
                    .arg(self.redis_key(scope_hash))
                    .arg(&lease.token)
                    .arg(response.status)
                    .arg(response.content_type.unwrap_or_default())
                    .arg(response.body)
                    .arg(millis(self.ttl))
                    .query_async(&mut conn)
                    .await
                    .map_err(redis_err)?;
            }
            None => {
                Entity::update_many()
                    .set(idempotency_key::ActiveModel {
                        state: Set(COMPLETED.to_owned()),
                        response_status: Set(Some(i16::try_from(response.status).unwrap_or(i16::MAX))),
                        response_content_type: Set(response.content_type),
                        response_body: Set(Some(response.body)),
                        ..Default::default()
                    })
                    .filter(Column::ScopeHash.eq(scope_hash))
                    .filter(Column::State.eq(IN_FLIGHT))
                    .filter(Column::LockedUntil.eq(lease.locked_until))
                    .exec(self.db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Gives the key back so that a retry runs again (a no-op if the lease was lost).
    pub async fn release(&self, scope_hash: &str, lease: &Lease) -> Result<(), ApiError> {
        match self.redis {
            Some(pool) => {
                let mut conn = pool.get().await.map_err(redis_err)?;
                let _: redis::Value = redis::cmd("EVAL")
                    .arg(REDIS_RELEASE)
                    .arg(1)
                    .arg(self.redis_key(scope_hash))
                    .arg(&lease.token)
                    .query_async(&mut conn)
                    .await
                    .map_err(redis_err)?;
            }
            None => {
                Entity::delete_many()
                    .filter(Column::ScopeHash.eq(scope_hash))
                    .filter(Column::State.eq(IN_FLIGHT))
                    .filter(Column::LockedUntil.eq(lease.locked_until))
                    .exec(self.db)
                    .await?;
            }
        }
        Ok(())
    }

    async fn claim_redis(
        &self,
        pool: &deadpool_redis::Pool,
        scope_hash: &str,
        request_mac: &str,
    ) -> Result<Claim, ApiError> {
        let token = crypto::random_alphanumeric(24);
        let mut conn = pool.get().await.map_err(redis_err)?;
        let reply: redis::Value = redis::cmd("EVAL")
            .arg(REDIS_CLAIM)
            .arg(1)
            .arg(self.redis_key(scope_hash))
            .arg(request_mac)
            .arg(&token)
            .arg(millis(LOCK))
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        match reply {
            redis::Value::Int(1) => Ok(Claim::Acquired(Lease { token, locked_until: Utc::now() })),
            redis::Value::Array(fields) if fields.len() == 5 => {
                let request_mac = string_of(&fields[0]).unwrap_or_default();
                let completed = string_of(&fields[1]).as_deref() == Some(COMPLETED);
                let response = if completed {
                    let status = string_of(&fields[2]).and_then(|s| s.parse().ok()).unwrap_or(500);
                    let content_type = string_of(&fields[3]).filter(|s| !s.is_empty());
                    let body = bytes_of(&fields[4]).unwrap_or_default();
                    Some(StoredResponse { status, content_type, body })
                } else {
                    None
                };
                Ok(Claim::Existing(Record { request_mac, response }))
            }
            other => Err(redis_err(format!("unexpected claim reply {other:?}"))),
        }
    }

    async fn claim_db(&self, scope_hash: &str, request_mac: &str) -> Result<Claim, ApiError> {
        // A few rounds cover the races (released or taken over between our insert and read).
        for _ in 0..4 {
            let now = Utc::now().trunc_subsecs(3);
            let locked_until = now + to_chrono(LOCK);
            let fresh = idempotency_key::ActiveModel {
                scope_hash: Set(scope_hash.to_owned()),
                request_mac: Set(request_mac.to_owned()),
                state: Set(IN_FLIGHT.to_owned()),
                response_status: Set(None),
                response_content_type: Set(None),
                response_body: Set(None),
                locked_until: Set(locked_until),
                expires_at: Set(now + to_chrono(self.ttl)),
                created_at: Set(now),
            };
            let lease = Lease { token: String::new(), locked_until };
            let inserted =
                Entity::insert(fresh.clone()).on_conflict_do_nothing().exec_without_returning(self.db).await?;
            if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
                return Ok(Claim::Acquired(lease));
            }
            let Some(row) = Entity::find_by_id(scope_hash.to_owned()).one(self.db).await? else {
                continue; // released in between: try the insert again
            };
            let stale = row.expires_at <= now || (row.state == IN_FLIGHT && row.locked_until <= now);
            if !stale {
                let response = (row.state == COMPLETED).then(|| StoredResponse {
                    status: row.response_status.and_then(|s| u16::try_from(s).ok()).unwrap_or(500),
                    content_type: row.response_content_type,
                    body: row.response_body.unwrap_or_default(),
                });
                return Ok(Claim::Existing(Record { request_mac: row.request_mac, response }));
            }
            // Take the stale record over, only if nobody else did since we read it.
            let taken = Entity::update_many()
                .set(fresh)
                .filter(Column::ScopeHash.eq(scope_hash))
                .filter(Column::State.eq(row.state))
                .filter(Column::LockedUntil.eq(row.locked_until))
                .filter(Column::ExpiresAt.eq(row.expires_at))
                .exec(self.db)
                .await?;
            if taken.rows_affected == 1 {
                return Ok(Claim::Acquired(lease));
            }
        }
        Err(ApiError::internal(anyhow::anyhow!("idempotency claim did not settle")))
    }
}

/// Deletes expired records from the table (Redis expires its own).
pub async fn sweep(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let res = Entity::delete_many().filter(Column::ExpiresAt.lt(Utc::now())).exec(db).await?;
    Ok(res.rows_affected)
}
