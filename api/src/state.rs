//! Shared application state, built once at start-up and handed to every worker.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    config::Settings,
    platform::{
        auth::{api_keys::ApiKeyResolver, jwt::JwtKeys, snapshots::AuthSnapshots},
        crypto::ServerKeys,
        mail::Mailer,
        rate_limit::RateLimiter,
    },
};

pub struct AppState {
    pub db: DatabaseConnection,
    pub redis: Option<deadpool_redis::Pool>,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub api_keys: ApiKeyResolver,
    pub auth: AuthSnapshots,
    /// Keys derived from the server secret for MACs and sealed data at rest.
    pub keys: ServerKeys,
    /// Outgoing email (SMTP, or the sandbox mailbox).
    pub mailer: Mailer,
    /// Rate limits (Redis-backed when `redis_url` is set, in-process otherwise).
    pub rate_limiter: RateLimiter,
    /// Stored files: import uploads, error reports, exports.
    pub files: crate::platform::storage::FileStore,
    /// Serialised contact-list pages, checked against the tenant's data generation.
    pub contact_lists: crate::crm::contacts::list_cache::ContactListCache,
    /// Webhook delivery: the process's HTTP client and per-endpoint rate limiter.
    pub webhooks: crate::webhooks::delivery::Deliverer,
}

impl AppState {
    /// Drops every cached credential, session and tenant snapshot on this node: call after any
    /// change that must stop access at once (revocation, suspension, role change, removal).
    pub fn invalidate_credentials(&self) {
        self.auth.invalidate_all();
        self.api_keys.invalidate_all();
    }
}
