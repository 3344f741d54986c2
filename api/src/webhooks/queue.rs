//! Putting deliveries in the job queue: one `webhooks.deliver` job per (message, endpoint), with
//! the pair as its unique key, enqueued on the caller's connection (inside its transaction).
//!
//! A replay or test send also brings forward a delivery of the same pair that is waiting for
//! a retry, so "send it again now" never waits behind a back-off of hours (the pair's unique
//! key is held while that job is pending, so a second job could not be enqueued anyway).

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use chrono::Utc;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::delivery::{DeliverJob, Trigger};
use crate::{
    error::{ApiError, ApiResult},
    platform::{
        ids::{TenantId, WebhookEndpointId, WebhookMessageId},
        jobs::{self, Job, NewJob},
    },
};

/// Unique keys per `UPDATE … IN (…)` statement.
const KEYS_PER_STATEMENT: usize = 500;

/// The unique key of the delivery of `message` to `endpoint`.
fn unique_key(message: Uuid, endpoint: Uuid) -> String {
    format!("{message}:{endpoint}")
}

/// The job that delivers `message` to `endpoint`.
pub fn delivery_job(
    tenant: TenantId,
    message: WebhookMessageId,
    endpoint: WebhookEndpointId,
    trigger: Trigger,
) -> ApiResult<NewJob> {
    let job = DeliverJob { message_id: message, endpoint_id: endpoint, trigger };
    Ok(NewJob::of(&job)
        .map_err(ApiError::internal)?
        .tenant(tenant.uuid())
        .subject(message.uuid())
        .unique(unique_key(message.uuid(), endpoint.uuid())))
}

/// Now, in the engine's unit (Unix ms, system clock: enqueueing happens in requests).
fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Enqueues deliveries (a pair already pending or running is skipped); returns how many were
/// enqueued.
pub async fn enqueue(conn: &impl ConnectionTrait, jobs: Vec<NewJob>) -> ApiResult<u64> {
    if jobs.is_empty() {
        return Ok(0);
    }
    Ok(jobs::enqueue_many(conn, now_ms(), jobs).await?)
}

/// Sends `message` to each of `endpoints` as soon as possible: brings forward a delivery of the
/// pair that waits for a retry, else enqueues a new one (`trigger` says why). Returns how many
/// pairs were scheduled (a pair whose delivery is running now is left to it).
pub async fn send_now(
    conn: &impl ConnectionTrait,
    tenant: TenantId,
    pairs: &[(WebhookMessageId, WebhookEndpointId)],
    trigger: Trigger,
) -> ApiResult<u64> {
    let now = now_ms();
    let mut forwarded = 0;
    for chunk in pairs.chunks(KEYS_PER_STATEMENT) {
        let keys = chunk.iter().map(|(m, e)| unique_key(m.uuid(), e.uuid()));
        forwarded += jobs::bring_forward(conn, DeliverJob::KIND, tenant.uuid(), keys, now).await?;
    }
    let jobs = pairs.iter().map(|(m, e)| delivery_job(tenant, *m, *e, trigger)).collect::<ApiResult<Vec<_>>>()?;
    let enqueued = enqueue(conn, jobs).await?;
    Ok(forwarded + enqueued)
}

static WAKE_PENDING: AtomicBool = AtomicBool::new(false);

/// Wakes this process's workers shortly after now, for deliveries enqueued inside a transaction
/// that has not committed yet (the fan-out runs in the event's transaction, so it cannot wake
/// the worker after the commit itself). Two wake-ups, 5 ms and 50 ms later, cover a commit that
/// follows the event at once or a little later; past that the queue's poll picks the jobs up.
pub fn wake_soon() {
    if WAKE_PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn(async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                WAKE_PENDING.store(false, Ordering::Release);
                jobs::wake();
                tokio::time::sleep(Duration::from_millis(45)).await;
                jobs::wake();
            });
        }
        Err(_) => {
            WAKE_PENDING.store(false, Ordering::Release);
            jobs::wake();
        }
    }
}
