//! `jobs.sweep`: deletes succeeded jobs older than `job_retention_hours` (recurring, every ten
//! minutes). Dead jobs are left for operators.

use serde::{Deserialize, Serialize};

use crate::platform::jobs::{Job, JobContext, JobError, store};

/// Rows deleted per statement.
const BATCH: u64 = 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SweepJobs {}

impl Job for SweepJobs {
    const KIND: &'static str = "jobs.sweep";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let hours = i64::try_from(ctx.state.settings.job_retention_hours).unwrap_or(i64::MAX / 3_600_000);
        let before = ctx.clock.now_ms() - hours * 3_600_000;
        let mut deleted = 0;
        loop {
            let n = store::sweep_succeeded(&ctx.state.db, before, BATCH).await?;
            deleted += n;
            if n < BATCH || ctx.shutdown.is_cancelled() {
                break;
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "swept succeeded jobs");
        }
        Ok(())
    }
}
