//! API-key authentication. A key is `cos_` + 40 random alphanumerics (~238 bits); only its
//! SHA-256 is stored. A presented key is hashed, looked up by hash, and the stored hash is
//! compared in constant time. Resolved keys are cached in memory for a short TTL so that the hot
//! path does no database work; revoking a key evicts it from this node's cache at once (other
//! replicas within the TTL). `last_used_at` is written at most once a minute per key.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use entities::{api_key, tenant};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    error::{ApiError, ApiResult},
    platform::{
        crypto::{constant_time_eq, random_alphanumeric, sha256_hex},
        ids::{ApiKeyId, TenantId},
    },
};

pub const SECRET_PREFIX: &str = "cos_";
const SECRET_RANDOM_LEN: usize = 40;
const VISIBLE_PREFIX_LEN: usize = 12;
const TOUCH_INTERVAL_SECS: i64 = 60;

/// A freshly generated secret with what is stored of it.
pub struct NewSecret {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

/// Generates a new API key secret.
pub fn generate_secret() -> NewSecret {
    let secret = format!("{SECRET_PREFIX}{}", random_alphanumeric(SECRET_RANDOM_LEN));
    NewSecret { prefix: secret[..VISIBLE_PREFIX_LEN].to_owned(), hash: sha256_hex(&secret), secret }
}

/// An API key that authenticated, with a snapshot of its tenant.
#[derive(Debug)]
pub struct ResolvedApiKey {
    pub id: ApiKeyId,
    pub tenant_id: TenantId,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub tenant: tenant::Model,
    secret_hash: String,
    last_touch: AtomicI64,
}

/// Resolves presented keys, with a short-lived in-memory cache.
pub struct ApiKeyResolver {
    cache: moka::sync::Cache<String, Arc<ResolvedApiKey>>,
}

impl ApiKeyResolver {
    pub fn new(ttl: Duration) -> Self {
        Self { cache: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(ttl).build() }
    }

    /// Authenticates `secret` or answers 401.
    pub async fn resolve(&self, db: &DatabaseConnection, secret: &str) -> ApiResult<Arc<ResolvedApiKey>> {
        let invalid = || ApiError::unauthorized("invalid_api_key", "The API key is not valid or has been revoked.");
        if secret.len() != SECRET_PREFIX.len() + SECRET_RANDOM_LEN {
            return Err(invalid());
        }
        let hash = sha256_hex(secret);
        let key = match self.cache.get(&hash) {
            Some(key) => key,
            None => {
                let row = api_key::Entity::find_live_by_hash(&hash).one(db).await?.ok_or_else(invalid)?;
                let tenant = tenant::Entity::find_by_id(row.tenant_id).one(db).await?.ok_or_else(invalid)?;
                let key = Arc::new(ResolvedApiKey {
                    id: ApiKeyId::from_uuid(row.id),
                    tenant_id: TenantId::from_uuid(row.tenant_id),
                    name: row.name,
                    prefix: row.prefix,
                    created_at: row.created_at,
                    tenant,
                    secret_hash: row.secret_hash,
                    last_touch: AtomicI64::new(row.last_used_at.map_or(0, |t| t.timestamp())),
                });
                self.cache.insert(hash.clone(), key.clone());
                key
            }
        };
        // The lookup was by hash; compare the stored hash too, in constant time.
        if !constant_time_eq(&key.secret_hash, &hash) {
            return Err(invalid());
        }
        touch(db, &key);
        Ok(key)
    }

    /// Forgets a key (after revocation).
    pub fn invalidate(&self, secret_hash: &str) {
        self.cache.invalidate(secret_hash);
    }
}

/// Records `last_used_at`, at most once per interval per key, off the request path.
fn touch(db: &DatabaseConnection, key: &ResolvedApiKey) {
    let now = Utc::now();
    let last = key.last_touch.load(Ordering::Relaxed);
    if now.timestamp() - last < TOUCH_INTERVAL_SECS
        || key.last_touch.compare_exchange(last, now.timestamp(), Ordering::Relaxed, Ordering::Relaxed).is_err()
    {
        return;
    }
    let db = db.clone();
    let (id, tenant_id) = (key.id.uuid(), key.tenant_id.uuid());
    tokio::spawn(async move {
        let result = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .filter(api_key::Column::TenantId.eq(tenant_id))
            .filter(api_key::Column::Id.eq(id))
            .exec(&db)
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record API key last use");
        }
    });
}
