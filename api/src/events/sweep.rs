//! `events.sweep`: deletes events older than `event_retention_days` (recurring, hourly).

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use super::service;
use crate::platform::jobs::{Job, JobContext, JobError};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SweepEvents {}

impl Job for SweepEvents {
    const KIND: &'static str = "events.sweep";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let now = DateTime::from_timestamp_millis(ctx.clock.now_ms()).unwrap_or_default();
        let retention = service::retention(&ctx.state.settings);
        let deleted =
            service::sweep_expired(&ctx.state.db, now, retention).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if deleted > 0 {
            tracing::info!(deleted, "swept expired events");
        }
        Ok(())
    }
}
