//! Appending events: the single entry point. A caller passes the connection its change is
//! written on (its transaction), so the change and its events commit together or not at all.
//! `append` writes one event; `append_many` writes a batch with one multi-row `INSERT` per 500
//! events. Both go through `insert`, the one place where work caused by events (webhook fan-out)
//! hooks in.

use chrono::{DateTime, SubsecRound, Utc};
use entities::event;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::catalogue::Event;
use crate::{
    error::{ApiError, ApiResult},
    platform::ids::{EventId, TenantId},
};

/// Rows per `INSERT`: five values each, well under SQLite's bound-parameter limit.
const CHUNK: usize = 500;

/// Appends one event of `tenant_id` on `conn` (the caller's transaction).
pub async fn append(conn: &impl ConnectionTrait, tenant_id: TenantId, event: Event) -> ApiResult<EventId> {
    let row = row(tenant_id, event, now())?;
    let id = EventId::from_uuid(row.id);
    insert(conn, tenant_id, vec![row]).await?;
    Ok(id)
}

/// Appends a batch of events of `tenant_id` on `conn`, in the given order (their ids ascend);
/// returns how many were written.
pub async fn append_many(
    conn: &impl ConnectionTrait,
    tenant_id: TenantId,
    events: impl IntoIterator<Item = Event>,
) -> ApiResult<usize> {
    let now = now();
    let mut written = 0;
    let mut batch = Vec::with_capacity(CHUNK);
    for event in events {
        batch.push(row(tenant_id, event, now)?);
        if batch.len() == CHUNK {
            written += batch.len();
            insert(conn, tenant_id, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        written += batch.len();
        insert(conn, tenant_id, batch).await?;
    }
    Ok(written)
}

/// Microseconds: what PostgreSQL stores, so that what a list shows matches the row.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn row(tenant_id: TenantId, event: Event, now: DateTime<Utc>) -> ApiResult<event::Model> {
    let (event_type, data) = event.into_parts();
    let data = data.map_err(|e| {
        ApiError::internal(anyhow::anyhow!("the data of a `{}` event does not serialise: {e}", event_type.name()))
    })?;
    Ok(event::Model {
        id: EventId::generate().uuid(),
        tenant_id: tenant_id.uuid(),
        event_type: event_type.name().to_owned(),
        data,
        created_at: now,
    })
}

/// Writes up to `CHUNK` rows in one statement, with their webhook messages and deliveries
/// (`webhooks::fanout`, one endpoints query per call).
async fn insert(conn: &impl ConnectionTrait, tenant_id: TenantId, rows: Vec<event::Model>) -> ApiResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    crate::webhooks::fanout::on_events(conn, tenant_id, &rows).await?;
    event::Entity::insert_many(rows.into_iter().map(event::ActiveModel::from)).exec_without_returning(conn).await?;
    Ok(())
}
