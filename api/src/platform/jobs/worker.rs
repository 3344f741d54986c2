//! The worker: per queue, a loop that leases due jobs (up to the queue's free concurrency, in one
//! statement) and runs each on its own task; beside them, a flusher that saves successes in
//! batches (one statement for all the jobs that succeeded since its last pass), a heartbeat
//! renewing the leases of running jobs, and a housekeeping tick (once a second) that takes back
//! jobs of dead workers and enqueues recurring jobs. Shutdown stops the claiming, waits for
//! running jobs up to a grace period, saves the successes, then gives the rest back to the queue.

use std::{
    collections::{HashMap, HashSet},
    panic::AssertUnwindSafe,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use entities::job;
use futures_util::FutureExt;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, Semaphore};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use uuid::Uuid;

use super::{
    clock::SharedClock,
    job::{JobContext, JobError, Registry},
    schedule::{self, Recurring},
    store,
};
use crate::{platform::metrics::Metrics, state::AppState};

/// How long a busy queue waits for more free slots before it claims (see `queue_loop`).
const BATCH_WAIT: Duration = Duration::from_millis(5);

/// Wakes idle queue loops in this process (after enqueueing work that should start at once).
static WAKE: Notify = Notify::const_new();

/// Tells this process's workers that new jobs may be due now (call after the commit).
pub fn wake() {
    WAKE.notify_waiters();
}

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Names this worker in leases (`locked_by`).
    pub id: String,
    /// Jobs run at once, per queue; queues not listed get `default_concurrency`.
    pub concurrency: HashMap<String, usize>,
    pub default_concurrency: usize,
    /// How long an idle queue waits before looking again.
    pub poll_interval: Duration,
    /// A running job's lease; renewed every third of it while the worker lives.
    pub lease: Duration,
    /// How long shutdown waits for running jobs before giving them back.
    pub shutdown_grace: Duration,
    /// Only these queues (all of the registry's when empty).
    pub queues: Vec<String>,
    /// The connection for the engine's own statements (claims, outcomes, leases); the state's
    /// pool when `None`. On Postgres, `db::connect_for_jobs` gives one without synchronous
    /// commit (see there).
    pub engine_db: Option<DatabaseConnection>,
}

impl WorkerOptions {
    /// A worker id unique to this process: host name, pid and a random suffix.
    pub fn default_id() -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        let host: String = host.chars().take(30).collect();
        format!("{host}-{}-{}", std::process::id(), crate::platform::crypto::random_alphanumeric(6))
    }
}

/// A running worker.
pub struct WorkerHandle {
    cancel: CancellationToken,
    done: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops claiming, lets running jobs finish (up to the grace period) and gives the others back.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.done.await;
    }
}

struct Shared {
    db: DatabaseConnection,
    state: Arc<AppState>,
    registry: Registry,
    clock: SharedClock,
    metrics: Option<Metrics>,
    worker_id: Arc<str>,
    lease_ms: i64,
    running: Mutex<HashSet<Uuid>>,
    /// Succeeded runs not saved yet (the flusher saves them).
    succeeded: Mutex<Vec<Uuid>>,
    flush: Notify,
    cancel: CancellationToken,
    tasks: TaskTracker,
}

impl Shared {
    fn running_ids(&self) -> Vec<Uuid> {
        self.running.lock().map(|r| r.iter().copied().collect()).unwrap_or_default()
    }
}

/// Starts a worker on the current runtime.
pub fn start(
    state: Arc<AppState>,
    registry: Registry,
    schedules: Vec<Recurring>,
    clock: SharedClock,
    metrics: Option<Metrics>,
    options: WorkerOptions,
) -> WorkerHandle {
    let cancel = CancellationToken::new();
    let shared = Arc::new(Shared {
        db: options.engine_db.clone().unwrap_or_else(|| state.db.clone()),
        state,
        registry,
        clock,
        metrics,
        worker_id: Arc::from(options.id.as_str()),
        lease_ms: i64::try_from(options.lease.as_millis()).unwrap_or(i64::MAX).max(1000),
        running: Mutex::new(HashSet::new()),
        succeeded: Mutex::new(Vec::new()),
        flush: Notify::new(),
        cancel: cancel.clone(),
        tasks: TaskTracker::new(),
    });
    let done = tokio::spawn(run(shared, schedules, options));
    WorkerHandle { cancel, done }
}

async fn run(shared: Arc<Shared>, schedules: Vec<Recurring>, options: WorkerOptions) {
    let mut loops = Vec::new();
    let queues: Vec<&'static str> = shared
        .registry
        .queues()
        .into_iter()
        .filter(|q| options.queues.is_empty() || options.queues.iter().any(|o| o == q))
        .collect();
    tracing::info!(worker = %shared.worker_id, queues = ?queues, "job worker started");
    for queue in queues {
        let n = options.concurrency.get(queue).copied().unwrap_or(options.default_concurrency).max(1);
        loops.push(tokio::spawn(queue_loop(shared.clone(), queue, n, options.poll_interval)));
    }
    let keeper = tokio::spawn(housekeeping(shared.clone(), schedules));
    let heart = tokio::spawn(heartbeat(shared.clone()));
    let flusher = tokio::spawn(flush_loop(shared.clone()));
    shared.cancel.cancelled().await;
    for l in loops {
        let _ = l.await;
    }
    shared.tasks.close();
    let finished = tokio::time::timeout(options.shutdown_grace, shared.tasks.wait()).await.is_ok();
    flusher.abort();
    flush_succeeded(&shared).await;
    if !finished {
        let ids = shared.running_ids();
        match store::release(&shared.db, &ids, &shared.worker_id, shared.clock.now_ms()).await {
            Ok(n) => tracing::warn!(worker = %shared.worker_id, released = n, "shutdown: gave unfinished jobs back"),
            Err(e) => tracing::error!(error = %e, "shutdown: could not give unfinished jobs back"),
        }
    }
    keeper.abort();
    heart.abort();
    tracing::info!(worker = %shared.worker_id, "job worker stopped");
}

async fn queue_loop(shared: Arc<Shared>, queue: &'static str, concurrency: usize, poll: Duration) {
    let permits = Arc::new(Semaphore::new(concurrency));
    let kinds = shared.registry.kinds_of(queue);
    // While the queue is busy, claim in batches of at least a quarter of the slots (waiting up
    // to BATCH_WAIT for them to free up) rather than one statement per finished job.
    let batch = concurrency.div_ceil(4).max(1);
    let mut busy = false;
    loop {
        let first = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            () = shared.cancel.cancelled() => return,
        };
        let mut held = vec![first];
        let gather_until = tokio::time::Instant::now() + BATCH_WAIT;
        loop {
            while let Ok(p) = permits.clone().try_acquire_owned() {
                held.push(p);
            }
            if !busy || held.len() >= batch {
                break;
            }
            match tokio::time::timeout_at(gather_until, permits.clone().acquire_owned()).await {
                Ok(Ok(p)) => held.push(p),
                _ => break,
            }
        }
        // Register for a wake-up before looking, so a wake between the look and the wait is kept.
        let woken = WAKE.notified();
        let now = shared.clock.now_ms();
        let limit = u64::try_from(held.len()).unwrap_or(1);
        let claimed =
            match store::claim(&shared.db, queue, &kinds, &shared.worker_id, now, shared.lease_ms, limit).await {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::warn!(queue, error = %e, "claiming jobs failed");
                    Vec::new()
                }
            };
        let idle = claimed.is_empty();
        busy = claimed.len() == held.len();
        for job in claimed {
            let Some(permit) = held.pop() else { break };
            if let Ok(mut r) = shared.running.lock() {
                r.insert(job.id);
            }
            let shared2 = shared.clone();
            shared.tasks.spawn(async move {
                execute(&shared2, job).await;
                drop(permit);
            });
        }
        drop(held);
        if idle {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = woken => {}
                () = shared.cancel.cancelled() => return,
            }
        }
    }
}

async fn execute(shared: &Shared, job: job::Model) {
    let started = Instant::now();
    let id = job.id;
    let entry = shared.registry.get(&job.kind).cloned();
    let outcome = match &entry {
        None => Err(JobError::Fatal(anyhow::anyhow!("no handler for job type {}", job.kind))),
        Some(entry) => {
            let ctx = JobContext {
                id,
                tenant_id: job.tenant_id,
                attempt: job.attempts,
                state: shared.state.clone(),
                clock: shared.clock.clone(),
                shutdown: shared.cancel.child_token(),
                worker_id: shared.worker_id.clone(),
            };
            let run = (entry.handler)(job.payload.clone(), ctx);
            match AssertUnwindSafe(run).catch_unwind().await {
                Ok(result) => result,
                Err(_) => Err(JobError::Retry(anyhow::anyhow!("the job's handler panicked"))),
            }
        }
    };
    let now = shared.clock.now_ms();
    if let Some(m) = &shared.metrics {
        let label = match &outcome {
            Ok(()) => "succeeded",
            Err(JobError::Retry(_))
                if entry.as_ref().is_some_and(|e| job.attempts < e.max_attempts.min(job.max_attempts)) =>
            {
                "retried"
            }
            Err(_) => "dead",
        };
        m.job_finished(&job.kind, label, started.elapsed().as_secs_f64());
    }
    let saved = match outcome {
        Ok(()) => {
            // Saved in a batch by the flusher, which then ends the job's lease renewal.
            if let Ok(mut s) = shared.succeeded.lock() {
                s.push(id);
            }
            shared.flush.notify_one();
            return;
        }
        Err(JobError::Snooze(delay)) => {
            let at = now + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
            store::snooze(&shared.db, id, &shared.worker_id, now, at).await
        }
        Err(err) => {
            let (retryable, cause) = match err {
                JobError::Retry(e) => (true, e),
                JobError::Fatal(e) => (false, e),
                JobError::Snooze(_) => (true, anyhow::anyhow!("snoozed")),
            };
            let retry_at = entry
                .as_ref()
                .filter(|e| retryable && job.attempts < e.max_attempts.min(job.max_attempts))
                .map(|e| now + i64::try_from((e.retry_delay)(job.attempts).as_millis()).unwrap_or(i64::MAX / 2));
            let label = if retry_at.is_some() { "retried" } else { "dead" };
            tracing::warn!(job_id = %id, kind = %job.kind, attempt = job.attempts, outcome = label, error = ?cause, "job run failed");
            store::fail(&shared.db, id, &shared.worker_id, now, &format!("{cause:#}"), retry_at).await
        }
    };
    match saved {
        Ok(true) => {}
        Ok(false) => tracing::warn!(job_id = %id, "the job's lease was lost before its outcome was saved"),
        Err(e) => tracing::error!(job_id = %id, error = %e, "saving a job's outcome failed"),
    }
    if let Ok(mut r) = shared.running.lock() {
        r.remove(&id);
    }
}

/// Saves the successes gathered since the last pass, in one statement.
async fn flush_succeeded(shared: &Shared) {
    let ids = shared.succeeded.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default();
    if ids.is_empty() {
        return;
    }
    let now = shared.clock.now_ms();
    match store::succeed_many(&shared.db, &ids, &shared.worker_id, now).await {
        Ok(n) if n < ids.len() as u64 => {
            tracing::warn!(lost = ids.len() as u64 - n, "some jobs' leases were lost before their success was saved");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, jobs = ids.len(), "saving job successes failed (they will run again)"),
    }
    if let Ok(mut r) = shared.running.lock() {
        for id in &ids {
            r.remove(id);
        }
    }
}

async fn flush_loop(shared: Arc<Shared>) {
    loop {
        shared.flush.notified().await;
        // Let the runs finishing at about the same time join this batch.
        tokio::time::sleep(Duration::from_millis(2)).await;
        flush_succeeded(&shared).await;
    }
}

/// Renews the leases of running jobs every third of the lease.
async fn heartbeat(shared: Arc<Shared>) {
    let every = Duration::from_millis(u64::try_from(shared.lease_ms / 3).unwrap_or(1000).max(100));
    loop {
        tokio::time::sleep(every).await;
        let ids = shared.running_ids();
        let until = shared.clock.now_ms() + shared.lease_ms;
        if let Err(e) = store::extend(&shared.db, &ids, &shared.worker_id, until).await {
            tracing::warn!(error = %e, "renewing job leases failed");
        }
    }
}

/// Once a second: takes back jobs whose worker died, and enqueues due recurring jobs.
async fn housekeeping(shared: Arc<Shared>, schedules: Vec<Recurring>) {
    if let Err(e) = schedule::register(&shared.db, &schedules, shared.clock.now_ms()).await {
        tracing::error!(error = %e, "registering recurring jobs failed");
    }
    loop {
        let now = shared.clock.now_ms();
        match store::reap(&shared.db, now).await {
            Ok((0, 0)) => {}
            Ok((pending, dead)) => tracing::warn!(pending, dead, "took back jobs whose worker stopped"),
            Err(e) => tracing::warn!(error = %e, "reaping expired job leases failed"),
        }
        match schedule::tick(&shared.db, &schedules, now).await {
            Ok(0) => {}
            Ok(_) => wake(),
            Err(e) => tracing::warn!(error = %e, "enqueueing recurring jobs failed"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
