//! Putting jobs in the queue. Enqueue through the caller's connection: inside its transaction,
//! the job commits with the state change that caused it, or not at all.

use entities::job;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::{job::Job, store::PENDING};

/// The stored form of a unique key: scoped by the job's kind.
fn stored_key(kind: &str, key: &str) -> String {
    format!("{kind}:{key}")
}

/// Rows per INSERT statement in [`enqueue_many`] (19 columns: well under both backends' bound
/// parameter limits).
const ROWS_PER_STATEMENT: usize = 1000;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub queue: &'static str,
    pub payload: serde_json::Value,
    pub max_attempts: i32,
    pub tenant_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    /// Due time, Unix ms (default: now).
    pub run_at: Option<i64>,
    /// While a job with this key (and kind) is pending or running, enqueueing another is a no-op.
    pub unique_key: Option<String>,
}

impl NewJob {
    /// A job of type `J` with `job` as its payload.
    pub fn of<J: Job>(job: &J) -> Result<Self, serde_json::Error> {
        Ok(Self {
            kind: J::KIND,
            queue: J::QUEUE,
            payload: serde_json::to_value(job)?,
            max_attempts: J::MAX_ATTEMPTS,
            tenant_id: None,
            subject_id: None,
            run_at: None,
            unique_key: None,
        })
    }

    /// The tenant whose background operation this is (listed by `GET /v1/jobs`).
    pub fn tenant(mut self, tenant_id: Uuid) -> Self {
        self.tenant_id = Some(tenant_id);
        self
    }

    /// The object the job works on.
    pub fn subject(mut self, id: Uuid) -> Self {
        self.subject_id = Some(id);
        self
    }

    /// Runs no earlier than `at_ms` (Unix ms).
    pub fn run_at(mut self, at_ms: i64) -> Self {
        self.run_at = Some(at_ms);
        self
    }

    /// At most one pending or running job of this kind with this key.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    fn into_row(self, id: Uuid, now_ms: i64) -> job::ActiveModel {
        job::ActiveModel {
            id: Set(id),
            tenant_id: Set(self.tenant_id),
            kind: Set(self.kind.to_owned()),
            queue: Set(self.queue.to_owned()),
            payload: Set(self.payload),
            status: Set(PENDING.to_owned()),
            attempts: Set(0),
            max_attempts: Set(self.max_attempts.max(1)),
            run_at: Set(self.run_at.unwrap_or(now_ms)),
            locked_by: Set(None),
            locked_until: Set(None),
            unique_key: Set(self.unique_key.map(|k| stored_key(self.kind, &k))),
            subject_id: Set(self.subject_id),
            progress: Set(None),
            last_error: Set(None),
            created_at: Set(now_ms),
            updated_at: Set(now_ms),
            started_at: Set(None),
            finished_at: Set(None),
        }
    }
}

/// Enqueues one job; `None` when its unique key is already held by a pending or running job.
pub async fn enqueue(conn: &impl ConnectionTrait, now_ms: i64, job: NewJob) -> Result<Option<Uuid>, DbErr> {
    let id = Uuid::now_v7();
    let row = job.into_row(id, now_ms);
    let inserted = job::Entity::insert(row)
        .on_conflict(OnConflict::column(job::Column::UniqueKey).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok((inserted == 1).then_some(id))
}

/// Enqueues many jobs with multi-row INSERTs; returns how many were inserted (jobs whose unique
/// key was held are skipped).
pub async fn enqueue_many(conn: &impl ConnectionTrait, now_ms: i64, jobs: Vec<NewJob>) -> Result<u64, DbErr> {
    let mut inserted = 0;
    let mut rows = jobs.into_iter().map(|j| j.into_row(Uuid::now_v7(), now_ms)).peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(ROWS_PER_STATEMENT).collect();
        inserted += job::Entity::insert_many(chunk)
            .on_conflict(OnConflict::column(job::Column::UniqueKey).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(inserted)
}

/// Makes the pending jobs of `kind` and `tenant_id` that hold any of `unique_keys` due at `now`
/// (e.g. "send it again now" for a delivery waiting for a retry); returns how many moved.
pub async fn bring_forward(
    conn: &impl ConnectionTrait,
    kind: &str,
    tenant_id: Uuid,
    unique_keys: impl IntoIterator<Item = String>,
    now_ms: i64,
) -> Result<u64, DbErr> {
    let keys: Vec<String> = unique_keys.into_iter().map(|k| stored_key(kind, &k)).collect();
    if keys.is_empty() {
        return Ok(0);
    }
    let res = job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(now_ms))
        .col_expr(job::Column::UpdatedAt, Expr::value(now_ms))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(PENDING))
        .filter(job::Column::TenantId.eq(tenant_id))
        .filter(job::Column::UniqueKey.is_in(keys))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}
