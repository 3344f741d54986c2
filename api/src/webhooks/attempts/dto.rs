//! Response and query types of webhook delivery attempts.

use chrono::{DateTime, Utc};
use entities::webhook_attempt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::platform::ids::{WebhookAttemptId, WebhookEndpointId, WebhookMessageId};

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookAttemptStatus)]
pub enum AttemptStatus {
    /// The receiver answered 2xx.
    Succeeded,
    /// Another status code, or no response (see `error`).
    Failed,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    fn from_stored(s: &str) -> Self {
        if s == Self::Succeeded.as_str() { Self::Succeeded } else { Self::Failed }
    }
}

/// What sent an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookAttemptTrigger)]
pub enum AttemptTrigger {
    /// The delivery of a new event, or its automatic retries.
    Scheduled,
    /// A replay or a test send.
    Manual,
}

/// Filters and paging of attempt lists.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookAttemptQuery {
    /// How many attempts to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// Only `succeeded` or only `failed` attempts.
    #[param(inline)]
    pub status: Option<AttemptStatus>,
}

/// One attempt to deliver a message to an endpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookAttemptOut {
    pub id: WebhookAttemptId,
    pub message_id: WebhookMessageId,
    pub endpoint_id: WebhookEndpointId,
    /// The run of this delivery, from 1 (a replay starts again at 1).
    #[schema(example = 1)]
    pub attempt: i32,
    pub trigger: AttemptTrigger,
    /// Where it was sent (the endpoint's URL at the time).
    #[schema(example = "https://example.com/webhooks/campaign-os")]
    pub url: String,
    pub status: AttemptStatus,
    /// The receiver's status code; null when no response came.
    #[schema(required = true, example = 200)]
    pub response_status_code: Option<i32>,
    /// The first KiB of the response body; null when it was empty or no response came.
    #[schema(required = true, example = "ok")]
    pub response_excerpt: Option<String>,
    /// Why no response came: `timed out`, `connection refused`, `connection reset`,
    /// `connection failed`, `host not found`, `blocked address` (a private or reserved address,
    /// refused), `URL scheme not allowed`, `invalid URL`, `request failed` or `response could not
    /// be read`; null when the receiver answered.
    #[schema(required = true, example = json!(null))]
    pub error: Option<String>,
    /// From sending the request to reading the response, milliseconds.
    #[schema(example = 42)]
    pub latency_ms: i32,
    pub created_at: DateTime<Utc>,
}

impl From<webhook_attempt::Model> for WebhookAttemptOut {
    fn from(m: webhook_attempt::Model) -> Self {
        Self {
            id: WebhookAttemptId::from_uuid(m.id),
            message_id: WebhookMessageId::from_uuid(m.message_id),
            endpoint_id: WebhookEndpointId::from_uuid(m.endpoint_id),
            attempt: m.attempt,
            trigger: if m.trigger == "manual" { AttemptTrigger::Manual } else { AttemptTrigger::Scheduled },
            url: m.url,
            status: AttemptStatus::from_stored(&m.status),
            response_status_code: m.response_status_code,
            response_excerpt: m.response_excerpt,
            error: m.error,
            latency_ms: m.latency_ms,
            created_at: m.created_at,
        }
    }
}

crate::list_type!(
    /// A page of webhook delivery attempts.
    WebhookAttemptList,
    WebhookAttemptOut
);
