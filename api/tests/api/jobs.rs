//! Issue 6: the job engine (through the worker, with a hand-driven clock) and `/v1/jobs`,
//! `/v1/admin/jobs` through HTTP, on SQLite and Postgres.

use std::{
    collections::HashMap,
    sync::{
        Arc, LazyLock, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use campaign_os::{
    platform::jobs::{self, Job, JobContext, JobError, ManualClock, NewJob, Recurring, Registry, WorkerOptions},
    state::AppState,
};
use entities::job;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    admin::operator_token,
    helpers::{TestApp, assert_problem, spawn_app},
};

/// Runs per test key, across every test job type.
static RUNS: LazyLock<Mutex<HashMap<String, u32>>> = LazyLock::new(Default::default);

fn runs(key: &str) -> u32 {
    RUNS.lock().unwrap().get(key).copied().unwrap_or(0)
}

fn count_run(key: &str) -> u32 {
    let mut r = RUNS.lock().unwrap();
    let n = r.entry(key.to_owned()).or_default();
    *n += 1;
    *n
}

fn key() -> String {
    Uuid::now_v7().to_string()
}

/// Fails its first `fail_times` runs.
#[derive(Serialize, Deserialize)]
struct Flaky {
    key: String,
    fail_times: u32,
}

impl Job for Flaky {
    const KIND: &'static str = "test.flaky";
    const QUEUE: &'static str = "test";
    const MAX_ATTEMPTS: i32 = 3;

    fn retry_delay(_attempt: i32) -> Duration {
        Duration::from_secs(10)
    }

    async fn run(self, _ctx: JobContext) -> Result<(), JobError> {
        if count_run(&self.key) <= self.fail_times {
            return Err(anyhow::anyhow!("boom {}", self.key).into());
        }
        Ok(())
    }
}

/// Holds a running slot for a while and records how many ran at once.
#[derive(Serialize, Deserialize)]
struct Slow {
    key: String,
    millis: u64,
}

static AT_ONCE: AtomicUsize = AtomicUsize::new(0);
static MOST_AT_ONCE: AtomicUsize = AtomicUsize::new(0);

impl Job for Slow {
    const KIND: &'static str = "test.slow";
    const QUEUE: &'static str = "test-slow";

    async fn run(self, _ctx: JobContext) -> Result<(), JobError> {
        let now = AT_ONCE.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_AT_ONCE.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        AT_ONCE.fetch_sub(1, Ordering::SeqCst);
        count_run(&self.key);
        Ok(())
    }
}

/// Never finishes on its own.
#[derive(Serialize, Deserialize)]
struct Stuck {
    key: String,
}

impl Job for Stuck {
    const KIND: &'static str = "test.stuck";
    const QUEUE: &'static str = "test-stuck";

    async fn run(self, _ctx: JobContext) -> Result<(), JobError> {
        count_run(&self.key);
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Asks to run later once (as a rate limit would), then succeeds.
#[derive(Serialize, Deserialize)]
struct Snoozy {
    key: String,
}

impl Job for Snoozy {
    const KIND: &'static str = "test.snoozy";
    const QUEUE: &'static str = "test-snooze";
    const MAX_ATTEMPTS: i32 = 1;

    async fn run(self, _ctx: JobContext) -> Result<(), JobError> {
        if count_run(&self.key) == 1 {
            return Err(JobError::Snooze(Duration::from_secs(3)));
        }
        Ok(())
    }
}

/// The recurring test job.
#[derive(Serialize, Deserialize)]
struct Tick {}

const TICK_KEY: &str = "recurring-tick";

impl Job for Tick {
    const KIND: &'static str = "test.tick";
    const QUEUE: &'static str = "test-tick";

    async fn run(self, _ctx: JobContext) -> Result<(), JobError> {
        count_run(TICK_KEY);
        Ok(())
    }
}

fn registry() -> Registry {
    let mut r = Registry::default();
    r.register::<Flaky>().register::<Slow>().register::<Stuck>().register::<Tick>().register::<Snoozy>();
    r
}

fn options(queues: &[&str]) -> WorkerOptions {
    WorkerOptions {
        id: WorkerOptions::default_id(),
        concurrency: HashMap::from([("test-slow".to_owned(), 2)]),
        default_concurrency: 4,
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(30),
        shutdown_grace: Duration::from_millis(200),
        queues: queues.iter().map(|q| (*q).to_owned()).collect(),
        engine_db: None,
    }
}

async fn state(app: &TestApp) -> Arc<AppState> {
    campaign_os::startup::build_state(app.settings.clone()).await.unwrap()
}

fn start(state: &Arc<AppState>, clock: &ManualClock, queues: &[&str], schedules: Vec<Recurring>) -> jobs::WorkerHandle {
    jobs::start(state.clone(), registry(), schedules, Arc::new(clock.clone()), None, options(queues))
}

async fn enqueue(state: &AppState, clock: &ManualClock, job: NewJob) -> Uuid {
    jobs::enqueue(&state.db, jobs::Clock::now_ms(clock), job).await.unwrap().unwrap()
}

async fn row(state: &AppState, id: Uuid) -> job::Model {
    job::Entity::find_by_id(id).one(&state.db).await.unwrap().unwrap()
}

/// Waits (real time) until `check` holds.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const T0: i64 = 1_900_000_000_000;

#[tokio::test]
async fn a_job_runs_at_its_time_and_not_before() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let id =
        enqueue(&state, &clock, NewJob::of(&Flaky { key: k.clone(), fail_times: 0 }).unwrap().run_at(T0 + 5000)).await;
    let worker = start(&state, &clock, &["test"], vec![]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs(&k), 0, "not due yet");
    clock.advance(Duration::from_millis(4900));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs(&k), 0, "100 ms early");
    clock.advance(Duration::from_millis(100));
    until("it ran", async || runs(&k) == 1).await;
    until("it is saved as succeeded", async || row(&state, id).await.status == "succeeded").await;
    let done = row(&state, id).await;
    assert_eq!(done.attempts, 1);
    assert_eq!(done.finished_at, Some(T0 + 5000));
    worker.shutdown().await;
}

#[tokio::test]
async fn failed_runs_are_retried_after_their_delay_then_kept_dead_for_operators() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let id = enqueue(&state, &clock, NewJob::of(&Flaky { key: k.clone(), fail_times: 3 }).unwrap()).await;
    let worker = start(&state, &clock, &["test"], vec![]);
    until("the first run failed", async || runs(&k) == 1 && row(&state, id).await.status == "pending").await;
    let failed = row(&state, id).await;
    assert_eq!((failed.attempts, failed.run_at), (1, T0 + 10_000), "retried after the type's delay");
    assert!(failed.last_error.as_deref().unwrap().contains("boom"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs(&k), 1, "not before the delay");
    clock.advance(Duration::from_secs(10));
    until("the second run failed", async || runs(&k) == 2 && row(&state, id).await.status == "pending").await;
    clock.advance(Duration::from_secs(10));
    until("the third run left it dead", async || row(&state, id).await.status == "dead").await;
    assert_eq!(row(&state, id).await.attempts, 3);
    worker.shutdown().await;

    // Operators see it, retry it (attempts start over), and it succeeds on its fourth run.
    let op = operator_token(&app).await;
    let job_id = campaign_os::platform::ids::JobId::from_uuid(id).to_string();
    let dead: Value = app.get("/v1/admin/jobs", Some(&op)).await.json().await.unwrap();
    let listed = dead["data"].as_array().unwrap().iter().find(|j| j["id"] == job_id).expect("listed as dead");
    assert_eq!(listed["state"], "dead");
    assert_eq!(listed["status"], "failed");
    assert_eq!(listed["queue"], "test");
    assert!(listed["last_error"].as_str().unwrap().contains("boom"));
    let res = app.post_json(&format!("/v1/admin/jobs/{job_id}/retry"), Some(&op), &json!({})).await;
    assert_eq!(res.status(), 200);
    let retried: Value = res.json().await.unwrap();
    assert_eq!((retried["state"].as_str(), retried["attempts"].as_i64()), (Some("pending"), Some(0)));
    assert_problem(
        app.post_json(&format!("/v1/admin/jobs/{job_id}/retry"), Some(&op), &json!({})).await,
        409,
        "job_not_dead",
    )
    .await;
    let worker = start(&state, &clock, &["test"], vec![]);
    until("the retried job succeeded", async || row(&state, id).await.status == "succeeded").await;
    assert_eq!(runs(&k), 4);
    worker.shutdown().await;
    assert_problem(app.delete(&format!("/v1/admin/jobs/{job_id}"), Some(&op)).await, 409, "job_not_dead").await;

    // A dead job can be discarded; non-operators do not see the routes at all.
    let k2 = key();
    let id2 = enqueue(&state, &clock, NewJob::of(&Flaky { key: k2.clone(), fail_times: 9 }).unwrap()).await;
    job::Entity::update_many()
        .col_expr(job::Column::Status, sea_orm::sea_query::Expr::value("dead"))
        .filter(job::Column::Id.eq(id2))
        .exec(&state.db)
        .await
        .unwrap();
    let job2 = campaign_os::platform::ids::JobId::from_uuid(id2).to_string();
    let tenant = app.signup().await;
    assert_problem(app.get("/v1/admin/jobs", Some(&tenant.access_token)).await, 404, "not_found").await;
    assert_problem(app.delete(&format!("/v1/admin/jobs/{job2}"), Some(&tenant.access_token)).await, 404, "not_found")
        .await;
    assert_eq!(app.delete(&format!("/v1/admin/jobs/{job2}"), Some(&op)).await.status(), 204);
    assert!(job::Entity::find_by_id(id2).one(&state.db).await.unwrap().is_none());
    assert_problem(app.delete(&format!("/v1/admin/jobs/{job2}"), Some(&op)).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_snoozed_run_waits_and_is_not_an_attempt() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let id = enqueue(&state, &clock, NewJob::of(&Snoozy { key: k.clone() }).unwrap()).await;
    let worker = start(&state, &clock, &["test-snooze"], vec![]);
    until("it snoozed", async || runs(&k) == 1 && row(&state, id).await.status == "pending").await;
    let snoozed = row(&state, id).await;
    assert_eq!((snoozed.attempts, snoozed.run_at), (0, T0 + 3000));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs(&k), 1);
    clock.advance(Duration::from_secs(3));
    until("it ran again and succeeded", async || row(&state, id).await.status == "succeeded").await;
    assert_eq!(row(&state, id).await.attempts, 1, "one attempt although MAX_ATTEMPTS is 1 and it ran twice");
    worker.shutdown().await;
}

#[tokio::test]
async fn a_unique_key_is_held_while_the_job_is_pending_or_running() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let job = || NewJob::of(&Flaky { key: k.clone(), fail_times: 0 }).unwrap().unique("the-key");
    let first = jobs::enqueue(&state.db, T0, job()).await.unwrap();
    assert!(first.is_some());
    assert_eq!(jobs::enqueue(&state.db, T0, job()).await.unwrap(), None, "a no-op while pending");
    let many = jobs::enqueue_many(&state.db, T0, vec![job(), job()]).await.unwrap();
    assert_eq!(many, 0);
    let worker = start(&state, &clock, &["test"], vec![]);
    until("it ran", async || row(&state, first.unwrap()).await.status == "succeeded").await;
    worker.shutdown().await;
    assert!(jobs::enqueue(&state.db, T0, job()).await.unwrap().is_some(), "free again once the job ended");
    assert_eq!(runs(&k), 1);
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_does_not_exist() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let k = key();
    let txn = state.db.begin().await.unwrap();
    jobs::enqueue(&txn, T0, NewJob::of(&Flaky { key: k.clone(), fail_times: 0 }).unwrap()).await.unwrap().unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(job::Entity::find().filter(job::Column::Kind.eq("test.flaky")).count(&state.db).await.unwrap(), 0);
    // And 100,000 jobs in one transaction commit together.
    let txn = state.db.begin().await.unwrap();
    let batch: Vec<NewJob> =
        (0..100_000).map(|_| NewJob::of(&Flaky { key: k.clone(), fail_times: 0 }).unwrap().run_at(i64::MAX)).collect();
    assert_eq!(jobs::enqueue_many(&txn, T0, batch).await.unwrap(), 100_000);
    txn.commit().await.unwrap();
    assert_eq!(job::Entity::find().filter(job::Column::Kind.eq("test.flaky")).count(&state.db).await.unwrap(), 100_000);
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again_after_its_lease() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let id = enqueue(&state, &clock, NewJob::of(&Flaky { key: k.clone(), fail_times: 0 }).unwrap()).await;
    // Another worker leased it until T0 + 60 s and then died.
    let claimed = jobs::store::claim(&state.db, "test", &["test.flaky"], "ghost", T0, 60_000, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let worker = start(&state, &clock, &["test"], vec![]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(runs(&k), 0, "not while the lease holds");
    clock.advance(Duration::from_secs(61));
    until("taken back and run", async || row(&state, id).await.status == "succeeded").await;
    let done = row(&state, id).await;
    assert_eq!(done.attempts, 2);
    assert_eq!(runs(&k), 1);
    // The dead worker's late outcome cannot overwrite the newer run's.
    assert!(!jobs::store::fail(&state.db, id, "ghost", T0, "late", None).await.unwrap());
    assert_eq!(row(&state, id).await.status, "succeeded");
    worker.shutdown().await;
}

#[tokio::test]
async fn shutdown_gives_unfinished_jobs_back_to_the_queue() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let id = enqueue(&state, &clock, NewJob::of(&Stuck { key: k.clone() }).unwrap()).await;
    let worker = start(&state, &clock, &["test-stuck"], vec![]);
    until("it runs", async || runs(&k) == 1).await;
    assert_eq!(row(&state, id).await.status, "running");
    worker.shutdown().await;
    let back = row(&state, id).await;
    assert_eq!(back.status, "pending");
    assert_eq!(back.attempts, 0, "an interrupted run is not an attempt");
    assert_eq!(back.locked_by, None);
}

#[tokio::test]
async fn a_queue_runs_no_more_jobs_at_once_than_its_concurrency() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let k = key();
    let batch = (0..6).map(|_| NewJob::of(&Slow { key: k.clone(), millis: 150 }).unwrap()).collect();
    jobs::enqueue_many(&state.db, T0, batch).await.unwrap();
    let worker = start(&state, &clock, &["test-slow"], vec![]);
    until("all ran", async || runs(&k) == 6).await;
    assert_eq!(MOST_AT_ONCE.load(Ordering::SeqCst), 2);
    worker.shutdown().await;
}

#[tokio::test]
async fn a_recurring_job_runs_once_per_tick_with_two_workers() {
    let app = spawn_app().await;
    let state = state(&app).await;
    let clock = ManualClock::new(T0);
    let every_second =
        || vec![Recurring { name: "test.tick", cron: "* * * * * *".into(), job: || NewJob::of(&Tick {}) }];
    let a = start(&state, &clock, &["test-tick"], every_second());
    let b = start(&state, &clock, &["test-tick"], every_second());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(runs(TICK_KEY), 0, "the first tick is after the start");
    for tick in 1..=3 {
        clock.advance(Duration::from_secs(1));
        until("the tick ran", async || runs(TICK_KEY) >= tick).await;
        // Both workers look at least once more before the clock moves again.
        tokio::time::sleep(Duration::from_millis(1300)).await;
        assert_eq!(runs(TICK_KEY), tick, "tick {tick} ran once");
    }
    assert_eq!(job::Entity::find().filter(job::Column::Kind.eq("test.tick")).count(&state.db).await.unwrap(), 3);
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn organisations_see_their_own_background_operations() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let res = app.post_json("/v1/exports", Some(t), &json!({"format": "csv"})).await;
    assert_eq!(res.status(), 202);
    let export_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let mut listed = Value::Null;
    until("the export job succeeded", async || {
        listed = app.get("/v1/jobs", Some(t)).await.json().await.unwrap();
        listed["data"][0]["status"] == "succeeded"
    })
    .await;
    let job = &listed["data"][0];
    assert!(job["id"].as_str().unwrap().starts_with("job_"));
    assert_eq!(job["type"], "crm.export");
    assert_eq!(job["resource"], json!({"type": "export", "id": export_id}));
    assert_eq!(job["attempts"], 1);
    assert!(job["finished_at"].is_string());
    // Its outcome is an event, written once.
    let events: Value = app.get("/v1/events?type=export.completed", Some(t)).await.json().await.unwrap();
    assert_eq!(events["data"].as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events["data"][0]["data"]["id"], export_id);
    assert_eq!(events["data"][0]["data"]["status"], "completed");
    let id = job["id"].as_str().unwrap();
    let one: Value = app.get(&format!("/v1/jobs/{id}"), Some(t)).await.json().await.unwrap();
    assert_eq!(&one, job);
    // Filters.
    let none: Value = app.get("/v1/jobs?status=failed", Some(t)).await.json().await.unwrap();
    assert_eq!(none["data"], json!([]));
    let some: Value = app.get("/v1/jobs?status=succeeded&type=crm.export", Some(t)).await.json().await.unwrap();
    assert_eq!(some["data"].as_array().unwrap().len(), 1);
    assert_problem(app.get("/v1/jobs?status=sleeping", Some(t)).await, 400, "invalid_query").await;
    // Another organisation sees nothing of it.
    let other = app.signup().await;
    assert_problem(app.get(&format!("/v1/jobs/{id}"), Some(&other.access_token)).await, 404, "not_found").await;
    let theirs: Value = app.get("/v1/jobs", Some(&other.access_token)).await.json().await.unwrap();
    assert_eq!(theirs["data"], json!([]));
    // An API key without `jobs:read` is refused.
    let res = app.post_json("/v1/api-keys", Some(t), &json!({"name": "ci", "scopes": ["contacts:read"]})).await;
    assert_eq!(res.status(), 201);
    let key = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    assert_problem(app.get("/v1/jobs", Some(&key)).await, 403, "insufficient_scope").await;
    // The queue shows in the metrics.
    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    assert!(metrics.contains("cos_jobs_finished_total{kind=\"crm.export\",outcome=\"succeeded\"}"), "{metrics}");
    assert!(metrics.contains("cos_job_duration_seconds_bucket{kind=\"crm.export\""));
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves none behind.
struct Process(std::process::Child);

impl Process {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `campaign-os worker` on the app's database, running only the diagnostic queue.
fn worker_process(app: &TestApp) -> Process {
    worker_process_with(app, &[])
}

fn worker_process_with(app: &TestApp, extra: &[&str]) -> Process {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_campaign-os"))
        .current_dir(&app.settings.data_dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COS_DATABASE_URL", &app.settings.database_url)
        .env("COS_DATA_DIR", &app.settings.data_dir)
        .env("COS_JWT_SECRET", "test-secret-test-secret-test-secret-0123")
        .env("COS_DIAGNOSTIC_JOBS", "true")
        .env("COS_JOB_LEASE_SECS", "5")
        .env("COS_JOB_CONCURRENCY", "diag=8")
        .env("COS_LOG_LEVEL", "warn")
        .args(["worker", "--queues", "diag"])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    Process(child)
}

#[tokio::test]
async fn a_worker_killed_mid_run_loses_no_job_and_repeats_no_effect() {
    use campaign_os::jobs::diagnostic::Receipt;
    use entities::job_receipt;
    use sea_orm::{
        QuerySelect,
        sea_query::{Expr, ExprTrait},
    };
    const JOBS: usize = 10_000;
    let app = crate::helpers::spawn_app_with(|s| s.worker_embedded = false).await;
    let db = app.db().await;
    let batch = (0..JOBS).map(|i| NewJob::of(&Receipt { key: format!("r{i}") }).unwrap()).collect();
    assert_eq!(
        jobs::enqueue_many(&db, jobs::Clock::now_ms(&jobs::clock::SystemClock), batch).await.unwrap(),
        JOBS as u64
    );
    let receipts = async || job_receipt::Entity::find().count(&db).await.unwrap();

    // Kill the worker with SIGKILL once it is well into the queue.
    let mut first = worker_process(&app);
    let deadline = Instant::now() + Duration::from_secs(120);
    while receipts().await < 1_000 {
        assert!(Instant::now() < deadline, "the first worker did not get under way");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill();
    let at_kill = receipts().await;
    assert!(at_kill < JOBS as u64, "killed before the end ({at_kill} done)");
    let running = job::Entity::find()
        .filter(job::Column::Kind.eq("diag.receipt"))
        .filter(job::Column::Status.eq("running"))
        .count(&db)
        .await
        .unwrap();

    // A new worker takes back the dead one's jobs once their leases run out, and finishes.
    let mut second = worker_process(&app);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = job::Entity::find()
            .filter(job::Column::Kind.eq("diag.receipt"))
            .filter(job::Column::Status.eq("succeeded"))
            .count(&db)
            .await
            .unwrap();
        if done == JOBS as u64 {
            break;
        }
        assert!(Instant::now() < deadline, "only {done} of {JOBS} jobs succeeded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill();

    // Every job's effect happened exactly once: one receipt per key; a handler ran twice at
    // most for the jobs that were in flight when the first worker died.
    assert_eq!(receipts().await, JOBS as u64, "no job lost");
    let total: Option<i64> = job_receipt::Entity::find()
        .select_only()
        .column_as(Expr::col(job_receipt::Column::Runs).sum(), "total")
        .into_tuple()
        .one(&db)
        .await
        .unwrap()
        .flatten();
    let repeated = total.unwrap() - JOBS as i64;
    assert!(
        (0..=i64::try_from(running).unwrap()).contains(&repeated),
        "{repeated} handler runs were repeats; {running} jobs were in flight at the kill"
    );
    // (Only the diagnostic jobs: a recurring job's tick may have enqueued a sweep meanwhile.)
    let unfinished = job::Entity::find()
        .filter(job::Column::Kind.eq("diag.receipt"))
        .filter(job::Column::Status.ne("succeeded"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(unfinished, 0);
}

#[tokio::test]
async fn a_standalone_worker_serves_its_metrics() {
    use campaign_os::jobs::diagnostic::Receipt;
    let app = crate::helpers::spawn_app_with(|s| s.worker_embedded = false).await;
    let db = app.db().await;
    let mut batch: Vec<NewJob> = (0..20).map(|i| NewJob::of(&Receipt { key: format!("m{i}") }).unwrap()).collect();
    // One not due for a long time, to show in the queue depth.
    batch.push(NewJob::of(&Receipt { key: "later".into() }).unwrap().run_at(i64::MAX));
    jobs::enqueue_many(&db, jobs::Clock::now_ms(&jobs::clock::SystemClock), batch).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let _worker = worker_process_with(&app, &["--metrics-bind", &bind]);
    let url = format!("http://{bind}/metrics");
    let mut text = String::new();
    until("the worker reports 20 runs", async || {
        text = match app.client.get(&url).send().await {
            Ok(res) => res.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        text.contains("cos_jobs_finished_total{kind=\"diag.receipt\",outcome=\"succeeded\"} 20")
    })
    .await;
    assert!(text.contains("cos_job_duration_seconds_count{kind=\"diag.receipt\"} 20"), "{text}");
    assert!(text.contains("cos_job_queue_depth{queue=\"diag\",status=\"pending\"} 1"), "{text}");
}
