//! `diag.receipt`: a trivial job for the job benchmark (`scripts/bench-jobs`) and the worker
//! crash test. It records its idempotency key in `job_receipts` (an upsert counting runs), so a
//! test can tell that every job's effect happened exactly once however often its handler ran.
//! Workers run it only when `diagnostic_jobs` is on.

use entities::job_receipt;
use sea_orm::{
    ActiveValue::Set,
    EntityTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde::{Deserialize, Serialize};

use crate::platform::jobs::{Job, JobContext, JobError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Receipt {
    /// The idempotency key of the job's effect.
    pub key: String,
}

impl Job for Receipt {
    const KIND: &'static str = "diag.receipt";
    const QUEUE: &'static str = "diag";

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let runs = (job_receipt::Entity, job_receipt::Column::Runs);
        job_receipt::Entity::insert(job_receipt::ActiveModel {
            key: Set(self.key),
            runs: Set(1),
            created_at: Set(ctx.clock.now_ms()),
        })
        .on_conflict(
            OnConflict::column(job_receipt::Column::Key)
                .value(job_receipt::Column::Runs, Expr::col(runs).add(1))
                .to_owned(),
        )
        .exec_without_returning(&ctx.state.db)
        .await?;
        Ok(())
    }
}
