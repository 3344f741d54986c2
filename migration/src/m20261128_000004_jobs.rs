//! The job engine's tables (issue 6, `api/src/platform/jobs/`):
//!
//! - `jobs`: one row per background job. Times are Unix milliseconds (`BIGINT`) so that both
//!   backends compare them as numbers; `unique_key` is set only while a job is pending or running
//!   (cleared when it ends), so a plain unique index gives "enqueueing the same key twice while
//!   pending is a no-op" on SQLite and Postgres alike.
//! - `job_schedules`: recurring jobs, one row per schedule; a worker that wins the conditional
//!   update of `next_run_at` enqueues the tick's job, so a tick runs once across all workers.
//!
//! - `job_receipts`: what the diagnostic job type `diag.receipt` writes (one row per idempotency
//!   key, counting the handler's runs), used by the job benchmark and the worker crash test.
//!
//! `jobs` is the platform's queue, not tenant data: the claim index starts with `queue`, and the
//! tenant's own listing has its `(tenant_id, id)` index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn index(name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(Alias::new("jobs"));
    for c in columns {
        stmt.col(Alias::new(*c));
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("jobs"))
                    .col(col("id").uuid().not_null().primary_key())
                    .col(col("tenant_id").uuid().null())
                    .col(col("kind").string_len(100).not_null())
                    .col(col("queue").string_len(50).not_null())
                    .col(col("payload").json_binary().not_null())
                    .col(col("status").string_len(16).not_null())
                    .col(col("attempts").integer().not_null().default(0))
                    .col(col("max_attempts").integer().not_null())
                    .col(col("run_at").big_integer().not_null())
                    .col(col("locked_by").string_len(64).null())
                    .col(col("locked_until").big_integer().null())
                    .col(col("unique_key").string_len(300).null().unique_key())
                    .col(col("subject_id").uuid().null())
                    .col(col("progress").json_binary().null())
                    .col(col("last_error").text().null())
                    .col(col("created_at").big_integer().not_null())
                    .col(col("updated_at").big_integer().not_null())
                    .col(col("started_at").big_integer().null())
                    .col(col("finished_at").big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_jobs_tenant")
                            .from(Alias::new("jobs"), Alias::new("tenant_id"))
                            .to(Alias::new("tenants"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Claiming: the due jobs of a queue in (run_at, id) order, read straight from the index
        // (jobs enqueued together share run_at; without id here every claim sorted them all).
        manager.create_index(index("ix_jobs_claim", &["queue", "status", "run_at", "id"])).await?;
        // Reaping expired leases, sweeping old finished jobs, listing dead jobs.
        manager.create_index(index("ix_jobs_status_locked", &["status", "locked_until"])).await?;
        manager.create_index(index("ix_jobs_status_finished", &["status", "finished_at"])).await?;
        // A tenant's own background operations, newest first.
        manager.create_index(index("ix_jobs_tenant", &["tenant_id", "id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("job_schedules"))
                    .col(col("name").string_len(100).not_null().primary_key())
                    .col(col("cron").string_len(200).not_null())
                    .col(col("next_run_at").big_integer().not_null())
                    .col(col("updated_at").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("job_receipts"))
                    .col(col("key").string_len(100).not_null().primary_key())
                    .col(col("runs").integer().not_null())
                    .col(col("created_at").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("job_receipts")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("job_schedules")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("jobs")).to_owned()).await?;
        Ok(())
    }
}
