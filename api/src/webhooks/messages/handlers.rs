//! HTTP handlers of webhook messages (`webhooks:read`).

use actix_web::{get, web};

use super::{
    dto::{WebhookMessageList, WebhookMessageOut, WebhookMessageQuery},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        ids::WebhookMessageId,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Webhooks, Access::Read);

/// List webhook messages
///
/// The organisation's webhook messages, oldest first: one per event that at least one enabled
/// endpoint subscribed to when it happened, plus test messages. Each holds the exact body
/// delivered. Filter by `event_type` (a type of the catalogue, or `webhook.test`; another name
/// is 422 `unknown_event_type`). Messages are kept for the server's `webhook_retention_days`
/// (30 by default). Needs `webhooks:read`.
#[utoipa::path(
    operation_id = "list_webhook_messages",
    tag = "webhooks",
    security(("bearer" = [])),
    params(WebhookMessageQuery),
    responses(
        (status = 200, description = "A page of messages.", body = WebhookMessageList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/webhooks/messages")]
pub async fn list_webhook_messages(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<WebhookMessageQuery>,
) -> ApiResult<web::Json<WebhookMessageList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state.db, ctx.tenant_id, query.0).await?))
}

/// Get a webhook message
///
/// One message with the body that is delivered; another organisation's is 404. Needs
/// `webhooks:read`.
#[utoipa::path(
    operation_id = "get_webhook_message",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookMessageId, Path, description = "The message's id (`msg_…`).")),
    responses(
        (status = 200, description = "The message.", body = WebhookMessageOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/webhooks/messages/{id}")]
pub async fn get_webhook_message(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookMessageId>,
) -> ApiResult<web::Json<WebhookMessageOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state.db, ctx.tenant_id, id.into_inner()).await?))
}
