//! API-key authentication. A key is `cos_` + 40 random alphanumerics (~238 bits); only its
//! SHA-256 is stored. A presented key is hashed, looked up by hash, and the stored hash is
//! compared in constant time. Resolved keys are cached in memory for a short TTL so that the hot
//! path does no database work; revoking a key evicts it from this node's cache at once (other
//! replicas within the TTL). `last_used_at`/`last_used_ip` are written at most once a minute per
//! key. After a rotation the previous secret keeps working until its grace period ends; a key
//! past `expires_at` is refused.

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

use super::scopes::KeyScopes;
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
    pub scopes: KeyScopes,
    /// Client workspaces an agency key is restricted to (`None`: all of the agency's clients).
    pub allowed_tenants: Option<Vec<TenantId>>,
    /// The presented secret stops working at this time (key expiry, or a rotated-out secret's
    /// grace end).
    pub valid_until: Option<DateTime<Utc>>,
    /// The hash the presented secret matched (current or previous).
    matched_hash: String,
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
    pub async fn resolve(
        &self,
        db: &DatabaseConnection,
        secret: &str,
        ip: Option<String>,
    ) -> ApiResult<Arc<ResolvedApiKey>> {
        let invalid = || ApiError::unauthorized("invalid_api_key", "The API key is not valid or has been revoked.");
        if secret.len() != SECRET_PREFIX.len() + SECRET_RANDOM_LEN {
            return Err(invalid());
        }
        let hash = sha256_hex(secret);
        let key = match self.cache.get(&hash) {
            Some(key) => key,
            None => {
                let (row, valid_until, matched_hash) = match api_key::Entity::find_live_by_hash(&hash).one(db).await? {
                    Some(row) => {
                        let (until, matched) = (row.expires_at, row.secret_hash.clone());
                        (row, until, matched)
                    }
                    None => {
                        let row =
                            api_key::Entity::find_live_by_previous_hash(&hash).one(db).await?.ok_or_else(invalid)?;
                        let grace_end = row.previous_expires_at.ok_or_else(invalid)?;
                        let until = row.expires_at.map_or(grace_end, |e| e.min(grace_end));
                        let matched = row.previous_secret_hash.clone().unwrap_or_default();
                        (row, Some(until), matched)
                    }
                };
                let tenant = tenant::Entity::find_by_id(row.tenant_id).one(db).await?.ok_or_else(invalid)?;
                let allowed_tenants = row.allowed_tenant_ids.as_deref().map(|ids| {
                    ids.split_whitespace()
                        .filter_map(|id| uuid::Uuid::parse_str(id).ok())
                        .map(TenantId::from_uuid)
                        .collect()
                });
                let key = Arc::new(ResolvedApiKey {
                    id: ApiKeyId::from_uuid(row.id),
                    tenant_id: TenantId::from_uuid(row.tenant_id),
                    name: row.name,
                    prefix: row.prefix,
                    created_at: row.created_at,
                    tenant,
                    scopes: KeyScopes::from_stored(&row.scopes),
                    allowed_tenants,
                    valid_until,
                    matched_hash,
                    last_touch: AtomicI64::new(row.last_used_at.map_or(0, |t| t.timestamp())),
                });
                self.cache.insert(hash.clone(), key.clone());
                key
            }
        };
        // The lookup was by hash; compare the stored hash too, in constant time.
        if !constant_time_eq(&key.matched_hash, &hash) {
            return Err(invalid());
        }
        if key.valid_until.is_some_and(|until| until <= Utc::now()) {
            self.cache.invalidate(&hash);
            return Err(ApiError::unauthorized(
                "api_key_expired",
                "This API key (or its rotated-out secret) has expired.",
            ));
        }
        touch(db, &key, ip);
        Ok(key)
    }

    /// Forgets a key (after revocation or rotation).
    pub fn invalidate(&self, secret_hash: &str) {
        self.cache.invalidate(secret_hash);
    }

    /// Forgets every key (after a suspension or another change that affects many keys).
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }
}

/// Records `last_used_at` and the IP, at most once per interval per key, off the request path.
fn touch(db: &DatabaseConnection, key: &ResolvedApiKey, ip: Option<String>) {
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
            .col_expr(api_key::Column::LastUsedIp, Expr::value(ip))
            .filter(api_key::Column::TenantId.eq(tenant_id))
            .filter(api_key::Column::Id.eq(id))
            .exec(&db)
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record API key last use");
        }
    });
}
