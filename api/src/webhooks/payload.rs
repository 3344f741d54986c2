//! The body of a delivery: the Standard Webhooks payload `{"type", "timestamp", "data"}`,
//! serialised once when the message is written and stored as text, so that every attempt (and
//! every replay) sends, and signs, the same bytes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::platform::ids::WebhookEndpointId;

/// The type of test messages (`test_webhook_endpoint`). Not a domain event: it is never in the
/// events feed, and endpoints receive it whatever their `event_types`.
pub const TEST_EVENT_TYPE: &str = "webhook.test";

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    event_type: &'a str,
    timestamp: DateTime<Utc>,
    data: &'a Value,
}

/// The JSON body of a message: `type`, `timestamp` (when the event happened, RFC 3339) and
/// `data` (the event's object).
pub fn body(event_type: &str, timestamp: DateTime<Utc>, data: &Value) -> Result<String, serde_json::Error> {
    serde_json::to_string(&Body { event_type, timestamp, data })
}

/// The `data` of a `webhook.test` message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookTestData {
    /// The endpoint the test was sent to.
    pub endpoint_id: WebhookEndpointId,
    /// A fixed text saying that this is a test.
    #[schema(example = "A test message sent by test_webhook_endpoint; no action is needed.")]
    pub message: String,
}

impl WebhookTestData {
    pub fn new(endpoint_id: WebhookEndpointId) -> Self {
        Self { endpoint_id, message: "A test message sent by test_webhook_endpoint; no action is needed.".to_owned() }
    }
}

/// Whether `name` is a type a message may have: a catalogue event type or `webhook.test`.
pub fn is_message_type(name: &str) -> bool {
    name == TEST_EVENT_TYPE || crate::events::catalogue::is_known(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_the_standard_webhooks_fields_in_order() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T10:15:00.123456Z").unwrap().with_timezone(&Utc);
        let body = body("contact.created", at, &serde_json::json!({"id": "con_1", "email": "a@example.com"})).unwrap();
        assert_eq!(
            body,
            r#"{"type":"contact.created","timestamp":"2026-11-28T10:15:00.123456Z","data":{"email":"a@example.com","id":"con_1"}}"#
        );
        assert!(is_message_type("webhook.test") && is_message_type("contact.created"));
        assert!(!is_message_type("contact.exploded"));
    }
}
