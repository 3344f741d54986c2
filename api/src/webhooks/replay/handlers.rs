//! HTTP handlers of replays and test sends (`webhooks:write`).

use actix_web::{HttpResponse, post, web};

use super::{
    dto::{ReplayFailedWebhookMessagesIn, ReplayWebhookMessageIn, WebhookReplayOut},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedJson,
        ids::{WebhookEndpointId, WebhookMessageId},
    },
    state::AppState,
    webhooks::messages::dto::WebhookMessageOut,
};

const WRITE: Scope = Scope::new(Resource::Webhooks, Access::Write);

/// Replay a webhook message
///
/// Sends the message again, with the same `webhook-id` and body (receivers deduplicate on the
/// id), to `endpoint_id`, or, without it, to every enabled endpoint that takes the message's
/// type now. A delivery of the same message to the same endpoint that is waiting for a retry is
/// sent at once instead. Answers how many deliveries were scheduled. A disabled `endpoint_id` is
/// `409 webhook_endpoint_disabled`. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "replay_webhook_message",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookMessageId, Path, description = "The message's id (`msg_…`).")),
    request_body = ReplayWebhookMessageIn,
    responses(
        (status = 202, description = "The deliveries are scheduled.", body = WebhookReplayOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/webhooks/messages/{id}/replay")]
pub async fn replay_webhook_message(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookMessageId>,
    body: ValidatedJson<ReplayWebhookMessageIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Accepted().json(service::replay_message(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Replay a webhook endpoint's failed messages
///
/// Sends again, to this endpoint, every message whose latest attempt to it failed at or after
/// `since` (for example after fixing an outage of the receiver). Deliveries waiting for a retry
/// are sent at once. Answers how many deliveries were scheduled. A disabled endpoint is
/// `409 webhook_endpoint_disabled`: enable it first. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "replay_failed_webhook_messages",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    request_body = ReplayFailedWebhookMessagesIn,
    responses(
        (status = 202, description = "The deliveries are scheduled.", body = WebhookReplayOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/webhooks/endpoints/{id}/replay-failed")]
pub async fn replay_failed_webhook_messages(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
    body: ValidatedJson<ReplayFailedWebhookMessagesIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Accepted().json(service::replay_failed(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Send a test message to a webhook endpoint
///
/// Creates a message of type `webhook.test` (data: `endpoint_id` and a fixed `message`) and
/// delivers it to this endpoint only, whatever its `event_types`, signed and retried like any
/// delivery. Answers the message: follow it with `list_webhook_message_attempts`. Takes no
/// body. A disabled endpoint is `409 webhook_endpoint_disabled`. Needs `webhooks:write`.
#[utoipa::path(
    operation_id = "test_webhook_endpoint",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = WebhookEndpointId, Path, description = "The endpoint's id (`ep_…`).")),
    responses(
        (status = 202, description = "The test message; its delivery is scheduled.", body = WebhookMessageOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/webhooks/endpoints/{id}/test")]
pub async fn test_webhook_endpoint(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<WebhookEndpointId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Accepted().json(service::send_test(&state, &ctx, id.into_inner()).await?))
}
