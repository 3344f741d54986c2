//! Recording a delivery attempt in `webhook_attempts`.

use chrono::{SubsecRound, Utc};
use entities::webhook_attempt;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use uuid::Uuid;

use super::{Trigger, sender::Sent};
use crate::platform::ids::WebhookAttemptId;

/// Stored `status` of an attempt answered with a 2xx.
pub const SUCCEEDED: &str = "succeeded";
/// Stored `status` of any other attempt.
pub const FAILED: &str = "failed";

/// One attempt to record.
pub struct Attempt<'a> {
    pub tenant_id: Uuid,
    pub message_id: Uuid,
    pub endpoint_id: Uuid,
    pub attempt: i32,
    pub trigger: Trigger,
    pub url: &'a str,
    pub sent: &'a Sent,
}

/// Writes the attempt; returns its id.
pub async fn record(conn: &impl ConnectionTrait, a: Attempt<'_>) -> Result<Uuid, DbErr> {
    let id = WebhookAttemptId::generate().uuid();
    let row = webhook_attempt::Model {
        id,
        tenant_id: a.tenant_id,
        message_id: a.message_id,
        endpoint_id: a.endpoint_id,
        attempt: a.attempt,
        trigger: a.trigger.as_str().to_owned(),
        url: a.url.to_owned(),
        status: if a.sent.delivered() { SUCCEEDED } else { FAILED }.to_owned(),
        response_status_code: a.sent.status_code.map(i32::from),
        response_excerpt: a.sent.excerpt.clone(),
        error: a.sent.error.map(str::to_owned),
        latency_ms: a.sent.latency_ms,
        created_at: Utc::now().trunc_subsecs(6),
    };
    webhook_attempt::Entity::insert(webhook_attempt::ActiveModel::from(row)).exec_without_returning(conn).await?;
    Ok(id)
}
