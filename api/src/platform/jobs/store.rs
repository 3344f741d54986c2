//! The engine's statements on the `jobs` table: claim, finish, retry, release, extend, reap,
//! sweep. Every change to a running job is guarded by `locked_by = <this worker>` and
//! `status = 'running'`, so a worker whose lease ran out (and whose job another worker took)
//! can never overwrite the newer run's outcome.

use entities::job;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query},
};
use uuid::Uuid;

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const SUCCEEDED: &str = "succeeded";
pub const DEAD: &str = "dead";

/// The reason recorded for a job whose worker stopped answering.
pub const LEASE_EXPIRED: &str = "the worker running this job stopped (its lease expired)";

/// Takes up to `limit` due pending jobs of `kinds` in `queue`, oldest first, and leases them to
/// `worker` until `now + lease_ms`. Postgres skips rows other workers are claiming
/// (`FOR UPDATE SKIP LOCKED`); SQLite runs the statement under its single write lock.
pub async fn claim(
    db: &DatabaseConnection,
    queue: &str,
    kinds: &[&str],
    worker: &str,
    now: i64,
    lease_ms: i64,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let due = Query::select()
        .column(job::Column::Id)
        .from(job::Entity)
        .and_where(job::Column::Queue.eq(queue))
        .and_where(job::Column::Status.eq(PENDING))
        .and_where(job::Column::RunAt.lte(now))
        .and_where(job::Column::Kind.is_in(kinds.iter().copied()))
        .order_by(job::Column::RunAt, Order::Asc)
        .order_by(job::Column::Id, Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(RUNNING))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
        .col_expr(job::Column::LockedBy, Expr::value(worker))
        .col_expr(job::Column::LockedUntil, Expr::value(now + lease_ms))
        .col_expr(job::Column::StartedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await
}

fn running_under(id: Uuid, worker: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::Id.eq(id))
        .add(job::Column::LockedBy.eq(worker))
        .add(job::Column::Status.eq(RUNNING))
}

/// Marks runs of this worker successful, many per statement (their unique keys are released); returns how many were saved
/// (fewer when leases were lost).
pub async fn succeed_many(db: &DatabaseConnection, ids: &[Uuid], worker: &str, now: i64) -> Result<u64, DbErr> {
    let mut saved = 0;
    for chunk in ids.chunks(500) {
        saved += job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(SUCCEEDED))
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
            .col_expr(job::Column::UniqueKey, Expr::value(Option::<String>::None))
            .col_expr(job::Column::FinishedAt, Expr::value(now))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.is_in(chunk.iter().copied()))
            .filter(job::Column::LockedBy.eq(worker))
            .filter(job::Column::Status.eq(RUNNING))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(saved)
}

/// Records a failed run: pending again at `retry_at`, or dead (kept, unique key released) when
/// `retry_at` is `None`.
pub async fn fail(
    db: &DatabaseConnection,
    id: Uuid,
    worker: &str,
    now: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool, DbErr> {
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::LastError, Expr::value(error))
        .col_expr(job::Column::UpdatedAt, Expr::value(now));
    update = match retry_at {
        Some(at) => {
            update.col_expr(job::Column::Status, Expr::value(PENDING)).col_expr(job::Column::RunAt, Expr::value(at))
        }
        None => update
            .col_expr(job::Column::Status, Expr::value(DEAD))
            .col_expr(job::Column::UniqueKey, Expr::value(Option::<String>::None))
            .col_expr(job::Column::FinishedAt, Expr::value(now)),
    };
    Ok(update.filter(running_under(id, worker)).exec(db).await?.rows_affected == 1)
}

/// Puts a running job back to wait until `at`, without counting the run as an attempt.
pub async fn snooze(db: &DatabaseConnection, id: Uuid, worker: &str, now: i64, at: i64) -> Result<bool, DbErr> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(PENDING))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).sub(1))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::RunAt, Expr::value(at))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(running_under(id, worker))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Gives unfinished jobs back at shutdown: pending again at once, and the interrupted run does
/// not count as an attempt.
pub async fn release(db: &DatabaseConnection, ids: &[Uuid], worker: &str, now: i64) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(PENDING))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).sub(1))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Renews the leases of the jobs this worker is running.
pub async fn extend(db: &DatabaseConnection, ids: &[Uuid], worker: &str, until: i64) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let res = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(until))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::Status.eq(RUNNING))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Takes back jobs whose lease ran out (their worker died): pending again, or dead when that run
/// was their last attempt. Returns (made pending, made dead).
pub async fn reap(db: &DatabaseConnection, now: i64) -> Result<(u64, u64), DbErr> {
    let expired =
        || sea_orm::Condition::all().add(job::Column::Status.eq(RUNNING)).add(job::Column::LockedUntil.lt(now));
    let dead = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(DEAD))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::UniqueKey, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LastError, Expr::value(LEASE_EXPIRED))
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(expired())
        .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
        .exec(db)
        .await?
        .rows_affected;
    let pending = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(PENDING))
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::LastError, Expr::value(LEASE_EXPIRED))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(expired())
        .exec(db)
        .await?
        .rows_affected;
    Ok((pending, dead))
}

/// Saves a running job's progress.
pub async fn set_progress(
    db: &DatabaseConnection,
    id: Uuid,
    worker: &str,
    progress: serde_json::Value,
    now: i64,
) -> Result<(), DbErr> {
    job::Entity::update_many()
        .col_expr(job::Column::Progress, Expr::value(progress))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(running_under(id, worker))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes succeeded jobs that finished before `before` (at most `limit` per call).
pub async fn sweep_succeeded(db: &DatabaseConnection, before: i64, limit: u64) -> Result<u64, DbErr> {
    let old = Query::select()
        .column(job::Column::Id)
        .from(job::Entity)
        .and_where(job::Column::Status.eq(SUCCEEDED))
        .and_where(job::Column::FinishedAt.lt(before))
        .limit(limit)
        .to_owned();
    let res = job::Entity::delete_many().filter(job::Column::Id.in_subquery(old)).exec(db).await?;
    Ok(res.rows_affected)
}

/// Operators: a dead job runs again (attempts start over). False unless the job was dead.
pub async fn retry_dead(conn: &impl ConnectionTrait, id: Uuid, now: i64) -> Result<bool, DbErr> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(PENDING))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<i64>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(DEAD))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Operators: deletes a dead job. False unless the job was dead.
pub async fn discard_dead(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let res = job::Entity::delete_many()
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(DEAD))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Jobs waiting, running and dead, by queue (for the `/metrics` gauges).
pub async fn depth(db: &DatabaseConnection) -> Result<Vec<(String, String, i64)>, DbErr> {
    use sea_orm::QuerySelect;
    job::Entity::find_all_tenants()
        .select_only()
        .column(job::Column::Queue)
        .column(job::Column::Status)
        .column_as(Expr::col(job::Column::Id).count(), "n")
        .filter(job::Column::Status.is_in([PENDING, RUNNING, DEAD]))
        .group_by(job::Column::Queue)
        .group_by(job::Column::Status)
        .into_tuple()
        .all(db)
        .await
}
