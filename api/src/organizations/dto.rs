//! Request and response types of the organisation, member, invitation, workspace and client
//! endpoints.

use chrono::{DateTime, Utc};
use entities::{invitation, tenant};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::{
    auth::Role,
    ids::{InvitationId, TenantId, UserId},
    patch::Patch,
};

/// What an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// An ordinary organisation.
    Standard,
    /// An organisation that creates and manages client workspaces.
    Agency,
    /// A client workspace managed by an agency (`parent_id`).
    Client,
    /// The operators' organisation.
    Platform,
}

impl OrganizationKind {
    pub fn parse(s: &str) -> Self {
        match s {
            "agency" => Self::Agency,
            "client" => Self::Client,
            "platform" => Self::Platform,
            _ => Self::Standard,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Agency => "agency",
            Self::Client => "client",
            Self::Platform => "platform",
        }
    }
}

/// The kinds an organisation may switch between itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettableKind {
    Standard,
    Agency,
}

impl From<SettableKind> for OrganizationKind {
    fn from(k: SettableKind) -> Self {
        match k {
            SettableKind::Standard => Self::Standard,
            SettableKind::Agency => Self::Agency,
        }
    }
}

/// The organisation a request acts on, with its seat usage.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationDetailOut {
    pub id: TenantId,
    pub name: String,
    pub kind: OrganizationKind,
    /// The managing agency, for a client workspace; null otherwise.
    #[schema(required = true)]
    pub parent_id: Option<TenantId>,
    /// Seats allowed (members + pending invitations).
    pub seat_limit: u32,
    /// Seats in use: members plus pending, unexpired invitations.
    pub seats_used: u32,
    /// The ISO 3166-1 alpha-2 region in which contact phone numbers written without a `+`
    /// country code are read (e.g. `US`); null when none is set (such numbers are refused).
    #[schema(required = true, example = "US", pattern = "^[A-Z]{2}$")]
    pub default_phone_region: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Changes to the organisation; omitted fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatchIn {
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Acme Marketing", min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// `agency` lets the organisation create client workspaces. Only an owner may change it; a
    /// client workspace cannot become an agency, and an agency with clients cannot go back.
    pub kind: Option<SettableKind>,
    /// The ISO 3166-1 alpha-2 region (e.g. `US`, `GB`; any case) used to read contact phone
    /// numbers written without a `+` country code; `null` clears it. Unknown regions are
    /// refused (422 `invalid_region`).
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, example = "US", min_length = 2, max_length = 2)]
    pub default_phone_region: Patch<String>,
}

/// A member of the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: UserId,
    pub email: String,
    #[schema(required = true)]
    pub name: Option<String>,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of members.
    MemberList,
    MemberOut
);

/// A member's new role.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRoleIn {
    pub role: Role,
}

/// An invitation to create.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationIn {
    /// Who to invite.
    #[validate(length(min = 3, max = 254), email)]
    #[schema(example = "grace@example.com", min_length = 3, max_length = 254, format = "email")]
    pub email: String,
    /// The role they get on accepting. Only an owner may invite an owner.
    pub role: Role,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation (never with its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub status: InvitationStatus,
    pub expires_at: DateTime<Utc>,
    /// The user who sent it; null when an API key did.
    #[schema(required = true)]
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of invitations.
    InvitationList,
    InvitationOut
);

impl InvitationOut {
    pub fn of(m: invitation::Model, now: DateTime<Utc>) -> Self {
        let status = if m.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if m.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if m.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        };
        Self {
            id: InvitationId::from_uuid(m.id),
            email: m.email,
            role: Role::parse(&m.role).unwrap_or(Role::Viewer),
            status,
            expires_at: m.expires_at,
            invited_by: m.invited_by.map(UserId::from_uuid),
            created_at: m.created_at,
        }
    }
}

/// Accept an invitation. A new user sends `password` (and optionally `name`); someone who already
/// has an account sends only `token`, with their own access token in `Authorization`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationIn {
    /// The invitation token from the email (`inv_…`).
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// The new account's password (10–128 characters); required when the invited address has no
    /// account yet.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: Option<String>,
    /// The new account's display name.
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub name: Option<String>,
}

/// An organisation in short.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationSummary {
    pub id: TenantId,
    pub name: String,
    pub kind: OrganizationKind,
}

impl From<tenant::Model> for OrganizationSummary {
    fn from(t: tenant::Model) -> Self {
        Self { id: TenantId::from_uuid(t.id), name: t.name, kind: OrganizationKind::parse(&t.kind) }
    }
}

/// One of the caller's memberships.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyOrganizationOut {
    pub organization: OrganizationSummary,
    pub role: Role,
}

/// The organisation to switch to.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchIn {
    pub organization_id: TenantId,
}

/// A client workspace to create.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientIn {
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Globex Corp", min_length = 1, max_length = 200)]
    pub name: String,
}

/// A client workspace of the agency. Act on it with `X-Tenant-Id: <id>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientOut {
    pub id: TenantId,
    pub name: String,
    /// The agency.
    pub parent_id: TenantId,
    pub created_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of client workspaces.
    ClientList,
    ClientOut
);

impl ClientOut {
    pub fn of(t: tenant::Model, agency: TenantId) -> Self {
        Self {
            id: TenantId::from_uuid(t.id),
            name: t.name,
            parent_id: t.parent_id.map_or(agency, TenantId::from_uuid),
            created_at: t.created_at,
        }
    }
}
