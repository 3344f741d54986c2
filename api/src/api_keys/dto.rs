//! Request and response types of the API-key endpoints.

use chrono::{DateTime, Utc};
use entities::api_key;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::{
    auth::{KeyScopes, scopes::ScopeName},
    ids::{ApiKeyId, TenantId},
};

/// A new API key.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyIn {
    /// What the key is for, so that people can tell keys apart.
    #[validate(length(min = 1, max = 100), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Zapier integration", min_length = 1, max_length = 100)]
    pub name: String,
    /// The scopes the key holds (`resource:read` or `resource:write`; write implies read). Omit
    /// for every scope the creator holds. At least one; see the API-keys guide for the list.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_items = 1, max_items = 64, example = json!(["members:read", "api_keys:write"]))]
    pub scopes: Option<Vec<ScopeName>>,
    /// When the key stops working: in the future, at most two years ahead. Omit for no expiry
    /// (or, for a key created by an expiring key, that key's expiry).
    pub expires_at: Option<DateTime<Utc>>,
    /// Agency organisations only: the client workspaces (`org_…`) the key may act on with
    /// `X-Tenant-Id`. Omit for every client; an empty list allows none.
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub allowed_organization_ids: Option<Vec<TenantId>>,
}

/// Rotating a key's secret.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateApiKeyIn {
    /// How long the old secret keeps working, in seconds (0–604800, i.e. up to 7 days). Omit
    /// for the server default (`api_key_rotation_grace_secs`, 24 hours unless configured).
    #[validate(range(min = 0, max = 604_800))]
    #[schema(minimum = 0, maximum = 604_800, example = 3600)]
    pub grace_period_secs: Option<u32>,
}

/// An API key (without its secret).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: ApiKeyId,
    pub name: String,
    /// The visible start of the current secret, e.g. `cos_AbC123xy`.
    pub prefix: String,
    /// The scopes the key holds.
    #[schema(example = json!(["members:read", "api_keys:write"]))]
    pub scopes: Vec<String>,
    /// When the key stops working; null for never.
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    /// The client workspaces an agency key may act on; null for every client of the agency.
    #[schema(required = true)]
    pub allowed_organization_ids: Option<Vec<TenantId>>,
    pub created_at: DateTime<Utc>,
    /// When the key last authenticated a request (recorded at most once a minute).
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The client IP of that request.
    #[schema(required = true, example = "203.0.113.7")]
    pub last_used_ip: Option<String>,
    /// After a rotation: when the previous secret stops working; null when there is none.
    #[schema(required = true)]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// A newly created (or rotated) API key, with its secret. The secret is shown only here, once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApiKeyCreatedOut {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    #[schema(example = json!(["members:read", "api_keys:write"]))]
    pub scopes: Vec<String>,
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub allowed_organization_ids: Option<Vec<TenantId>>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub last_used_ip: Option<String>,
    /// After a rotation: when the previous secret stops working; null when it already has.
    #[schema(required = true)]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The secret: send as `Authorization: Bearer <secret>`. Store it now; it cannot be shown again.
    #[schema(example = "cos_3kTqW0Xb9sV1yZ2mN4pL6rH8jF0dC5aE7gB2uI4o")]
    pub secret: String,
}

impl ApiKeyCreatedOut {
    pub fn new(key: ApiKeyOut, secret: String) -> Self {
        Self {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes,
            expires_at: key.expires_at,
            allowed_organization_ids: key.allowed_organization_ids,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            last_used_ip: key.last_used_ip,
            previous_secret_expires_at: key.previous_secret_expires_at,
            secret,
        }
    }
}

crate::list_type!(
    /// A page of API keys.
    ApiKeyList,
    ApiKeyOut
);

/// The stored client-workspace restriction, parsed.
pub fn allowed_tenants(stored: Option<&str>) -> Option<Vec<TenantId>> {
    stored.map(|ids| {
        ids.split_whitespace().filter_map(|id| uuid::Uuid::parse_str(id).ok()).map(TenantId::from_uuid).collect()
    })
}

impl From<api_key::Model> for ApiKeyOut {
    fn from(m: api_key::Model) -> Self {
        let previous_secret_expires_at = match (&m.previous_secret_hash, m.previous_expires_at) {
            (Some(_), Some(at)) if at > Utc::now() => Some(at),
            _ => None,
        };
        Self {
            id: ApiKeyId::from_uuid(m.id),
            name: m.name,
            prefix: m.prefix,
            scopes: KeyScopes::from_stored(&m.scopes).names(),
            expires_at: m.expires_at,
            allowed_organization_ids: allowed_tenants(m.allowed_tenant_ids.as_deref()),
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            last_used_ip: m.last_used_ip,
            previous_secret_expires_at,
        }
    }
}
