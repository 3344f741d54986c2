//! Recurring jobs. Each schedule is a row in `job_schedules` holding the next tick's time. Every
//! worker checks the due rows about once a second; the one whose conditional update moves
//! `next_run_at` from the tick it read to the following tick wins that tick and enqueues its job
//! in the same transaction, so a tick runs once however many workers there are, and a tick
//! missed while no worker ran is run once (not once per missed tick).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use entities::job_schedule;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, OnConflict},
};

use super::enqueue::{NewJob, enqueue};

/// A recurring job: a name, a cron expression (seconds first: `sec min hour day month weekday`,
/// UTC) and the job each tick enqueues.
#[derive(Clone)]
pub struct Recurring {
    pub name: &'static str,
    pub cron: String,
    pub job: fn() -> Result<NewJob, serde_json::Error>,
}

/// Why a schedule was refused.
#[derive(Debug, thiserror::Error)]
#[error("schedule {name}: invalid cron expression {cron:?}: {reason}")]
pub struct CronError {
    pub name: String,
    pub cron: String,
    pub reason: String,
}

fn parse(r: &Recurring) -> Result<cron::Schedule, CronError> {
    cron::Schedule::from_str(&r.cron).map_err(|e| CronError {
        name: r.name.to_owned(),
        cron: r.cron.clone(),
        reason: e.to_string(),
    })
}

/// The first tick strictly after `after_ms`.
fn next_after(schedule: &cron::Schedule, after_ms: i64) -> Option<i64> {
    let after = DateTime::<Utc>::from_timestamp_millis(after_ms)?;
    schedule.after(&after).next().map(|t| t.timestamp_millis())
}

/// Checks every expression (call at start-up: a bad one stops the process with its name).
pub fn validate(schedules: &[Recurring]) -> Result<(), CronError> {
    schedules.iter().try_for_each(|r| parse(r).map(|_| ()))
}

/// Writes the schedules' rows: new ones get their first tick; one whose expression changed is
/// rescheduled from now. Ticks already planned for unchanged schedules are kept.
pub async fn register(db: &DatabaseConnection, schedules: &[Recurring], now: i64) -> anyhow::Result<()> {
    for r in schedules {
        let parsed = parse(r)?;
        let Some(next) = next_after(&parsed, now) else { continue };
        let existing = job_schedule::Entity::find_by_id(r.name.to_owned()).one(db).await?;
        match existing {
            Some(row) if row.cron == r.cron => {}
            Some(_) => {
                job_schedule::Entity::update_many()
                    .col_expr(job_schedule::Column::Cron, Expr::value(r.cron.clone()))
                    .col_expr(job_schedule::Column::NextRunAt, Expr::value(next))
                    .col_expr(job_schedule::Column::UpdatedAt, Expr::value(now))
                    .filter(job_schedule::Column::Name.eq(r.name))
                    .exec(db)
                    .await?;
            }
            None => {
                job_schedule::Entity::insert(job_schedule::ActiveModel {
                    name: Set(r.name.to_owned()),
                    cron: Set(r.cron.clone()),
                    next_run_at: Set(next),
                    updated_at: Set(now),
                })
                .on_conflict(OnConflict::column(job_schedule::Column::Name).do_nothing().to_owned())
                .exec_without_returning(db)
                .await?;
            }
        }
    }
    Ok(())
}

/// Enqueues the job of every due tick this worker wins; returns how many it enqueued.
pub async fn tick(db: &DatabaseConnection, schedules: &[Recurring], now: i64) -> Result<u32, DbErr> {
    let names: Vec<&str> = schedules.iter().map(|r| r.name).collect();
    let due = job_schedule::Entity::find()
        .filter(job_schedule::Column::Name.is_in(names))
        .filter(job_schedule::Column::NextRunAt.lte(now))
        .all(db)
        .await?;
    let mut won = 0;
    for row in due {
        let Some(r) = schedules.iter().find(|r| r.name == row.name) else { continue };
        let Ok(parsed) = parse(r) else { continue };
        let Some(next) = next_after(&parsed, now) else { continue };
        let txn = db.begin().await?;
        let moved = job_schedule::Entity::update_many()
            .col_expr(job_schedule::Column::NextRunAt, Expr::value(next))
            .col_expr(job_schedule::Column::UpdatedAt, Expr::value(now))
            .filter(job_schedule::Column::Name.eq(row.name.clone()))
            .filter(job_schedule::Column::NextRunAt.eq(row.next_run_at))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved == 1 {
            match (r.job)() {
                Ok(job) => {
                    enqueue(&txn, now, job.unique(format!("{}@{}", r.name, row.next_run_at))).await?;
                    won += 1;
                }
                Err(e) => tracing::error!(schedule = r.name, error = %e, "a recurring job's payload does not encode"),
            }
        }
        txn.commit().await?;
    }
    Ok(won)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> Result<NewJob, serde_json::Error> {
        Ok(NewJob {
            kind: "test.noop",
            queue: "test",
            payload: serde_json::Value::Null,
            max_attempts: 1,
            tenant_id: None,
            subject_id: None,
            run_at: None,
            unique_key: None,
        })
    }

    #[test]
    fn next_tick_follows_the_expression() {
        let r = Recurring { name: "t", cron: "0 */10 * * * *".into(), job: noop };
        let s = parse(&r).unwrap();
        // 2026-01-01T00:03:00Z → 00:10:00Z
        let at = DateTime::parse_from_rfc3339("2026-01-01T00:03:00Z").unwrap().timestamp_millis();
        let next = next_after(&s, at).unwrap();
        assert_eq!(DateTime::<Utc>::from_timestamp_millis(next).unwrap().to_rfc3339(), "2026-01-01T00:10:00+00:00");
    }

    #[test]
    fn a_bad_expression_is_refused_with_its_name() {
        let err = validate(&[Recurring { name: "sweep", cron: "every minute".into(), job: noop }]).unwrap_err();
        assert!(err.to_string().starts_with("schedule sweep: invalid cron expression"), "{err}");
    }
}
