//! Request and response types of the identity endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::{
    auth::Role,
    ids::{ApiKeyId, TenantId, UserId},
};

/// Create an account: a user, a new organisation, and the user as its owner.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupIn {
    /// Login email address; must not be registered yet.
    #[validate(length(min = 3, max = 254))]
    #[schema(example = "ada@example.com", min_length = 3, max_length = 254, format = "email")]
    pub email: String,
    /// 10–128 characters, not a common password, not containing the email address.
    /// (The hard input bound is 1024; the policy answers `too_short`/`too_long`.)
    #[validate(length(min = 1, max = 1024))]
    #[schema(example = "correct horse battery staple", min_length = 10, max_length = 128, format = Password)]
    pub password: String,
    /// Name of the organisation to create.
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Acme Marketing", min_length = 1, max_length = 200)]
    pub organization_name: String,
    /// The person's display name.
    #[validate(length(max = 200))]
    #[schema(example = "Ada Lovelace", max_length = 200)]
    pub name: Option<String>,
}

/// Log in with email and password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginIn {
    #[validate(length(min = 1, max = 254))]
    #[schema(example = "ada@example.com", min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(example = "correct horse battery staple", min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
}

/// A refresh token to rotate or revoke.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenIn {
    /// The refresh token from the last sign-up, login or refresh.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: UserId,
    pub email: String,
    #[schema(required = true)]
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An organisation (tenant).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// Tokens for a login session, with the user and organisation they act for.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// JWT access token; send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque refresh token; single use — each refresh returns a new one.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_token_expires_in: u64,
    pub user: UserOut,
    pub organization: OrganizationOut,
    pub role: Role,
}

/// What kind of principal is calling.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalType {
    User,
    ApiKey,
}

/// The API key a request was made with.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The visible start of the secret.
    pub prefix: String,
}

/// The caller: who they are and which organisation they act on.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub principal_type: PrincipalType,
    /// The user, when `principal_type` is `user`.
    #[schema(required = true)]
    pub user: Option<UserOut>,
    /// The API key, when `principal_type` is `api_key`.
    #[schema(required = true)]
    pub api_key: Option<MeApiKey>,
    pub organization: OrganizationOut,
    pub role: Role,
}
