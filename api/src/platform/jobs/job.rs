//! What a job type is: the [`Job`] trait, the context its run gets, the errors it may return, and
//! the [`Registry`] that maps stored job kinds back to their code.

use std::{collections::HashMap, future::Future, sync::Arc, time::Duration};

use futures_util::future::BoxFuture;
use serde::{Serialize, de::DeserializeOwned};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{backoff, clock::SharedClock, store};
use crate::state::AppState;

/// A typed background job. The value is the payload, stored as JSON.
///
/// Handlers must be idempotent: a job runs at least once, and runs again when its worker dies
/// (after the lease runs out) or is shut down before the job finished.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored type name, e.g. `crm.import`. Never rename one that has been deployed.
    const KIND: &'static str;
    /// The queue the job waits in (each queue has its own concurrency).
    const QUEUE: &'static str = "default";
    /// Runs before the job is kept as dead.
    const MAX_ATTEMPTS: i32 = 8;

    /// The delay before the next run after `attempt` failed runs.
    fn retry_delay(attempt: i32) -> Duration {
        backoff::exponential(attempt)
    }

    /// Does the work.
    fn run(self, ctx: JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Why a run failed.
#[derive(Debug)]
pub enum JobError {
    /// Try again later (until the job's attempts run out).
    Retry(anyhow::Error),
    /// Do not try again: keep the job as dead at once.
    Fatal(anyhow::Error),
    /// Not now (a rate limit, say): run again after the delay; this run does not count as an
    /// attempt.
    Snooze(Duration),
}

impl JobError {
    /// A failure that must not be retried.
    pub fn fatal(err: impl Into<anyhow::Error>) -> Self {
        Self::Fatal(err.into())
    }
}

impl<E: Into<anyhow::Error>> From<E> for JobError {
    fn from(err: E) -> Self {
        Self::Retry(err.into())
    }
}

/// What a running job can see.
#[derive(Clone)]
pub struct JobContext {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    /// This run's number, from 1.
    pub attempt: i32,
    pub state: Arc<AppState>,
    pub clock: SharedClock,
    /// Cancelled when the worker shuts down: a long job may stop early (it will run again).
    pub shutdown: CancellationToken,
    pub(super) worker_id: Arc<str>,
}

impl JobContext {
    /// Saves the job's progress (shown by `GET /v1/jobs`).
    pub async fn set_progress(&self, progress: serde_json::Value) -> Result<(), sea_orm::DbErr> {
        store::set_progress(&self.state.db, self.id, &self.worker_id, progress, self.clock.now_ms()).await
    }
}

type Handler = Arc<dyn Fn(serde_json::Value, JobContext) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// One registered job type.
#[derive(Clone)]
pub struct Entry {
    pub queue: &'static str,
    pub max_attempts: i32,
    pub retry_delay: fn(i32) -> Duration,
    pub(super) handler: Handler,
}

/// The job types a worker can run, by kind.
#[derive(Clone, Default)]
pub struct Registry {
    entries: HashMap<&'static str, Entry>,
}

impl Registry {
    /// Adds a job type.
    pub fn register<J: Job>(&mut self) -> &mut Self {
        let handler: Handler = Arc::new(|payload, ctx| {
            Box::pin(async move {
                let job: J = serde_json::from_value(payload)
                    .map_err(|e| JobError::Fatal(anyhow::anyhow!("the payload does not decode: {e}")))?;
                job.run(ctx).await
            })
        });
        self.entries.insert(
            J::KIND,
            Entry { queue: J::QUEUE, max_attempts: J::MAX_ATTEMPTS, retry_delay: J::retry_delay, handler },
        );
        self
    }

    pub fn get(&self, kind: &str) -> Option<&Entry> {
        self.entries.get(kind)
    }

    /// The queues the registered types use, sorted.
    pub fn queues(&self) -> Vec<&'static str> {
        let mut q: Vec<_> = self.entries.values().map(|e| e.queue).collect();
        q.sort_unstable();
        q.dedup();
        q
    }

    /// The registered kinds of one queue.
    pub fn kinds_of(&self, queue: &str) -> Vec<&'static str> {
        let mut k: Vec<_> = self.entries.iter().filter(|(_, e)| e.queue == queue).map(|(k, _)| *k).collect();
        k.sort_unstable();
        k
    }
}
