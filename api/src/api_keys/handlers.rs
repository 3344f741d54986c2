//! HTTP handlers for API keys.

use actix_web::{HttpResponse, delete, get, post, web};

use super::{
    dto::{ApiKeyCreatedOut, ApiKeyIn, ApiKeyList, ApiKeyOut},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::TenantCtx,
        extract::{ValidatedJson, ValidatedQuery},
        ids::ApiKeyId,
        pagination::ListParams,
    },
    state::AppState,
};

/// Create an API key
///
/// Creates an API key for the caller's organisation. The response holds the secret; it is
/// shown only this once (only a SHA-256 of it is stored).
#[utoipa::path(
    operation_id = "create_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    request_body = ApiKeyIn,
    responses(
        (status = 201, description = "The key, with its secret.", body = ApiKeyCreatedOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<ApiKeyIn>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List API keys
///
/// Lists the organisation's live API keys, oldest first, with cursor pagination.
#[utoipa::path(
    operation_id = "list_api_keys",
    tag = "api-keys",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of keys.", body = ApiKeyList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ApiKeyList>> {
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get an API key
///
/// Returns one of the organisation's live API keys, without its secret. A revoked key, or a key
/// of another organisation, answers 404.
#[utoipa::path(
    operation_id = "get_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "The key's id (`key_…`).")),
    responses(
        (status = 200, description = "The key.", body = ApiKeyOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api-keys/{id}")]
pub async fn get_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ApiKeyId>,
) -> ApiResult<web::Json<ApiKeyOut>> {
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Revoke an API key
///
/// Revokes the key; requests made with it fail from now on.
#[utoipa::path(
    operation_id = "delete_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "The key's id (`key_…`).")),
    responses(
        (status = 204, description = "The key is revoked."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ApiKeyId>,
) -> ApiResult<HttpResponse> {
    service::revoke(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
