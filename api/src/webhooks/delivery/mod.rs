//! `webhooks.deliver`: sends one message to one endpoint (queue `webhooks`, 8 attempts on the
//! schedule 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
//!
//! A run loads the endpoint (deleted or disabled: done, nothing recorded), honours its rate
//! limit (over it: the job snoozes, which is not an attempt), loads the message, signs it with
//! every current secret (two during a rotation), POSTs it through the SSRF-guarded client, and
//! records the attempt. Then: a 2xx is delivered; `410 Gone` disables the endpoint; any other
//! outcome is retried, unless the endpoint has been failing for `webhook_disable_after_secs`,
//! which disables it. Disabling ends the job. A message whose last attempt failed ends as a dead
//! job; `replay_webhook_message` or `replay_failed_webhook_messages` send it again.

pub mod attempt;
pub mod health;
pub mod limiter;
pub mod sender;

use std::time::Duration;

use chrono::Utc;
use entities::{webhook_endpoint, webhook_message};
use serde::{Deserialize, Serialize};

pub use sender::{Deliverer, Sent};

use crate::{
    platform::{
        ids::{WebhookEndpointId, WebhookMessageId},
        jobs::{Job, JobContext, JobError, backoff},
    },
    webhooks::{DisabledReason, secrets_of},
};

/// Delays before each attempt: the first is immediate, the retry after run `n` waits
/// `SCHEDULE[n]`.
pub const SCHEDULE: [Duration; 8] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// Why a delivery was sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Fan-out of an event, and its retries.
    #[default]
    Scheduled,
    /// A replay or a test send.
    Manual,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Manual => "manual",
        }
    }
}

/// The job: one message to one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverJob {
    pub message_id: WebhookMessageId,
    pub endpoint_id: WebhookEndpointId,
    #[serde(default)]
    pub trigger: Trigger,
}

impl Job for DeliverJob {
    const KIND: &'static str = "webhooks.deliver";
    const QUEUE: &'static str = "webhooks";
    const MAX_ATTEMPTS: i32 = 8; // SCHEDULE.len()

    fn retry_delay(attempt: i32) -> Duration {
        backoff::from_schedule(&SCHEDULE, attempt)
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let Some(tenant) = ctx.tenant_id else {
            return Err(JobError::fatal(anyhow::anyhow!("a webhook delivery job without a tenant")));
        };
        let state = &ctx.state;
        let Some(endpoint) =
            webhook_endpoint::Entity::find_one_in(tenant, self.endpoint_id.uuid()).one(&state.db).await?
        else {
            return Ok(()); // deleted
        };
        if !endpoint.enabled {
            return Ok(());
        }
        if let Some(per_second) = endpoint.rate_limit_per_second.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0)
            && let Some(wait) = state.webhooks.limiter.check(endpoint.id, per_second, ctx.clock.now_ms())
        {
            return Err(JobError::Snooze(wait));
        }
        let Some(message) = webhook_message::Entity::find_one_in(tenant, self.message_id.uuid()).one(&state.db).await?
        else {
            return Ok(()); // past the retention
        };
        let secrets = secrets_of(&state.keys, &endpoint, Utc::now())?;
        let msg_id = self.message_id.to_string();
        let sent = state.webhooks.send(&endpoint.url, &msg_id, message.payload, &secrets).await;
        let record = attempt::Attempt {
            tenant_id: tenant,
            message_id: message.id,
            endpoint_id: endpoint.id,
            attempt: ctx.attempt,
            trigger: self.trigger,
            url: &endpoint.url,
            sent: &sent,
        };
        attempt::record(&state.db, record).await?;
        if sent.delivered() {
            if let Err(e) = health::on_delivered(&state.db, &endpoint).await {
                tracing::warn!(error = %e, endpoint_id = %self.endpoint_id, "clearing failing_since failed");
            }
            return Ok(());
        }
        if sent.gone() {
            health::disable(state, &endpoint, DisabledReason::Gone).await?;
            return Ok(());
        }
        let window_ms = i64::try_from(state.settings.webhook_disable_after_secs).unwrap_or(i64::MAX / 1000) * 1000;
        let disabled = health::on_failed(state, &endpoint, ctx.clock.now_ms(), window_ms).await?;
        if disabled {
            return Ok(());
        }
        let why = match (sent.status_code, sent.error) {
            (Some(code), _) => format!("the receiver answered {code}"),
            (None, Some(error)) => error.to_owned(),
            (None, None) => "no response".to_owned(),
        };
        Err(JobError::Retry(anyhow::anyhow!("webhook delivery failed: {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule() {
        let waits: Vec<u64> = (1..DeliverJob::MAX_ATTEMPTS).map(|n| DeliverJob::retry_delay(n).as_secs()).collect();
        assert_eq!(waits, [5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
        assert_eq!(DeliverJob::MAX_ATTEMPTS, 8);
    }
}
