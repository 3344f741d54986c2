//! HTTP handlers for webhook endpoints. Listing and reading an endpoint need `webhooks:read`;
//! creating, changing, deleting, reading the secret and rotating it need `webhooks:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{
        RotateWebhookSecretIn, WebhookEndpointIn, WebhookEndpointList, WebhookEndpointOut, WebhookEndpointPatchIn,
        WebhookEndpointSecretOut,
    },
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::WebhookEndpointId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Webhooks, Access::Read);
const WRITE: Scope = Scope::new(Resource::Webhooks, Access::Write);

/// Create a webhook endpoint
///
/// Adds a URL that the organisation's events are delivered to, signed according to Standard
/// Webhooks. The URL must use `https` and its host must resolve only to public addresses: a
/// private, loopback, link-local or reserved address is a 422 naming `url` (`url_not_https`,
/// `url_credentials`, `url_private_address`, `url_unresolvable`, …). `event_types` filters what
/// is delivered (empty: everything). A signing secret is generated unless `secret` gives one; it
/// is never part of the endpoint: read it with `get_webhook_endpoint_secret`. Needs
/// `webhooks:write`.
#[utoipa::path(
    operation_id = "create_webhook_endpoint",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = WebhookEndpointIn,
    responses(
        (status = 201, description = "The endpoint.", body = WebhookEndpointOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/webhooks/endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<WebhookEndpointIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List webhook endpoints
///
/// Lists the organisation's endpoints in creation order with cursor pagination. Needs
/// `webhooks:read`.
#[utoipa::path(
    operation_id = "list_webhook_endpoints",
    tag = "webhooks",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of endpoints.", body = WebhookEndpointList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/webhooks/endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<WebhookEndpointList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get a webhook endpoint
///
/// Returns one endpoint of the organisation (without its secret); an endpoint of another
/// organisation answers 404. Needs `webhooks:read`.
#[utoipa::path(
    operation_id = "get_webhook_endpoint",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookEndpointOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/endpoints/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
) -> ApiResult<web::Json<WebhookEndpointOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a webhook endpoint
///
/// Changes the fields sent and leaves the others: `description: null` and
/// `rate_limit_per_second: null` clear them; a new `url` is checked like at creation.
/// `enabled: false` stops deliveries (`disabled_reason: manual`); `enabled: true` resumes them,
/// also for an endpoint the server disabled. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "update_webhook_endpoint",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    request_body = WebhookEndpointPatchIn,
    responses(
        (status = 200, description = "The updated endpoint.", body = WebhookEndpointOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/webhooks/endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
    body: ValidatedJson<WebhookEndpointPatchIn>,
) -> ApiResult<web::Json<WebhookEndpointOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a webhook endpoint
///
/// Removes the endpoint; nothing more is delivered to it. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "delete_webhook_endpoint",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    responses(
        (status = 204, description = "The endpoint is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/webhooks/endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Get a webhook endpoint's signing secret
///
/// Returns the current signing secret (`whsec_…`), to configure the receiver's signature check.
/// It is the only operation that shows it. Needs `webhooks:write`, because the secret lets its
/// holder sign deliveries.
#[utoipa::path(
    operation_id = "get_webhook_endpoint_secret",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    responses(
        (status = 200, description = "The current secret.", body = WebhookEndpointSecretOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/endpoints/{id}/secret")]
pub async fn get_webhook_endpoint_secret(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
) -> ApiResult<web::Json<WebhookEndpointSecretOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::secret(&state, &ctx, id.into_inner()).await?))
}

/// Rotate a webhook endpoint's signing secret
///
/// Replaces the secret with a new one (generated, or `key` when given). The previous secret
/// keeps signing deliveries next to the new one until `previous_secret_expires_at` (the server's
/// `webhook_secret_grace_secs`, 24 hours by default), so the receiver can switch over without
/// rejecting anything. Rotating again drops an earlier previous secret at once. The response
/// holds no secret: read the new one with `get_webhook_endpoint_secret`. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "rotate_webhook_endpoint_secret",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    request_body = RotateWebhookSecretIn,
    responses(
        (status = 200, description = "The endpoint, with `previous_secret_expires_at`.", body = WebhookEndpointOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/webhooks/endpoints/{id}/secret/rotate")]
pub async fn rotate_webhook_endpoint_secret(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
    body: ValidatedJson<RotateWebhookSecretIn>,
) -> ApiResult<web::Json<WebhookEndpointOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::rotate(&state, &ctx, id.into_inner(), body.0).await?))
}
