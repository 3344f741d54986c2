//! Response and query types of webhook messages.

use chrono::{DateTime, Utc};
use entities::webhook_message;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::platform::ids::{EventId, WebhookEndpointId, WebhookMessageId};

/// Filters and paging of `GET /v1/webhooks/messages`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookMessageQuery {
    /// How many messages to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// Only messages of this type: an event type of the catalogue (e.g. `contact.created`) or
    /// `webhook.test`.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100, example = "contact.created")]
    pub event_type: Option<String>,
}

/// A message: one event (or test) as delivered to the endpoints that subscribe to its type.
/// Every delivery of it, retries and replays included, carries its `id` as `webhook-id` and
/// `payload` as the body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookMessageOut {
    pub id: WebhookMessageId,
    /// The event type, e.g. `contact.created`, or `webhook.test` for a test message.
    #[schema(example = "contact.created")]
    pub event_type: String,
    /// The event it carries (`GET /v1/events/{id}`); null for a test message.
    #[schema(required = true)]
    pub event_id: Option<EventId>,
    /// For a test message, the endpoint it was sent to; null otherwise.
    #[schema(required = true)]
    pub endpoint_id: Option<WebhookEndpointId>,
    /// The body sent: `{"type", "timestamp", "data"}` (Standard Webhooks).
    #[schema(value_type = Object, example = json!({"type": "contact.created", "timestamp": "2026-11-28T10:15:00.123456Z", "data": {"id": "con_01jdq4m3y7e8f9g0h1j2k3m4n5"}}))]
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

impl From<webhook_message::Model> for WebhookMessageOut {
    fn from(m: webhook_message::Model) -> Self {
        Self {
            id: WebhookMessageId::from_uuid(m.id),
            event_type: m.event_type,
            event_id: m.event_id.map(EventId::from_uuid),
            endpoint_id: m.endpoint_id.map(WebhookEndpointId::from_uuid),
            payload: serde_json::from_str(&m.payload).unwrap_or(Value::String(m.payload)),
            created_at: m.created_at,
        }
    }
}

crate::list_type!(
    /// A page of webhook messages.
    WebhookMessageList,
    WebhookMessageOut
);
