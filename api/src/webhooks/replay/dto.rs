//! Request and response types of replays and test sends.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::ids::WebhookEndpointId;

/// Which endpoints a replayed message goes to.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayWebhookMessageIn {
    /// Send only to this endpoint (it must be enabled; it need not subscribe to the message's
    /// type). Omit it to send to every enabled endpoint that takes the type now (for a test
    /// message: the endpoint it was for).
    pub endpoint_id: Option<WebhookEndpointId>,
}

/// Which failed messages to send again.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailedWebhookMessagesIn {
    /// Messages whose latest attempt to this endpoint failed at or after this time (RFC 3339).
    #[schema(example = "2026-11-28T00:00:00Z")]
    pub since: DateTime<Utc>,
}

/// How many deliveries a replay scheduled.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReplayOut {
    /// Deliveries scheduled to run now: new ones, and deliveries that were waiting for a retry,
    /// brought forward. A delivery of the same message to the same endpoint that is running
    /// right now is not counted (nor repeated).
    #[schema(example = 3)]
    pub queued: u32,
}
