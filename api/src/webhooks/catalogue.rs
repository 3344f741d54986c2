//! `GET /v1/webhook-event-types`: the event types an endpoint can subscribe to, with their
//! descriptions and the JSON Schema of their `data` (the domain event catalogue,
//! `events::catalogue`). Any authenticated caller may read it: it is the same for every
//! organisation and holds no data of theirs.

use actix_web::{get, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{error::ApiResult, events::catalogue, platform::auth::TenantCtx};

/// One event type of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEventTypeOut {
    /// The type's name, as in `event_types` and in the payload's `type`.
    #[schema(example = "contact.created")]
    pub name: String,
    /// When it is sent.
    #[schema(example = "A contact was created.")]
    pub description: String,
    /// The name of the `data` schema in this API's OpenAPI document (`#/components/schemas/…`).
    #[schema(example = "ContactOut")]
    pub schema_name: String,
    /// A self-contained JSON Schema (2020-12) of the payload's `data`.
    #[schema(value_type = Object)]
    pub schema: Value,
}

crate::list_type!(
    /// The event type catalogue (one page: `has_more` is always false).
    WebhookEventTypeList,
    WebhookEventTypeOut
);

/// List webhook event types
///
/// Every event type an endpoint can subscribe to, in catalogue order, with its description and
/// the JSON Schema of the `data` it carries. The whole catalogue comes in one page. Test
/// messages (`webhook.test`, from `test_webhook_endpoint`) are not in it: endpoints cannot
/// subscribe to them. Needs authentication, no particular scope.
#[utoipa::path(
    operation_id = "list_webhook_event_types",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalogue.", body = WebhookEventTypeList),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
    )
)]
#[get("/webhook-event-types")]
pub async fn list_webhook_event_types(_ctx: TenantCtx) -> ApiResult<web::Json<WebhookEventTypeList>> {
    let data = catalogue::all()
        .iter()
        .map(|t| WebhookEventTypeOut {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
            schema_name: t.schema_name.clone(),
            schema: t.schema.clone(),
        })
        .collect();
    Ok(web::Json(WebhookEventTypeList { data, has_more: false, next_cursor: None }))
}

/// Registers `/webhook-event-types` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_webhook_event_types);
}
