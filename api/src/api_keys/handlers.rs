//! HTTP handlers for API keys. Reading keys needs `api_keys:read`; creating, rotating and
//! revoking need `api_keys:write`.

use actix_web::{HttpResponse, delete, get, post, web};

use super::{
    dto::{ApiKeyCreatedOut, ApiKeyIn, ApiKeyList, ApiKeyOut, RotateApiKeyIn},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::ApiKeyId,
        pagination::ListParams,
        request_meta::RequestMeta,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::ApiKeys, Access::Read);
const WRITE: Scope = Scope::new(Resource::ApiKeys, Access::Write);

/// Create an API key
///
/// Creates an API key for the organisation acted on (a client workspace when `X-Tenant-Id` is
/// sent). `scopes` limits what it may do (omit for every scope you hold), `expires_at` ends it,
/// and on an agency `allowed_organization_ids` limits the client workspaces it may act on. A key
/// never gets more than its creator holds. The response holds the secret; it is shown only this
/// once (only a SHA-256 of it is stored). Needs `api_keys:write`.
#[utoipa::path(
    operation_id = "create_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    request_body = ApiKeyIn,
    responses(
        (status = 201, description = "The key, with its secret.", body = ApiKeyCreatedOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<ApiKeyIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, &meta, body.0).await?))
}

/// List API keys
///
/// Lists the organisation's live API keys, oldest first, with cursor pagination. Needs
/// `api_keys:read`.
#[utoipa::path(
    operation_id = "list_api_keys",
    tag = "api-keys",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of keys.", body = ApiKeyList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ApiKeyList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get an API key
///
/// Returns one of the organisation's live API keys, without its secret. A revoked key, or a key
/// of another organisation, answers 404. Needs `api_keys:read`.
#[utoipa::path(
    operation_id = "get_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "The key's id (`key_…`).")),
    responses(
        (status = 200, description = "The key.", body = ApiKeyOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/api-keys/{id}")]
pub async fn get_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ApiKeyId>,
) -> ApiResult<web::Json<ApiKeyOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Rotate an API key's secret
///
/// Issues a new secret for the key (shown only in this response). The previous secret keeps
/// working for `grace_period_secs` (default: the server's `api_key_rotation_grace_secs`), so that
/// deployments can switch over; 0 ends it at once. Rotating again ends an earlier previous
/// secret at once. An API key cannot rotate a key that holds more than itself (403
/// `key_exceeds_caller`). Needs `api_keys:write`.
#[utoipa::path(
    operation_id = "rotate_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "The key's id (`key_…`).")),
    request_body = RotateApiKeyIn,
    responses(
        (status = 200, description = "The key, with its new secret.", body = ApiKeyCreatedOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/api-keys/{id}/rotate")]
pub async fn rotate_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    id: web::Path<ApiKeyId>,
    body: ValidatedJson<RotateApiKeyIn>,
) -> ApiResult<web::Json<ApiKeyCreatedOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::rotate(&state, &ctx, &meta, id.into_inner(), body.0).await?))
}

/// Revoke an API key
///
/// Revokes the key (and a rotated-out secret still in its grace period); requests made with it
/// fail from now on. Needs `api_keys:write`.
#[utoipa::path(
    operation_id = "delete_api_key",
    tag = "api-keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "The key's id (`key_…`).")),
    responses(
        (status = 204, description = "The key is revoked."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    id: web::Path<ApiKeyId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::revoke(&state, &ctx, &meta, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
