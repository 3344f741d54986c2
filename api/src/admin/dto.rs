//! Request and response types of the operator endpoints (`/v1/admin/*`).

use chrono::{DateTime, Utc};
use entities::{sandbox_email, tenant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    audit::dto::SortOrder,
    platform::ids::{SandboxEmailId, TenantId},
};

/// Search and paging of `GET /v1/admin/organizations`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrganizationQuery {
    /// A case-insensitive substring of the name, or an exact organisation id (`org_…`).
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200, example = "acme")]
    pub q: Option<String>,
    /// How many organisations to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
}

/// An organisation, as operators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrganizationOut {
    pub id: TenantId,
    pub name: String,
    /// `standard`, `agency`, `client` (a workspace of an agency) or `platform` (operators).
    #[schema(example = "standard")]
    pub kind: String,
    /// The agency of a client workspace; null otherwise.
    #[schema(required = true)]
    pub parent_id: Option<TenantId>,
    /// When the organisation was suspended; null when it is active.
    #[schema(required = true)]
    pub suspended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tenant::Model> for AdminOrganizationOut {
    fn from(m: tenant::Model) -> Self {
        Self {
            id: TenantId::from_uuid(m.id),
            name: m.name,
            kind: m.kind,
            parent_id: m.parent_id.map(TenantId::from_uuid),
            suspended_at: m.suspended_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of organisations.
    AdminOrganizationList,
    AdminOrganizationOut
);

/// Suspending an organisation.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendOrganizationIn {
    /// Why (recorded in the audit log, which the organisation can read).
    #[validate(length(min = 1, max = 500), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 500, example = "Unpaid invoices since March")]
    pub reason: String,
}

/// Filtering and paging of `GET /v1/admin/sandbox/emails`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SandboxEmailQuery {
    /// Only messages to this address (case-insensitive).
    #[validate(length(min = 1, max = 254))]
    #[param(min_length = 1, max_length = 254, example = "ada@example.com")]
    pub to: Option<String>,
    /// How many messages to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
}

/// A message the sandbox mail sender kept instead of sending.
#[derive(Debug, Serialize, ToSchema)]
pub struct SandboxEmailOut {
    pub id: SandboxEmailId,
    #[schema(example = "ada@example.com")]
    pub to: String,
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<sandbox_email::Model> for SandboxEmailOut {
    fn from(m: sandbox_email::Model) -> Self {
        Self {
            id: SandboxEmailId::from_uuid(m.id),
            to: m.to_address,
            subject: m.subject,
            text: m.body_text,
            created_at: m.created_at,
        }
    }
}

crate::list_type!(
    /// A page of sandbox messages, newest first.
    SandboxEmailList,
    SandboxEmailOut
);

/// Filters and paging of `GET /v1/admin/audit-events` (every organisation).
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminAuditEventQuery {
    /// Only this organisation's events.
    pub organization_id: Option<TenantId>,
    /// How many events to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Only events with this action (exact match).
    #[validate(length(min = 1, max = 100))]
    #[param(example = "organization.suspended", min_length = 1, max_length = 100)]
    pub action: Option<String>,
    /// Only events by this actor (a prefixed id).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub actor_id: Option<String>,
    /// Only events about this target (a prefixed id).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub target_id: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}
