//! HTTP handlers for identity: extract → service → DTO.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::{
    dto::{
        AcceptedOut, EmailTokenIn, LoginIn, LoginSessionList, MeOut, MfaChallengeOut, MfaCodeIn, MfaLoginIn,
        PasswordResetConfirmIn, PasswordResetIn, RecoveryCodesOut, RefreshTokenIn, SessionOut, SignupIn,
        TotpEnrolmentOut,
    },
    email_flows, mfa,
    service::{self, LoginOutcome},
    session_list,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::TenantCtx,
        extract::{ValidatedJson, ValidatedQuery},
        ids::SessionId,
        pagination::ListParams,
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// Sign up
///
/// Creates a user, a new organisation with the user as its owner, and a first login session.
/// An email address that is already registered answers 409 `email_taken`.
#[utoipa::path(
    operation_id = "signup",
    security(()),
    tag = "auth",
    request_body = SignupIn,
    responses(
        (status = 201, description = "Account created; the session's tokens.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidatedJson<SignupIn>,
) -> ApiResult<HttpResponse> {
    let out = service::signup(&state, body.0, RequestMeta::of(&req)).await?;
    email_flows::send_verification(state.into_inner(), out.user.id, out.user.email.clone());
    Ok(HttpResponse::Created().json(out))
}

/// Log in
///
/// Exchanges email and password for an access token and a refresh token (200). When the user has
/// two-factor authentication on, the answer is instead 202 with a short-lived `challenge_token`:
/// complete the login with `POST /v1/auth/login/mfa`. A wrong email or password is 401
/// `invalid_credentials` (the two are indistinguishable); a suspended organisation is 403
/// `organization_suspended`.
#[utoipa::path(
    operation_id = "login",
    security(()),
    tag = "auth",
    request_body = LoginIn,
    responses(
        (status = 200, description = "Logged in; the session's tokens.", body = SessionOut),
        (status = 202, description = "Password accepted; a second factor is required.", body = MfaChallengeOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidatedJson<LoginIn>,
) -> ApiResult<HttpResponse> {
    Ok(match service::login(&state, body.0, RequestMeta::of(&req)).await? {
        LoginOutcome::Session(session) => HttpResponse::Ok().json(session),
        LoginOutcome::MfaRequired(challenge) => HttpResponse::Accepted().json(challenge),
    })
}

/// Refresh tokens
///
/// Rotates a refresh token: returns a new access token and a new refresh token. Each refresh
/// token works once; presenting one again revokes the whole session (`refresh_token_reused`).
#[utoipa::path(
    operation_id = "refresh_token",
    security(()),
    tag = "auth",
    request_body = RefreshTokenIn,
    responses(
        (status = 200, description = "New tokens for the same session.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidatedJson<RefreshTokenIn>,
) -> ApiResult<web::Json<SessionOut>> {
    Ok(web::Json(service::refresh(&state, &body.refresh_token, RequestMeta::of(&req)).await?))
}

/// Log out
///
/// Revokes the session a refresh token belongs to. Always answers 204 for a well-formed request,
/// whether or not the token was known (RFC 7009). The session's access tokens stop working too.
#[utoipa::path(
    operation_id = "logout",
    security(()),
    tag = "auth",
    request_body = RefreshTokenIn,
    responses(
        (status = 204, description = "The session is revoked."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidatedJson<RefreshTokenIn>,
) -> ApiResult<HttpResponse> {
    service::logout(&state, &body.refresh_token, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Get the caller
///
/// Returns the calling principal (a user or an API key), its organisation and role.
#[utoipa::path(
    operation_id = "get_me",
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller.", body = MeOut),
        (status = 401, response = crate::openapi::Unauthorized),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, ctx: TenantCtx) -> ApiResult<web::Json<MeOut>> {
    Ok(web::Json(service::me(&state, &ctx).await?))
}

/// Verify an email address
///
/// Redeems the token from the verification email sent at sign-up (or by
/// `resend_email_verification`). Each token works once and expires
/// (`email_verification_ttl_secs`, 48 hours by default); an unknown, used or expired token is 400
/// `invalid_verification_token`.
#[utoipa::path(
    operation_id = "verify_email",
    security(()),
    tag = "auth",
    request_body = EmailTokenIn,
    responses(
        (status = 204, description = "The address is verified."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidatedJson<EmailTokenIn>,
) -> ApiResult<HttpResponse> {
    email_flows::verify_email(&state, &body.token, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resend the verification email
///
/// Sends the calling user a new verification email; earlier links stop working. Needs a user's
/// access token (an API key is 403 `user_principal_required`); an address that is already
/// verified is 409 `email_already_verified`.
#[utoipa::path(
    operation_id = "resend_email_verification",
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A verification email is on its way.", body = AcceptedOut),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/me/verify-email")]
pub async fn resend_email_verification(state: web::Data<AppState>, ctx: TenantCtx) -> ApiResult<HttpResponse> {
    let out = email_flows::resend_verification(state.into_inner(), &ctx).await?;
    Ok(HttpResponse::Accepted().json(out))
}

/// Request a password reset
///
/// Emails a single-use password-reset link to the address if an account uses it. The answer is
/// always 202 with the same body, at once, whether or not the address is registered. A new
/// request replaces any earlier reset link.
#[utoipa::path(
    operation_id = "request_password_reset",
    security(()),
    tag = "auth",
    request_body = PasswordResetIn,
    responses(
        (status = 202, description = "Accepted (whether or not the address is registered).", body = AcceptedOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidatedJson<PasswordResetIn>,
) -> ApiResult<HttpResponse> {
    let out = email_flows::request_password_reset(state.into_inner(), body.0.email, meta);
    Ok(HttpResponse::Accepted().json(out))
}

/// Set a new password
///
/// Sets a new password with the token from a password-reset email. The token works once and
/// expires (`password_reset_ttl_secs`, one hour by default); an unknown, used, replaced or expired
/// token is 400 `invalid_reset_token`. The password policy applies (422). Every session of the
/// user, in every organisation, ends: refresh tokens and access tokens stop working.
#[utoipa::path(
    operation_id = "confirm_password_reset",
    security(()),
    tag = "auth",
    request_body = PasswordResetConfirmIn,
    responses(
        (status = 204, description = "The password is changed and every session ended."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidatedJson<PasswordResetConfirmIn>,
) -> ApiResult<HttpResponse> {
    email_flows::confirm_password_reset(state.into_inner(), body.0, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Complete a login with a second factor
///
/// The second step of a login for a user with two-factor authentication: send the
/// `challenge_token` from `login` (valid 5 minutes, single use) with a 6-digit TOTP code or an
/// unused recovery code. A wrong code is 401 `invalid_mfa_code`; after 5 wrong codes the challenge
/// is dead (401 `invalid_mfa_challenge`: log in again), and after 10 wrong codes in 15 minutes
/// the user gets 429 `too_many_mfa_attempts`.
#[utoipa::path(
    operation_id = "login_mfa",
    security(()),
    tag = "auth",
    request_body = MfaLoginIn,
    responses(
        (status = 200, description = "Logged in; the session's tokens.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/auth/login/mfa")]
pub async fn login_mfa(
    state: web::Data<AppState>,
    meta: RequestMeta,
    body: ValidatedJson<MfaLoginIn>,
) -> ApiResult<web::Json<SessionOut>> {
    Ok(web::Json(mfa::complete_login(&state, body.0, &meta).await?))
}

/// Start TOTP enrolment
///
/// Creates a TOTP secret (SHA-1, 6 digits, 30 seconds) for the calling user and returns it with
/// an `otpauth://` URI to show as a QR code. Two-factor authentication is on only after
/// `confirm_totp`. Calling it again replaces an unconfirmed secret; when 2FA is already on the
/// answer is 409 `mfa_already_enabled`.
#[utoipa::path(
    operation_id = "enrol_totp",
    tag = "mfa",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret to add to an authenticator app.", body = TotpEnrolmentOut),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/me/mfa/totp")]
pub async fn enrol_totp(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
) -> ApiResult<web::Json<TotpEnrolmentOut>> {
    Ok(web::Json(mfa::enrol(&state, &ctx, &meta).await?))
}

/// Confirm TOTP enrolment
///
/// Turns two-factor authentication on with a current code from the authenticator app and returns
/// ten one-time recovery codes — the only time they are shown. A wrong code is 422
/// `invalid_mfa_code`; no pending secret is 409 `mfa_not_enrolled`.
#[utoipa::path(
    operation_id = "confirm_totp",
    tag = "mfa",
    security(("bearer" = [])),
    request_body = MfaCodeIn,
    responses(
        (status = 200, description = "2FA is on; the recovery codes.", body = RecoveryCodesOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/me/mfa/totp/confirm")]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<MfaCodeIn>,
) -> ApiResult<web::Json<RecoveryCodesOut>> {
    Ok(web::Json(mfa::confirm(&state, &ctx, &body.code, &meta).await?))
}

/// Turn TOTP off
///
/// Turns two-factor authentication off and deletes the recovery codes. Needs a current TOTP code
/// or an unused recovery code (422 `invalid_mfa_code` otherwise); 409 `mfa_not_enabled` when it
/// is off.
#[utoipa::path(
    operation_id = "disable_totp",
    tag = "mfa",
    security(("bearer" = [])),
    request_body = MfaCodeIn,
    responses(
        (status = 204, description = "2FA is off."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/me/mfa/totp/disable")]
pub async fn disable_totp(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<MfaCodeIn>,
) -> ApiResult<HttpResponse> {
    mfa::disable(&state, &ctx, &body.code, &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Regenerate recovery codes
///
/// Replaces the recovery codes with ten new ones (the old ones stop working) and returns them
/// once. Needs a current TOTP code or an unused recovery code (422 `invalid_mfa_code`); 409
/// `mfa_not_enabled` when 2FA is off.
#[utoipa::path(
    operation_id = "regenerate_recovery_codes",
    tag = "mfa",
    security(("bearer" = [])),
    request_body = MfaCodeIn,
    responses(
        (status = 200, description = "The new recovery codes.", body = RecoveryCodesOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/me/mfa/recovery-codes")]
pub async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<MfaCodeIn>,
) -> ApiResult<web::Json<RecoveryCodesOut>> {
    Ok(web::Json(mfa::regenerate_recovery_codes(&state, &ctx, &body.code, &meta).await?))
}

/// List my sessions
///
/// Lists the calling user's live login sessions in every organisation, oldest first, with the
/// device (user agent), IP and time of the last login or refresh; `current` marks the session of
/// this access token. Needs a user's access token (an API key is 403 `user_principal_required`).
#[utoipa::path(
    operation_id = "list_my_sessions",
    tag = "sessions",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of sessions.", body = LoginSessionList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/me/sessions")]
pub async fn list_my_sessions(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<LoginSessionList>> {
    Ok(web::Json(session_list::list(&state, &ctx, &query).await?))
}

/// End one of my sessions
///
/// Revokes one of the calling user's sessions (any organisation, including the current one): its
/// refresh token and access tokens stop working at once. Another user's session, or one that has
/// already ended, is 404.
#[utoipa::path(
    operation_id = "revoke_my_session",
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = SessionId, Path, description = "The session's id (`ses_…`).")),
    responses(
        (status = 204, description = "The session has ended."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/me/sessions/{id}")]
pub async fn revoke_my_session(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    id: web::Path<SessionId>,
) -> ApiResult<HttpResponse> {
    session_list::revoke(&state, &ctx, id.into_inner(), &meta).await?;
    Ok(HttpResponse::NoContent().finish())
}
