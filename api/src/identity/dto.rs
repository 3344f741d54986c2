//! Request and response types of the identity endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::{
    auth::Role,
    ids::{ApiKeyId, SessionId, TenantId, UserId},
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
    /// Whether the email address has been verified (the link sent at sign-up).
    pub email_verified: bool,
    /// When the email address was verified.
    #[schema(required = true)]
    pub email_verified_at: Option<DateTime<Utc>>,
    /// Whether two-factor authentication (TOTP) is on: logging in then needs a code.
    pub mfa_enabled: bool,
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

/// A token from an email (verification link).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTokenIn {
    /// The token from the email.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

/// Ask for a password-reset email.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetIn {
    /// The account's email address.
    #[validate(length(min = 1, max = 254))]
    #[schema(example = "ada@example.com", min_length = 1, max_length = 254)]
    pub email: String,
}

/// Set a new password with the token from a password-reset email.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmIn {
    /// The token from the email.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// 10–128 characters, not a common password, not containing the email address.
    #[validate(length(min = 1, max = 1024))]
    #[schema(example = "another correct horse battery", min_length = 10, max_length = 128, format = Password)]
    pub new_password: String,
}

/// The same answer whatever happened: the request was taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedOut {
    /// A fixed message that does not reveal whether the address is registered.
    #[schema(example = "If an account uses this address, an email is on its way.")]
    pub message: String,
}

/// Second factor required: complete the login with `POST /v1/auth/login/mfa`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallengeOut {
    /// Signed, single-use challenge; send it back with a code.
    pub challenge_token: String,
    /// Seconds until the challenge expires.
    pub expires_in: u64,
    /// The kinds of code accepted.
    #[schema(example = json!(["totp", "recovery_code"]))]
    pub methods: Vec<String>,
}

/// Complete a login with a second factor.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaLoginIn {
    /// The `challenge_token` from `login`.
    #[validate(length(min = 1, max = 2048))]
    #[schema(min_length = 1, max_length = 2048)]
    pub challenge_token: String,
    /// A 6-digit code from the authenticator app, or an unused recovery code (`xxxx-xxxx-xxxx`).
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "123456", min_length = 1, max_length = 64)]
    pub code: String,
}

/// A code from the authenticator app (or, where accepted, a recovery code).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCodeIn {
    /// A 6-digit TOTP code, or an unused recovery code (`xxxx-xxxx-xxxx`) where accepted.
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "123456", min_length = 1, max_length = 64)]
    pub code: String,
}

/// A TOTP secret to add to an authenticator app; 2FA is on once confirmed with a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentOut {
    /// The shared secret, base32 (for manual entry).
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// `otpauth://totp/…` URI (render as a QR code).
    pub otpauth_uri: String,
}

/// One-time recovery codes; shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesOut {
    /// Ten codes; each logs in once in place of a TOTP code.
    #[schema(example = json!(["7k2m-q9xd-4hrt", "…"]))]
    pub recovery_codes: Vec<String>,
}

/// A login session (a chain of refresh tokens).
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginSessionOut {
    pub id: SessionId,
    /// The organisation the session acts on.
    pub organization_id: TenantId,
    /// When the user logged in.
    pub created_at: DateTime<Utc>,
    /// When the session last got tokens (login or refresh).
    pub last_seen_at: DateTime<Utc>,
    /// When the session ends unless refreshed.
    pub expires_at: DateTime<Utc>,
    /// The user agent of the last login or refresh.
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// The client IP of the last login or refresh.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// Whether this is the session of the calling access token.
    pub current: bool,
}

crate::list_type!(
    /// A page of the caller's live sessions, oldest first.
    LoginSessionList,
    LoginSessionOut
);
