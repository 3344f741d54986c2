//! Issue 6 (part 4): outbound webhook delivery through HTTP and the worker, against a real
//! receiver on 127.0.0.1, on SQLite and Postgres: Standard Webhooks headers and signatures
//! (two during a rotation), event filters, nothing sent for a failed or rolled-back write, the
//! retry schedule (driven by a hand-moved clock), `410 Gone`, auto-disable after the failure
//! window (and its reset by a success), the SSRF check at delivery time, per-endpoint rate
//! limits, replay, replay of failed messages, test sends, the attempts log, the event-type
//! catalogue, scopes, and 404 for another organisation on every new route.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::{Duration, Instant},
};

use campaign_os::{
    config::Settings,
    events::{self, Event, dto::WebhookEndpointDisabledData},
    platform::{
        ids::{TenantId, WebhookEndpointId},
        jobs::{self, ManualClock, WorkerHandle, WorkerOptions},
    },
    state::AppState,
    webhooks::{
        DisabledReason,
        signature::{self, EndpointSecret},
    },
};
use chrono::{DateTime, Utc};
use entities::{job, webhook_endpoint, webhook_message};
use reqwest::Response;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::{
    helpers::{TestApp, assert_problem, spawn_app_with, unique_email},
    organizations::join,
};

const ENDPOINTS: &str = "/v1/webhooks/endpoints";
const MESSAGES: &str = "/v1/webhooks/messages";
const DELIVER: &str = "webhooks.deliver";
/// The hand-driven clock's start (later than any real "now", so jobs enqueued by requests are
/// due at once).
const T0: i64 = 1_900_000_000_000;

// ---------------------------------------------------------------------------------------------
// A receiver: a small HTTP/1.1 server that records every request and answers a chosen status.

#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Checks the Standard Webhooks signature with `secret`, as a receiver would.
    fn verify(&self, secret: &str) -> Result<(), signature::VerifyError> {
        let secret = EndpointSecret::parse(secret).unwrap();
        signature::verify(
            &secret,
            self.header("webhook-id"),
            self.header("webhook-timestamp"),
            self.header("webhook-signature"),
            &self.body,
            Utc::now().timestamp(),
            300,
        )
    }
}

#[derive(Clone)]
struct Receiver {
    url: String,
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start(status: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(status));
        let (g, s) = (got.clone(), status.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, g.clone(), s.clone()));
            }
        });
        Self { url: format!("http://127.0.0.1:{port}/hooks"), port, got, status }
    }

    fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    async fn wait(&self, n: usize) -> Vec<Received> {
        until(&format!("{n} requests reached the receiver"), async || {
            let got = self.received();
            (got.len() >= n).then_some(got)
        })
        .await
    }
}

async fn serve(mut socket: TcpStream, got: Arc<Mutex<Vec<Received>>>, status: Arc<AtomicU16>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let headers: HashMap<String, String> = head
            .split("\r\n")
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while buf.len() < head_end + len {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + len].to_vec();
        buf.drain(..head_end + len);
        let code = status.load(Ordering::SeqCst);
        got.lock().unwrap().push(Received { headers, body });
        let text = format!("status {code}");
        let response = format!(
            "HTTP/1.1 {code} Whatever\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Waits (real time, up to 20 s) until `check` gives a value.
async fn until<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Development settings: http and the loopback network allowed.
fn dev(s: &mut Settings) {
    s.webhook_allow_http = true;
    s.webhook_allowed_networks = "127.0.0.0/8".into();
}

/// An app whose embedded worker delivers on the real clock.
async fn app() -> TestApp {
    spawn_app_with(dev).await
}

/// An app without an embedded worker, and a worker of the `webhooks` queue on a hand-driven
/// clock (starting at `T0`).
async fn app_with_manual_clock(
    customise: impl FnOnce(&mut Settings),
) -> (TestApp, Arc<AppState>, ManualClock, WorkerHandle) {
    let app = spawn_app_with(|s| {
        dev(s);
        s.worker_embedded = false;
        customise(s);
    })
    .await;
    let state = campaign_os::startup::build_state(app.settings.clone()).await.unwrap();
    let clock = ManualClock::new(T0);
    let options = WorkerOptions {
        id: WorkerOptions::default_id(),
        concurrency: HashMap::new(),
        default_concurrency: 4,
        poll_interval: Duration::from_millis(20),
        lease: Duration::from_secs(30),
        shutdown_grace: Duration::from_millis(200),
        queues: vec!["webhooks".to_owned()],
        engine_db: None,
    };
    let registry = campaign_os::jobs::registry::all(false);
    let worker = jobs::start(state.clone(), registry, vec![], Arc::new(clock.clone()), None, options);
    (app, state, clock, worker)
}

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    json_of(app.get(path, Some(token)).await, 200).await
}

/// Creates an endpoint delivering to `rx` (plus the fields of `extra`); returns its id and
/// secret.
async fn endpoint(app: &TestApp, token: &str, rx: &Receiver, extra: Value) -> (String, String) {
    let mut body = json!({"url": rx.url});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let ep = json_of(app.post_json(ENDPOINTS, Some(token), &body).await, 201).await;
    let id = ep["id"].as_str().unwrap().to_owned();
    let secret = get(app, &format!("{ENDPOINTS}/{id}/secret"), token).await["key"].as_str().unwrap().to_owned();
    (id, secret)
}

async fn contact(app: &TestApp, token: &str) -> Value {
    json_of(app.post_json("/v1/contacts", Some(token), &json!({"email": unique_email()})).await, 201).await
}

async fn attempts(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    get(app, path, token).await["data"].as_array().unwrap().clone()
}

/// Waits until the list at `path` holds `n` attempts.
async fn wait_attempts(app: &TestApp, token: &str, path: &str, n: usize) -> Vec<Value> {
    until(&format!("{n} attempts at {path}"), async || {
        let list = attempts(app, token, path).await;
        (list.len() >= n).then_some(list)
    })
    .await
}

/// Every delivery job, oldest first.
async fn delivery_jobs(state: &AppState) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(DELIVER))
        .order_by_asc(job::Column::CreatedAt)
        .order_by_asc(job::Column::Id)
        .all(&state.db)
        .await
        .unwrap()
}

/// Waits until the delivery job `id` is in `status` after `attempts` runs.
async fn wait_job(state: &AppState, id: uuid::Uuid, status: &str, attempts: i32) -> job::Model {
    until(&format!("job {id} is {status} after {attempts} runs"), async || {
        let row = job::Entity::find_by_id(id).one(&state.db).await.unwrap().unwrap();
        (row.status == status && row.attempts == attempts).then_some(row)
    })
    .await
}

fn millis(v: &Value) -> i64 {
    DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().timestamp_millis()
}

/// Lets the worker run for a moment (to show that nothing more happens).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[tokio::test]
async fn a_new_contact_reaches_the_receiver_signed_per_standard_webhooks() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(200).await;
    let (ep, secret) = endpoint(&app, t, &rx, json!({})).await;
    let created = contact(&app, t).await;

    let got = rx.wait(1).await;
    let r = &got[0];
    let msg_id = r.header("webhook-id").to_owned();
    assert!(msg_id.starts_with("msg_"), "{msg_id}");
    let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
    assert!((Utc::now().timestamp() - ts).abs() < 60, "{ts}");
    assert_eq!(r.header("content-type"), "application/json");
    assert!(r.header("user-agent").starts_with("CampaignOS-Webhooks/"), "{}", r.header("user-agent"));
    let sig = r.header("webhook-signature");
    assert!(sig.starts_with("v1,") && !sig.contains(' '), "one signature: {sig}");
    r.verify(&secret).unwrap();
    let stranger = EndpointSecret::generate().expose();
    assert_eq!(r.verify(&stranger), Err(signature::VerifyError::NoMatch));

    // The Standard Webhooks payload: type, timestamp, data (the contact as the API shows it).
    let body = r.json();
    assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["data", "timestamp", "type"]);
    assert_eq!(body["type"], "contact.created");
    assert_eq!(body["data"], created);
    let events = get(&app, "/v1/events?type=contact.created", t).await;
    let event = &events["data"][0];
    assert_eq!(body["timestamp"], event["created_at"]);
    assert_eq!(body["data"], event["data"]);

    // The message.
    let list = get(&app, MESSAGES, t).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    let message = &list["data"][0];
    assert_eq!(message["id"], msg_id.as_str());
    assert_eq!(message["event_type"], "contact.created");
    assert_eq!(message["event_id"], event["id"]);
    assert_eq!(message["endpoint_id"], Value::Null);
    assert_eq!(message["payload"], body);
    assert_eq!(&get(&app, &format!("{MESSAGES}/{msg_id}"), t).await, message);

    // The attempt.
    let list = wait_attempts(&app, t, &format!("{MESSAGES}/{msg_id}/attempts"), 1).await;
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert!(a["id"].as_str().unwrap().starts_with("atm_"));
    assert_eq!(a["message_id"], msg_id.as_str());
    assert_eq!(a["endpoint_id"], ep.as_str());
    assert_eq!(a["attempt"], 1);
    assert_eq!(a["trigger"], "scheduled");
    assert_eq!(a["url"], rx.url.as_str());
    assert_eq!(a["status"], "succeeded");
    assert_eq!(a["response_status_code"], 200);
    assert_eq!(a["response_excerpt"], "status 200");
    assert_eq!(a["error"], Value::Null);
    assert!(a["latency_ms"].as_i64().unwrap() >= 0);
    assert_eq!(&get(&app, &format!("/v1/webhooks/attempts/{}", a["id"].as_str().unwrap()), t).await, a);
    let of_endpoint = format!("{ENDPOINTS}/{ep}/attempts");
    assert_eq!(attempts(&app, t, &format!("{of_endpoint}?status=succeeded")).await, vec![a.clone()]);
    assert_eq!(attempts(&app, t, &format!("{of_endpoint}?status=failed")).await, Vec::<Value>::new());
    assert_problem(app.get(&format!("{of_endpoint}?status=maybe"), Some(t)).await, 400, "invalid_query").await;
    let ep_out = get(&app, &format!("{ENDPOINTS}/{ep}"), t).await;
    assert_eq!(ep_out["failing_since"], Value::Null);

    // The delivery is one of the organisation's background operations.
    let job = until("the delivery job is saved as succeeded", async || {
        let jobs = get(&app, "/v1/jobs?type=webhooks.deliver", t).await;
        let job = jobs["data"][0].clone();
        (job["status"] == "succeeded").then_some(job)
    })
    .await;
    assert_eq!(job["resource"], json!({"type": "webhook_message", "id": msg_id}));
    assert_eq!(job["max_attempts"], 8);
}

#[tokio::test]
async fn filters_are_respected_and_failed_or_rolled_back_writes_send_nothing() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let (rx_created, rx_deleted, rx_all, rx_off) = (
        Receiver::start(200).await,
        Receiver::start(200).await,
        Receiver::start(200).await,
        Receiver::start(200).await,
    );
    endpoint(&app, t, &rx_created, json!({"event_types": ["contact.created"]})).await;
    endpoint(&app, t, &rx_deleted, json!({"event_types": ["contact.deleted"]})).await;
    endpoint(&app, t, &rx_all, json!({})).await;
    endpoint(&app, t, &rx_off, json!({"enabled": false})).await;

    let c = contact(&app, t).await;
    // A refused write (409 duplicate email) appends no event, so sends nothing.
    let res = app.post_json("/v1/contacts", Some(t), &json!({"email": c["email"]})).await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(
        app.delete(&format!("/v1/contacts/{}", c["id"].as_str().unwrap()), Some(t)).await.status().as_u16(),
        204
    );

    // A rolled-back transaction that appended an event leaves no message and no job; the same
    // append committed does.
    let db = app.db().await;
    let tenant = TenantId::parse(&owner.org_id).unwrap();
    let data = WebhookEndpointDisabledData {
        endpoint_id: WebhookEndpointId::generate(),
        url: "https://example.com/x".into(),
        reason: DisabledReason::Gone,
        disabled_at: Utc::now(),
    };
    let messages_before = rx_all.wait(2).await.len();
    let txn = db.begin().await.unwrap();
    events::append(&txn, tenant, Event::endpoint_disabled(&data)).await.unwrap();
    assert_eq!(
        webhook_message::Entity::find_in(tenant.uuid()).count(&txn).await.unwrap(),
        3,
        "written in the transaction"
    );
    txn.rollback().await.unwrap();
    assert_eq!(webhook_message::Entity::find_in(tenant.uuid()).count(&db).await.unwrap(), 2);
    assert_eq!(job::Entity::find().filter(job::Column::Kind.eq(DELIVER)).count(&db).await.unwrap(), 4);
    let txn = db.begin().await.unwrap();
    events::append(&txn, tenant, Event::endpoint_disabled(&data)).await.unwrap();
    txn.commit().await.unwrap();

    rx_all.wait(3).await;
    settle().await;
    let types =
        |rx: &Receiver| rx.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(types(&rx_created), ["contact.created"]);
    assert_eq!(types(&rx_deleted), ["contact.deleted"]);
    let mut all = types(&rx_all);
    all.sort();
    assert_eq!(all, ["contact.created", "contact.deleted", "endpoint.disabled"]);
    assert!(rx_off.received().is_empty(), "a disabled endpoint gets nothing");
    assert_eq!(messages_before, 2);

    // One message per event, whatever the number of endpoints; filtered by type.
    let list = get(&app, MESSAGES, t).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    let created = get(&app, &format!("{MESSAGES}?event_type=contact.created"), t).await;
    assert_eq!(created["data"].as_array().unwrap().len(), 1);
    assert_eq!(created["data"][0]["payload"]["data"]["id"], c["id"]);
    let body = assert_problem(
        app.get(&format!("{MESSAGES}?event_type=contact.exploded"), Some(t)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "event_type");
    assert_eq!(body["errors"][0]["code"], "unknown_event_type");

    // An organisation without endpoints gets no messages.
    let other = app.signup().await;
    contact(&app, &other.access_token).await;
    assert_eq!(get(&app, MESSAGES, &other.access_token).await["data"], json!([]));
}

#[tokio::test]
async fn failed_deliveries_are_retried_on_the_schedule_then_kept_dead() {
    let (app, state, clock, worker) = app_with_manual_clock(|_| {}).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(500).await;
    let (ep, _) = endpoint(&app, t, &rx, json!({"event_types": ["contact.created"]})).await;
    contact(&app, t).await;

    let job_id = until("the delivery is enqueued", async || delivery_jobs(&state).await.first().map(|j| j.id)).await;
    let first = wait_job(&state, job_id, "pending", 1).await;
    assert_eq!(first.queue, "webhooks");
    assert_eq!(first.max_attempts, 8);
    assert_eq!(first.tenant_id, Some(TenantId::parse(&owner.org_id).unwrap().uuid()));
    assert_eq!(first.run_at, T0 + 5_000, "the first retry waits 5 s");

    // Not before its time.
    clock.set(T0 + 4_999);
    settle().await;
    assert_eq!(rx.received().len(), 1);

    let mut at = T0 + 5_000;
    for (run, wait_secs) in [(2, 300), (3, 1_800), (4, 7_200), (5, 18_000), (6, 36_000), (7, 36_000)] {
        clock.set(at);
        let row = wait_job(&state, job_id, "pending", run).await;
        assert_eq!(row.run_at, at + wait_secs * 1000, "the retry after run {run}");
        at = row.run_at;
    }
    clock.set(at);
    let dead = wait_job(&state, job_id, "dead", 8).await;
    assert!(dead.last_error.unwrap().contains("500"));

    // Eight attempts, one message: the same id and body every time.
    let got = rx.received();
    assert_eq!(got.len(), 8);
    assert!(got.iter().all(|r| r.header("webhook-id") == got[0].header("webhook-id") && r.body == got[0].body));
    let msg_id = got[0].header("webhook-id");
    let list = get(&app, &format!("{MESSAGES}/{msg_id}/attempts?limit=100"), t).await;
    let list = list["data"].as_array().unwrap();
    assert_eq!(list.iter().map(|a| a["attempt"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7, 8]);
    for a in list {
        assert_eq!(a["status"], "failed");
        assert_eq!(a["response_status_code"], 500);
        assert_eq!(a["response_excerpt"], "status 500");
        assert_eq!(a["error"], Value::Null);
    }
    let failed = attempts(&app, t, &format!("{ENDPOINTS}/{ep}/attempts?status=failed&limit=3")).await;
    assert_eq!(failed.len(), 3);

    // About 28 hours of failures: within the 5-day window, so still enabled, failing since T0.
    let ep_out = get(&app, &format!("{ENDPOINTS}/{ep}"), t).await;
    assert_eq!(ep_out["enabled"], true);
    assert_eq!(millis(&ep_out["failing_since"]), T0);
    worker.shutdown().await;
}

#[tokio::test]
async fn a_receiver_answering_410_disables_its_endpoint_with_an_event() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let (rx_gone, rx_watch) = (Receiver::start(410).await, Receiver::start(200).await);
    let (gone, _) = endpoint(&app, t, &rx_gone, json!({"event_types": ["contact.created"]})).await;
    let (_, watch_secret) = endpoint(&app, t, &rx_watch, json!({"event_types": ["endpoint.disabled"]})).await;
    contact(&app, t).await;

    let path = format!("{ENDPOINTS}/{gone}");
    let disabled = until("the endpoint is disabled", async || {
        let ep = get(&app, &path, t).await;
        (ep["enabled"] == false).then_some(ep)
    })
    .await;
    assert_eq!(disabled["disabled_reason"], "gone");
    assert_eq!(disabled["failing_since"], Value::Null);

    let events = get(&app, "/v1/events?type=endpoint.disabled", t).await;
    let data = &events["data"][0]["data"];
    assert_eq!(data["endpoint_id"], gone.as_str());
    assert_eq!(data["reason"], "gone");
    assert_eq!(data["url"], rx_gone.url.as_str());

    // Endpoints subscribed to `endpoint.disabled` hear about it.
    let got = rx_watch.wait(1).await;
    got[0].verify(&watch_secret).unwrap();
    assert_eq!(got[0].json()["type"], "endpoint.disabled");
    assert_eq!(got[0].json()["data"], *data);

    // The 410 is recorded, and not retried.
    let list = wait_attempts(&app, t, &format!("{path}/attempts"), 1).await;
    assert_eq!((list[0]["status"].clone(), list[0]["response_status_code"].clone()), (json!("failed"), json!(410)));
    contact(&app, t).await;
    settle().await;
    assert_eq!(rx_gone.received().len(), 1, "nothing more for a disabled endpoint");
    let jobs = get(&app, "/v1/jobs?type=webhooks.deliver&status=retrying", t).await;
    assert_eq!(jobs["data"], json!([]));

    // Enabling it again clears the reason.
    let enabled = json_of(app.patch_json(&path, Some(t), &json!({"enabled": true})).await, 200).await;
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["disabled_reason"], Value::Null);
    contact(&app, t).await;
    rx_gone.wait(2).await;
}

#[tokio::test]
async fn an_endpoint_failing_for_the_whole_window_is_disabled_and_a_success_resets_it() {
    let (app, state, clock, worker) = app_with_manual_clock(|s| s.webhook_disable_after_secs = 3600).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(500).await;
    let (ep, _) = endpoint(&app, t, &rx, json!({"event_types": ["contact.created"]})).await;
    let path = format!("{ENDPOINTS}/{ep}");

    // A failure starts the window; a success ends it.
    contact(&app, t).await;
    let first = until("a delivery", async || delivery_jobs(&state).await.first().map(|j| j.id)).await;
    wait_job(&state, first, "pending", 1).await;
    assert_eq!(millis(&get(&app, &path, t).await["failing_since"]), T0);
    rx.set_status(200);
    clock.set(T0 + 5_000);
    wait_job(&state, first, "succeeded", 2).await;
    assert_eq!(get(&app, &path, t).await["failing_since"], Value::Null);

    // A new run of failures, two hours later: not disabled until it has lasted an hour.
    rx.set_status(500);
    clock.set(T0 + 2 * 3_600_000);
    contact(&app, t).await;
    let second = until("a second delivery", async || delivery_jobs(&state).await.get(1).map(|j| j.id)).await;
    wait_job(&state, second, "pending", 1).await;
    assert_eq!(millis(&get(&app, &path, t).await["failing_since"]), T0 + 2 * 3_600_000);
    clock.set(T0 + 2 * 3_600_000 + 5_000);
    let row = wait_job(&state, second, "pending", 2).await;
    assert_eq!(get(&app, &path, t).await["enabled"], true);
    clock.set(row.run_at.max(T0 + 3 * 3_600_000));
    // The run that fails past the window disables the endpoint and ends the job (not dead).
    wait_job(&state, second, "succeeded", 3).await;
    let disabled = get(&app, &path, t).await;
    assert_eq!(disabled["enabled"], false);
    assert_eq!(disabled["disabled_reason"], "failing");
    assert_eq!(disabled["failing_since"], Value::Null);
    let events = get(&app, "/v1/events?type=endpoint.disabled", t).await;
    assert_eq!(events["data"][0]["data"]["reason"], "failing");
    assert_eq!(events["data"][0]["data"]["endpoint_id"], ep.as_str());
    assert_eq!(rx.received().len(), 5);

    let enabled = json_of(app.patch_json(&path, Some(t), &json!({"enabled": true})).await, 200).await;
    assert_eq!((enabled["enabled"].clone(), enabled["disabled_reason"].clone()), (json!(true), Value::Null));
    worker.shutdown().await;
}

#[tokio::test]
async fn during_a_rotation_deliveries_carry_both_signatures() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(200).await;
    let (ep, old) = endpoint(&app, t, &rx, json!({})).await;
    json_of(app.post_json(&format!("{ENDPOINTS}/{ep}/secret/rotate"), Some(t), &json!({})).await, 200).await;
    let new = get(&app, &format!("{ENDPOINTS}/{ep}/secret"), t).await["key"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    contact(&app, t).await;
    let r = rx.wait(1).await.remove(0);
    let parts: Vec<&str> = r.header("webhook-signature").split(' ').collect();
    assert_eq!(parts.len(), 2, "{parts:?}");
    let ts: i64 = r.header("webhook-timestamp").parse().unwrap();
    let secret = |s: &str| EndpointSecret::parse(s).unwrap();
    assert_eq!(parts[0], signature::sign(&secret(&new), r.header("webhook-id"), ts, &r.body), "the new one first");
    assert_eq!(parts[1], signature::sign(&secret(&old), r.header("webhook-id"), ts, &r.body));
    r.verify(&old).unwrap();
    r.verify(&new).unwrap();
}

#[tokio::test]
async fn an_address_that_became_private_is_refused_at_delivery_and_recorded() {
    // http allowed, but no private network: the receiver on 127.0.0.1 is out of reach.
    let app = spawn_app_with(|s| s.webhook_allow_http = true).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(200).await;
    let by_ip = json_of(
        app.post_json(
            ENDPOINTS,
            Some(t),
            &json!({"url": "http://93.184.215.14/hooks", "event_types": ["contact.created"]}),
        )
        .await,
        201,
    )
    .await;
    let by_name = json_of(
        app.post_json(
            ENDPOINTS,
            Some(t),
            &json!({"url": "http://93.184.215.15/hooks", "event_types": ["contact.created"]}),
        )
        .await,
        201,
    )
    .await;
    // The addresses change after the checks at creation (as a DNS answer could).
    let db = app.db().await;
    for (ep, url) in [
        (&by_ip, format!("http://127.0.0.1:{}/hooks", rx.port)),
        (&by_name, format!("http://localhost:{}/hooks", rx.port)),
    ] {
        let id = WebhookEndpointId::parse(ep["id"].as_str().unwrap()).unwrap();
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Url, Expr::value(url))
            .filter(webhook_endpoint::Column::Id.eq(id.uuid()))
            .exec(&db)
            .await
            .unwrap();
    }
    contact(&app, t).await;
    for ep in [&by_ip, &by_name] {
        let list = wait_attempts(&app, t, &format!("{ENDPOINTS}/{}/attempts", ep["id"].as_str().unwrap()), 1).await;
        let a = &list[0];
        assert_eq!(a["status"], "failed");
        assert_eq!(a["error"], "blocked address", "{a}");
        assert_eq!(a["response_status_code"], Value::Null);
        assert_eq!(a["response_excerpt"], Value::Null);
    }
    assert!(rx.received().is_empty(), "no request reached the private address");
}

#[tokio::test]
async fn rate_limited_deliveries_wait_without_using_attempts() {
    let (app, state, clock, worker) = app_with_manual_clock(|_| {}).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(200).await;
    endpoint(&app, t, &rx, json!({"rate_limit_per_second": 1, "event_types": ["contact.created"]})).await;
    for _ in 0..3 {
        contact(&app, t).await;
    }
    rx.wait(1).await;
    let waiting = until("two deliveries wait for the rate limit", async || {
        let jobs = delivery_jobs(&state).await;
        let pending: Vec<_> = jobs.into_iter().filter(|j| j.status == "pending" && j.run_at > T0).collect();
        (pending.len() == 2).then_some(pending)
    })
    .await;
    let mut due: Vec<i64> = waiting.iter().map(|j| j.run_at).collect();
    due.sort_unstable();
    assert_eq!(due, [T0 + 1_000, T0 + 2_000], "one slot a second");
    assert!(waiting.iter().all(|j| j.attempts == 0), "a snooze is not an attempt");
    settle().await;
    assert_eq!(rx.received().len(), 1);
    clock.set(T0 + 1_000);
    rx.wait(2).await;
    clock.set(T0 + 2_000);
    rx.wait(3).await;
    let jobs = until("all three deliveries are saved", async || {
        let jobs = delivery_jobs(&state).await;
        jobs.iter().all(|j| j.status == "succeeded").then_some(jobs)
    })
    .await;
    assert!(jobs.iter().all(|j| j.attempts == 1), "{jobs:?}");
    worker.shutdown().await;
}

#[tokio::test]
async fn failed_messages_are_replayed_and_messages_resent() {
    let (app, state, _clock, worker) = app_with_manual_clock(|_| {}).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let (rx, rx_other) = (Receiver::start(500).await, Receiver::start(200).await);
    let (ep, _) = endpoint(&app, t, &rx, json!({"event_types": ["contact.created"]})).await;
    endpoint(&app, t, &rx_other, json!({"event_types": ["contact.deleted"]})).await;
    contact(&app, t).await;
    contact(&app, t).await;
    let jobs = until("two deliveries failed once", async || {
        let jobs = delivery_jobs(&state).await;
        (jobs.len() == 2 && jobs.iter().all(|j| j.status == "pending" && j.attempts == 1)).then_some(jobs)
    })
    .await;
    assert!(jobs.iter().all(|j| j.run_at == T0 + 5_000));

    // The receiver is fixed: everything that failed since a minute ago goes again, now (the
    // clock stays at T0, so the retries alone would never run).
    rx.set_status(200);
    let replay_failed = format!("{ENDPOINTS}/{ep}/replay-failed");
    let since = (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let res = json_of(app.post_json(&replay_failed, Some(t), &json!({"since": since})).await, 202).await;
    assert_eq!(res, json!({"queued": 2}));
    rx.wait(4).await;
    for j in &jobs {
        wait_job(&state, j.id, "succeeded", 2).await;
    }
    let ok = attempts(&app, t, &format!("{ENDPOINTS}/{ep}/attempts?status=succeeded")).await;
    assert_eq!(ok.len(), 2);
    // Nothing failed last any more; nothing failed in the future.
    assert_eq!(json_of(app.post_json(&replay_failed, Some(t), &json!({"since": since})).await, 202).await["queued"], 0);
    let later = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(json_of(app.post_json(&replay_failed, Some(t), &json!({"since": later})).await, 202).await["queued"], 0);

    // A message sent again: to one endpoint, then to every endpoint taking its type.
    let msg = get(&app, MESSAGES, t).await["data"][0]["id"].as_str().unwrap().to_owned();
    let replay = format!("{MESSAGES}/{msg}/replay");
    assert_eq!(
        json_of(app.post_json(&replay, Some(t), &json!({"endpoint_id": ep})).await, 202).await,
        json!({"queued": 1})
    );
    let list = wait_attempts(&app, t, &format!("{MESSAGES}/{msg}/attempts"), 3).await;
    let last = list.last().unwrap();
    assert_eq!(
        (last["attempt"].clone(), last["trigger"].clone(), last["status"].clone()),
        (json!(1), json!("manual"), json!("succeeded"))
    );
    let replayed = until("the replay is saved", async || {
        let jobs = delivery_jobs(&state).await;
        (jobs.len() == 3 && jobs.iter().all(|j| j.status == "succeeded")).then_some(jobs)
    })
    .await;
    assert_eq!(replayed.len(), 3);
    assert_eq!(
        json_of(app.post_json(&replay, Some(t), &json!({})).await, 202).await,
        json!({"queued": 1}),
        "not to the contact.deleted endpoint"
    );
    let got = rx.wait(6).await;
    let same: Vec<_> = got.iter().filter(|r| r.header("webhook-id") == msg).collect();
    assert_eq!(same.len(), 4, "the same webhook-id on every delivery of the message");
    assert!(rx_other.received().is_empty());

    // Bad bodies.
    let body = assert_problem(
        app.post_json(&replay_failed, Some(t), &json!({"since": "yesterday"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "since");
    assert_problem(app.post_json(&replay_failed, Some(t), &json!({})).await, 422, "validation_failed").await;
    let res = app.post_json(&replay, Some(t), &json!({"endpoint_id": owner.org_id})).await;
    assert_problem(res, 422, "validation_failed").await;

    // A disabled endpoint is refused until enabled again.
    json_of(app.patch_json(&format!("{ENDPOINTS}/{ep}"), Some(t), &json!({"enabled": false})).await, 200).await;
    let body = assert_problem(
        app.post_json(&replay, Some(t), &json!({"endpoint_id": ep})).await,
        409,
        "webhook_endpoint_disabled",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("manual"));
    assert_problem(
        app.post_json(&replay_failed, Some(t), &json!({"since": since})).await,
        409,
        "webhook_endpoint_disabled",
    )
    .await;
    assert_problem(
        app.post_json(&format!("{ENDPOINTS}/{ep}/test"), Some(t), &json!({})).await,
        409,
        "webhook_endpoint_disabled",
    )
    .await;
    assert_eq!(json_of(app.post_json(&replay, Some(t), &json!({})).await, 202).await, json!({"queued": 0}));
    worker.shutdown().await;
}

#[tokio::test]
async fn a_test_message_goes_to_its_endpoint_only_signed_like_any_delivery() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let (rx, rx_other) = (Receiver::start(200).await, Receiver::start(200).await);
    // The endpoint takes only contact.deleted: a test is sent anyway.
    let (ep, secret) = endpoint(&app, t, &rx, json!({"event_types": ["contact.deleted"]})).await;
    endpoint(&app, t, &rx_other, json!({})).await;
    let res = app.client.post(app.url(&format!("{ENDPOINTS}/{ep}/test"))).bearer_auth(t).send().await.unwrap();
    let message = json_of(res, 202).await;
    let msg = message["id"].as_str().unwrap().to_owned();
    assert_eq!(message["event_type"], "webhook.test");
    assert_eq!(message["event_id"], Value::Null);
    assert_eq!(message["endpoint_id"], ep.as_str());
    assert_eq!(message["payload"]["type"], "webhook.test");
    assert_eq!(message["payload"]["data"]["endpoint_id"], ep.as_str());

    let r = rx.wait(1).await.remove(0);
    assert_eq!(r.header("webhook-id"), msg);
    r.verify(&secret).unwrap();
    assert_eq!(r.json(), message["payload"]);
    let list = wait_attempts(&app, t, &format!("{MESSAGES}/{msg}/attempts"), 1).await;
    assert_eq!((list[0]["trigger"].clone(), list[0]["status"].clone()), (json!("manual"), json!("succeeded")));
    assert_eq!(get(&app, &format!("{MESSAGES}?event_type=webhook.test"), t).await["data"][0]["id"], msg.as_str());
    assert_eq!(get(&app, "/v1/events", t).await["data"], json!([]), "a test is not a domain event");

    // Replaying a test message sends it to its endpoint again, not to every endpoint.
    until("the test delivery is saved", async || {
        let jobs = get(&app, "/v1/jobs?type=webhooks.deliver&status=succeeded", t).await;
        (jobs["data"].as_array().unwrap().len() == 1).then_some(())
    })
    .await;
    let res = json_of(app.post_json(&format!("{MESSAGES}/{msg}/replay"), Some(t), &json!({})).await, 202).await;
    assert_eq!(res, json!({"queued": 1}));
    rx.wait(2).await;
    settle().await;
    assert!(rx_other.received().is_empty());
}

#[tokio::test]
async fn the_event_type_catalogue_needs_only_authentication() {
    let app = app().await;
    let owner = app.signup().await;
    let res = app
        .post_json("/v1/api-keys", Some(&owner.access_token), &json!({"name": "k", "scopes": ["contacts:read"]}))
        .await;
    let key = json_of(res, 201).await["secret"].as_str().unwrap().to_owned();
    let list = get(&app, "/v1/webhook-event-types", &key).await;
    assert_eq!(list["has_more"], false);
    assert_eq!(list["next_cursor"], Value::Null);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), campaign_os::events::catalogue::all().len());
    let created = data.iter().find(|t| t["name"] == "contact.created").unwrap();
    assert!(created["description"].as_str().unwrap().contains("contact"));
    assert_eq!(created["schema_name"], "ContactOut");
    assert!(created["schema"]["$defs"].is_object() || created["schema"]["properties"].is_object(), "{created}");
    assert!(data.iter().any(|t| t["name"] == "endpoint.disabled"));
    assert!(!data.iter().any(|t| t["name"] == "webhook.test"));
    assert_problem(app.get("/v1/webhook-event-types", None).await, 401, "missing_credentials").await;
}

/// An organisation with an endpoint, a delivered message and its attempt.
struct Delivered {
    endpoint: String,
    message: String,
    attempt: String,
}

async fn delivered(app: &TestApp, token: &str, rx: &Receiver) -> Delivered {
    let (endpoint, _) = endpoint(app, token, rx, json!({"event_types": ["contact.created"]})).await;
    contact(app, token).await;
    let message = until("a message", async || {
        let list = get(app, MESSAGES, token).await;
        list["data"][0]["id"].as_str().map(str::to_owned)
    })
    .await;
    let list = wait_attempts(app, token, &format!("{MESSAGES}/{message}/attempts"), 1).await;
    let attempt = list[0]["id"].as_str().unwrap().to_owned();
    Delivered { endpoint, message, attempt }
}

#[tokio::test]
async fn another_organisation_gets_404_on_every_new_route() {
    let app = app().await;
    let owner = app.signup().await;
    let rx = Receiver::start(200).await;
    let mine = delivered(&app, &owner.access_token, &rx).await;

    let other = app.signup().await;
    let t = other.access_token.as_str();
    for path in [
        format!("{MESSAGES}/{}", mine.message),
        format!("{MESSAGES}/{}/attempts", mine.message),
        format!("{ENDPOINTS}/{}/attempts", mine.endpoint),
        format!("/v1/webhooks/attempts/{}", mine.attempt),
    ] {
        assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    }
    let since = json!({"since": "2020-01-01T00:00:00Z"});
    for (path, body) in [
        (format!("{MESSAGES}/{}/replay", mine.message), json!({})),
        (format!("{ENDPOINTS}/{}/replay-failed", mine.endpoint), since.clone()),
        (format!("{ENDPOINTS}/{}/test", mine.endpoint), json!({})),
    ] {
        assert_problem(app.post_json(&path, Some(t), &body).await, 404, "not_found").await;
    }
    assert_eq!(get(&app, MESSAGES, t).await["data"], json!([]));

    // Their own message cannot be replayed to my endpoint.
    let rx2 = Receiver::start(200).await;
    let theirs = delivered(&app, t, &rx2).await;
    let res = app
        .post_json(&format!("{MESSAGES}/{}/replay", theirs.message), Some(t), &json!({"endpoint_id": mine.endpoint}))
        .await;
    assert_problem(res, 404, "not_found").await;
    settle().await;
    assert_eq!(rx.received().len(), 1, "nothing of theirs reached my receiver");
}

#[tokio::test]
async fn scopes_and_roles_are_checked_on_every_new_route() {
    let app = app().await;
    let owner = app.signup().await;
    let rx = Receiver::start(200).await;
    let d = delivered(&app, &owner.access_token, &rx).await;
    let key = |scopes: Value| {
        let app = &app;
        let token = owner.access_token.clone();
        async move {
            let res = app.post_json("/v1/api-keys", Some(&token), &json!({"name": "k", "scopes": scopes})).await;
            json_of(res, 201).await["secret"].as_str().unwrap().to_owned()
        }
    };
    let reads = [
        MESSAGES.to_owned(),
        format!("{MESSAGES}/{}", d.message),
        format!("{MESSAGES}/{}/attempts", d.message),
        format!("{ENDPOINTS}/{}/attempts", d.endpoint),
        format!("/v1/webhooks/attempts/{}", d.attempt),
    ];
    let writes = [
        (format!("{MESSAGES}/{}/replay", d.message), json!({})),
        (format!("{ENDPOINTS}/{}/replay-failed", d.endpoint), json!({"since": "2020-01-01T00:00:00Z"})),
        (format!("{ENDPOINTS}/{}/test", d.endpoint), json!({})),
    ];

    let contacts = key(json!(["contacts:read"])).await;
    for path in &reads {
        let body = assert_problem(app.get(path, Some(&contacts)).await, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "webhooks:read");
    }
    let reader = key(json!(["webhooks:read"])).await;
    for path in &reads {
        json_of(app.get(path, Some(&reader)).await, 200).await;
    }
    for (path, body) in &writes {
        let problem = assert_problem(app.post_json(path, Some(&reader), body).await, 403, "insufficient_scope").await;
        assert_eq!(problem["required_scope"], "webhooks:write");
    }
    let writer = key(json!(["webhooks:write"])).await;
    for (path, body) in &writes {
        json_of(app.post_json(path, Some(&writer), body).await, 202).await;
    }
    for role in ["member", "viewer"] {
        let person = join(&app, &owner.access_token, role).await;
        let body = assert_problem(app.get(MESSAGES, Some(&person.access_token)).await, 403, "forbidden").await;
        assert_eq!(body["required_scope"], "webhooks:read");
        let (path, body) = &writes[0];
        assert_problem(app.post_json(path, Some(&person.access_token), body).await, 403, "forbidden").await;
    }
    assert_problem(app.get(MESSAGES, None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn messages_and_attempts_past_the_retention_are_swept() {
    let app = app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let rx = Receiver::start(200).await;
    let d = delivered(&app, t, &rx).await;
    let db = app.db().await;
    let sweep = campaign_os::webhooks::sweep::sweep;
    assert_eq!(sweep(&db, Utc::now() - chrono::Duration::days(1)).await.unwrap(), (0, 0));
    assert_eq!(get(&app, MESSAGES, t).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(sweep(&db, Utc::now() + chrono::Duration::minutes(1)).await.unwrap(), (1, 1));
    assert_eq!(get(&app, MESSAGES, t).await["data"], json!([]));
    assert_problem(app.get(&format!("/v1/webhooks/attempts/{}", d.attempt), Some(t)).await, 404, "not_found").await;
}
