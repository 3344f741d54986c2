//! Request and response types of the webhook endpoint operations. The signing secret is never
//! part of an endpoint: it has its own operation (`WebhookEndpointSecretOut`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::service::DisabledReason;
use crate::{
    error::FieldError,
    platform::{ids::WebhookEndpointId, patch::Patch},
};

/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 1000;
/// The highest per-endpoint rate limit, deliveries per second.
pub const MAX_RATE_LIMIT: u32 = 10_000;

/// A new webhook endpoint.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointIn {
    /// Where deliveries are POSTed: an `https://` URL (at most 2,048 characters, no user name or
    /// password) whose host resolves only to public addresses.
    #[schema(example = "https://example.com/webhooks/campaign-os", max_length = 2048, format = "uri")]
    pub url: String,
    /// Free text, up to 1,000 characters.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000, example = "Order sync")]
    pub description: Option<String>,
    /// The event types delivered to this endpoint; omitted or empty for every type.
    #[validate(length(max = 100))]
    #[schema(max_items = 100, example = json!(["contact.created", "contact.updated"]))]
    pub event_types: Option<Vec<String>>,
    /// Whether deliveries are sent (default true).
    #[schema(default = true)]
    pub enabled: Option<bool>,
    /// At most this many deliveries per second to this endpoint; omitted or null for no limit.
    #[validate(range(min = 1, max = 10000))]
    #[schema(minimum = 1, maximum = 10000, example = 50)]
    pub rate_limit_per_second: Option<u32>,
    /// A signing secret of your own, `whsec_` followed by the standard base64 (with padding) of
    /// 24 to 64 random bytes; omit it to have one generated.
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]+={0,2}$", example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
}

/// Changes to an endpoint: an omitted field stays as it is; `description` and
/// `rate_limit_per_second` may be `null` to clear them.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointPatchIn {
    /// A new URL, checked like at creation.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = String, required = false, max_length = 2048, format = "uri")]
    pub url: Option<String>,
    /// `null` clears the description.
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 1000)]
    pub description: Patch<String>,
    /// The whole list of event types (`[]` for every type).
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(max = 100))]
    #[schema(value_type = Vec<String>, required = false, max_items = 100)]
    pub event_types: Option<Vec<String>>,
    /// `false` stops deliveries (`disabled_reason: manual`); `true` resumes them, also after the
    /// server disabled a failing endpoint.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = bool, required = false)]
    pub enabled: Option<bool>,
    /// `null` removes the limit.
    #[serde(default)]
    #[schema(value_type = Option<u32>, required = false, minimum = 1, maximum = 10000)]
    pub rate_limit_per_second: Patch<u32>,
}

impl WebhookEndpointPatchIn {
    /// Checks what `validator` cannot see through `Patch`.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(text) = self.description.as_value()
            && text.chars().count() > MAX_DESCRIPTION
        {
            errors.push(FieldError::new("description", "length", "must be at most 1000 characters"));
        }
        if let Some(limit) = self.rate_limit_per_second.as_value()
            && !(1..=MAX_RATE_LIMIT).contains(limit)
        {
            errors.push(FieldError::new("rate_limit_per_second", "range", "must be between 1 and 10000"));
        }
        errors
    }
}

/// A webhook endpoint (without its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointOut {
    pub id: WebhookEndpointId,
    /// The URL, as normalised when it was saved.
    #[schema(example = "https://example.com/webhooks/campaign-os")]
    pub url: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event types delivered; empty for every type.
    #[schema(example = json!(["contact.created"]))]
    pub event_types: Vec<String>,
    /// Whether deliveries are sent.
    pub enabled: bool,
    /// Why the endpoint is disabled; null while enabled.
    #[schema(required = true)]
    pub disabled_reason: Option<DisabledReason>,
    /// Deliveries per second at most; null for no limit.
    #[schema(required = true, minimum = 1, maximum = 10000)]
    pub rate_limit_per_second: Option<u32>,
    /// While a rotated-out secret still signs deliveries, when it stops; null otherwise.
    #[schema(required = true)]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// While deliveries keep failing, when the run of failures began (the endpoint is disabled
    /// once it lasts the server's `webhook_disable_after_secs`, 5 days by default); null after a
    /// success and while disabled.
    #[schema(required = true)]
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of webhook endpoints.
    WebhookEndpointList,
    WebhookEndpointOut
);

/// An endpoint's current signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointSecretOut {
    /// `whsec_` followed by the standard base64 of the key: give it as is to a Standard Webhooks
    /// verifier (such as the SDKs' `verifyWebhook` / `verify_webhook`).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub key: String,
}

/// A secret rotation.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateWebhookSecretIn {
    /// The new secret, `whsec_` followed by the standard base64 (with padding) of 24 to 64
    /// bytes; omit it to have one generated.
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]+={0,2}$", example = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")]
    pub key: Option<String>,
}
