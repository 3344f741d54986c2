//! `webhooks.sweep`: deletes webhook messages and delivery attempts older than
//! `webhook_retention_days` (recurring, hourly), every tenant's, `BATCH` rows per statement.
//! Ids are UUIDv7, so the oldest rows are a prefix of the primary key; `created_at` decides for
//! messages (attempts are deleted by id alone: their id is taken when they are recorded).

use chrono::{DateTime, Duration, Utc};
use entities::{webhook_attempt, webhook_message};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::platform::jobs::{Job, JobContext, JobError};

/// Rows deleted per statement.
const BATCH: u64 = 5_000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SweepWebhooks {}

impl Job for SweepWebhooks {
    const KIND: &'static str = "webhooks.sweep";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let now = DateTime::from_timestamp_millis(ctx.clock.now_ms()).unwrap_or_default();
        let cutoff = now - Duration::days(i64::from(ctx.state.settings.webhook_retention_days));
        let (attempts, messages) = sweep(&ctx.state.db, cutoff).await?;
        if attempts + messages > 0 {
            tracing::info!(attempts, messages, cutoff = %cutoff, "swept old webhook messages and attempts");
        }
        Ok(())
    }
}

/// The smallest UUIDv7 of the millisecond of `at`.
fn first_id_of(at: DateTime<Utc>) -> Option<Uuid> {
    let ms = u128::try_from(at.timestamp_millis()).ok()?;
    Some(Uuid::from_u128((ms << 80) | (0x7 << 76) | (0b10 << 62)))
}

/// Deletes attempts, then messages, from before `cutoff`; returns how many of each.
pub async fn sweep<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> Result<(u64, u64), DbErr> {
    let Some(bound) = first_id_of(cutoff) else { return Ok((0, 0)) };
    let mut attempts = 0;
    loop {
        let old = webhook_attempt::Entity::find_expired(bound)
            .select_only()
            .column(webhook_attempt::Column::Id)
            .order_by_asc(webhook_attempt::Column::Id)
            .limit(BATCH)
            .into_query();
        let n = webhook_attempt::Entity::delete_many()
            .filter(webhook_attempt::Column::Id.in_subquery(old))
            .exec(db)
            .await?
            .rows_affected;
        attempts += n;
        if n < BATCH {
            break;
        }
    }
    let mut messages = 0;
    loop {
        let old = webhook_message::Entity::find_expired(bound)
            .filter(webhook_message::Column::CreatedAt.lt(cutoff))
            .select_only()
            .column(webhook_message::Column::Id)
            .order_by_asc(webhook_message::Column::Id)
            .limit(BATCH)
            .into_query();
        let n = webhook_message::Entity::delete_many()
            .filter(webhook_message::Column::Id.in_subquery(old))
            .exec(db)
            .await?
            .rows_affected;
        messages += n;
        if n < BATCH {
            break;
        }
    }
    Ok((attempts, messages))
}
