//! Request and response types of the audit-log endpoints.

use chrono::{DateTime, Utc};
use entities::audit_event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::platform::ids::{AuditEventId, TenantId};

/// Which end of the log a list starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Oldest first (id order), like every other list.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Filters and paging of `GET /v1/audit-events`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditEventQuery {
    /// How many events to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque, and
    /// keep the other parameters the same while paging.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Only events with this action, e.g. `api_key.created` (exact match).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "auth.login.failed", min_length = 1, max_length = 100)]
    pub action: Option<String>,
    /// Only events by this actor (a prefixed id: `usr_…` or `key_…`).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub actor_id: Option<String>,
    /// Only events about this target (a prefixed id such as `key_…`, `usr_…`, `org_…`).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub target_id: Option<String>,
    /// Only events at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Who did it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorOut {
    /// `user`, `api_key`, `operator` or `anonymous`.
    #[serde(rename = "type")]
    #[schema(example = "user")]
    pub type_: String,
    /// The actor's prefixed id (`usr_…`, `key_…`); null for `anonymous`.
    #[schema(required = true, example = "usr_01jdq4m3y7e8f9g0h1j2k3m4n5")]
    pub id: Option<String>,
}

/// What the event is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditTargetOut {
    /// E.g. `api_key`, `user`, `organization`, `invitation`.
    #[serde(rename = "type")]
    #[schema(example = "api_key")]
    pub type_: String,
    /// The target's prefixed id.
    #[schema(example = "key_01jdq4m3y7e8f9g0h1j2k3m4n5")]
    pub id: String,
}

/// One security-relevant event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub id: AuditEventId,
    /// The organisation the event belongs to; null for platform events (operators only).
    #[schema(required = true)]
    pub organization_id: Option<TenantId>,
    pub actor: AuditActorOut,
    /// What happened, e.g. `api_key.created` (the catalogue is in the audit-log guide).
    #[schema(example = "api_key.created")]
    pub action: String,
    /// What it happened to; null when there is no single target.
    #[schema(required = true)]
    pub target: Option<AuditTargetOut>,
    /// The client IP of the request (the TCP peer).
    #[schema(required = true, example = "203.0.113.7")]
    pub ip: Option<String>,
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// The request id (`X-Request-Id`) of the request that caused it.
    #[schema(required = true)]
    pub request_id: Option<String>,
    /// Event details (never secrets); `{}` when there are none.
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of audit events.
    AuditEventList,
    AuditEventOut
);

impl From<audit_event::Model> for AuditEventOut {
    fn from(m: audit_event::Model) -> Self {
        let metadata = m
            .metadata
            .as_deref()
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Default::default()));
        Self {
            id: AuditEventId::from_uuid(m.id),
            organization_id: m.tenant_id.map(TenantId::from_uuid),
            actor: AuditActorOut { type_: m.actor_type, id: m.actor_id },
            action: m.action,
            target: match (m.target_type, m.target_id) {
                (Some(type_), Some(id)) => Some(AuditTargetOut { type_, id }),
                _ => None,
            },
            ip: m.ip,
            user_agent: m.user_agent,
            request_id: m.request_id,
            metadata,
            created_at: m.created_at,
        }
    }
}
