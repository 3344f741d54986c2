//! HTTP handlers for identity: extract → service → DTO.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::{
    dto::{LoginIn, MeOut, RefreshTokenIn, SessionOut, SignupIn},
    service,
};
use crate::{
    error::ApiResult,
    platform::{auth::TenantCtx, extract::ValidatedJson, request_meta::RequestMeta},
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
    Ok(HttpResponse::Created().json(out))
}

/// Log in
///
/// Exchanges email and password for an access token and a refresh token.
#[utoipa::path(
    operation_id = "login",
    security(()),
    tag = "auth",
    request_body = LoginIn,
    responses(
        (status = 200, description = "Logged in; the session's tokens.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidatedJson<LoginIn>,
) -> ApiResult<web::Json<SessionOut>> {
    Ok(web::Json(service::login(&state, body.0, RequestMeta::of(&req)).await?))
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
/// whether or not the token was known (RFC 7009). Access tokens already issued expire on their own.
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
pub async fn logout(state: web::Data<AppState>, body: ValidatedJson<RefreshTokenIn>) -> ApiResult<HttpResponse> {
    service::logout(&state, &body.refresh_token).await?;
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
