//! Fan-out: when events are appended, in the same transaction, each event that at least one
//! enabled endpoint of the tenant subscribes to (its `event_types` is empty or holds the type)
//! becomes one message, and each (message, endpoint) pair one `webhooks.deliver` job. A
//! rolled-back change therefore sends nothing, and a committed one is always delivered.
//!
//! Cost: one indexed query for the tenant's enabled endpoints per batch of events (`append_many`
//! hands over up to 500 at a time); nothing more when no endpoint subscribes; otherwise one
//! multi-row `INSERT` for the messages and one per 1,000 jobs.

use entities::{event, webhook_endpoint, webhook_message};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{delivery::Trigger, payload, queue};
use crate::{
    error::{ApiError, ApiResult},
    platform::ids::{EventId, TenantId, WebhookEndpointId, WebhookMessageId},
};

/// Messages per `INSERT` (seven values each).
const MESSAGES_PER_STATEMENT: usize = 500;

/// An enabled endpoint and the types it takes (`None`: every type).
struct Subscriber {
    id: Uuid,
    types: Option<Vec<String>>,
}

impl Subscriber {
    fn new(id: Uuid, event_types: Value) -> Self {
        let types = match event_types {
            Value::Array(items) if !items.is_empty() => {
                Some(items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            }
            _ => None,
        };
        Self { id, types }
    }

    fn wants(&self, event_type: &str) -> bool {
        self.types.as_ref().is_none_or(|types| types.iter().any(|t| t == event_type))
    }
}

/// The tenant's enabled endpoints that take `event_type` (one query).
pub async fn subscribers_of(conn: &impl ConnectionTrait, tenant: TenantId, event_type: &str) -> ApiResult<Vec<Uuid>> {
    Ok(subscribers(conn, tenant).await?.into_iter().filter(|s| s.wants(event_type)).map(|s| s.id).collect())
}

async fn subscribers(conn: &impl ConnectionTrait, tenant: TenantId) -> ApiResult<Vec<Subscriber>> {
    let rows: Vec<(Uuid, Value)> = webhook_endpoint::Entity::find_enabled_in(tenant.uuid())
        .select_only()
        .column(webhook_endpoint::Column::Id)
        .column(webhook_endpoint::Column::EventTypes)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, types)| Subscriber::new(id, types)).collect())
}

/// Writes the messages and delivery jobs of `events` (all of `tenant`), on `conn`: the
/// transaction that appends them.
pub async fn on_events(conn: &impl ConnectionTrait, tenant: TenantId, events: &[event::Model]) -> ApiResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let subscribers = subscribers(conn, tenant).await?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let mut messages = Vec::new();
    let mut jobs = Vec::new();
    for event in events {
        let mut targets = subscribers.iter().filter(|s| s.wants(&event.event_type)).peekable();
        if targets.peek().is_none() {
            continue;
        }
        let id = WebhookMessageId::generate();
        for target in targets {
            jobs.push(queue::delivery_job(tenant, id, WebhookEndpointId::from_uuid(target.id), Trigger::Scheduled)?);
        }
        let payload = payload::body(&event.event_type, event.created_at, &event.data).map_err(|e| {
            ApiError::internal(anyhow::anyhow!(
                "the webhook payload of event {} does not serialise: {e}",
                EventId::from_uuid(event.id)
            ))
        })?;
        messages.push(webhook_message::ActiveModel::from(webhook_message::Model {
            id: id.uuid(),
            tenant_id: tenant.uuid(),
            event_id: Some(event.id),
            event_type: event.event_type.clone(),
            endpoint_id: None,
            payload,
            created_at: event.created_at,
        }));
    }
    if messages.is_empty() {
        return Ok(());
    }
    let mut rows = messages.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(MESSAGES_PER_STATEMENT).collect();
        webhook_message::Entity::insert_many(chunk).exec_without_returning(conn).await?;
    }
    queue::enqueue(conn, jobs).await?;
    queue::wake_soon();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_takes_every_type_and_a_list_only_its_own() {
        let all = Subscriber::new(Uuid::nil(), serde_json::json!([]));
        assert!(all.wants("contact.created") && all.wants("endpoint.disabled"));
        let some = Subscriber::new(Uuid::nil(), serde_json::json!(["contact.created", "contact.deleted"]));
        assert!(some.wants("contact.created") && some.wants("contact.deleted"));
        assert!(!some.wants("contact.updated"));
        let odd = Subscriber::new(Uuid::nil(), Value::Null);
        assert!(odd.wants("contact.updated"), "a malformed filter is read as every type");
    }
}
