//! HTTP handlers of the delivery attempts log (`webhooks:read`).

use actix_web::{get, web};

use super::{
    dto::{WebhookAttemptList, WebhookAttemptOut, WebhookAttemptQuery},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        ids::{WebhookAttemptId, WebhookEndpointId, WebhookMessageId},
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Webhooks, Access::Read);

/// List a webhook message's attempts
///
/// Every attempt to deliver the message, to any endpoint, oldest first: status code, latency,
/// the first KiB of the response, or why no response came. Filter by `status`. Needs
/// `webhooks:read`.
#[utoipa::path(
    operation_id = "list_webhook_message_attempts",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookMessageId, Path, description = "The message's id (`msg_…`)."), WebhookAttemptQuery),
    responses(
        (status = 200, description = "A page of attempts.", body = WebhookAttemptList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/webhooks/messages/{id}/attempts")]
pub async fn list_webhook_message_attempts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookMessageId>,
    query: ValidatedQuery<WebhookAttemptQuery>,
) -> ApiResult<web::Json<WebhookAttemptList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::of_message(&state.db, ctx.tenant_id, id.into_inner(), query.0).await?))
}

/// List a webhook endpoint's attempts
///
/// Every attempt to deliver a message to this endpoint, oldest first. Filter by `status`
/// (`failed` shows what went wrong). Needs `webhooks:read`.
#[utoipa::path(
    operation_id = "list_webhook_endpoint_attempts",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`)."), WebhookAttemptQuery),
    responses(
        (status = 200, description = "A page of attempts.", body = WebhookAttemptList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/webhooks/endpoints/{id}/attempts")]
pub async fn list_webhook_endpoint_attempts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
    query: ValidatedQuery<WebhookAttemptQuery>,
) -> ApiResult<web::Json<WebhookAttemptList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::of_endpoint(&state.db, ctx.tenant_id, id.into_inner(), query.0).await?))
}

/// Get a webhook attempt
///
/// One delivery attempt; another organisation's is 404. Needs `webhooks:read`.
#[utoipa::path(
    operation_id = "get_webhook_attempt",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookAttemptId, Path, description = "The attempt's id (`atm_…`).")),
    responses(
        (status = 200, description = "The attempt.", body = WebhookAttemptOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/attempts/{id}")]
pub async fn get_webhook_attempt(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookAttemptId>,
) -> ApiResult<web::Json<WebhookAttemptOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state.db, ctx.tenant_id, id.into_inner()).await?))
}
