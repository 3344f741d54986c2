//! `Idempotency-Key` on POST: replays, reuse with another request, in-flight conflicts, scope per
//! principal, which outcomes are kept, and that the store holds nothing readable. On SQLite the
//! records live in `idempotency_keys`; with `COS_TEST_REDIS_URL` they live in Redis.

use reqwest::{Response, header::HeaderValue};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with, unique_email};

const REPLAYED: &str = "idempotent-replayed";

async fn post_with_key(app: &TestApp, path: &str, token: Option<&str>, key: &str, body: &Value) -> Response {
    let mut req = app.client.post(app.url(path)).header("Idempotency-Key", key).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn replayed(res: &Response) -> bool {
    res.headers().get(REPLAYED).is_some_and(|v| v == "true")
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Every stored record, as raw bytes (all fields), from whichever store the app uses.
async fn stored_records(app: &TestApp) -> Vec<Vec<u8>> {
    if let Some(url) = &app.settings.redis_url {
        use deadpool_redis::redis::AsyncCommands;
        let client = deadpool_redis::redis::Client::open(url.as_str()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = conn.keys(format!("{}:idempotency:*", app.settings.redis_key_prefix)).await.unwrap();
        let mut out = Vec::new();
        for key in keys {
            let fields: Vec<(Vec<u8>, Vec<u8>)> = conn.hgetall(&key).await.unwrap();
            out.push(fields.into_iter().flat_map(|(k, v)| k.into_iter().chain(v)).collect());
        }
        out
    } else {
        let rows = entities::idempotency_key::Entity::find().all(&app.db().await).await.unwrap();
        rows.into_iter()
            .map(|r| {
                let mut all = format!("{} {} {} {:?}", r.scope_hash, r.request_mac, r.state, r.response_content_type)
                    .into_bytes();
                all.extend(r.response_body.unwrap_or_default());
                all
            })
            .collect()
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn a_retried_create_replays_the_same_key_and_creates_only_one() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());
    let key = new_key();

    let first = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "zapier"})).await;
    assert_eq!(first.status(), 201);
    assert!(!replayed(&first), "the first answer is not a replay");
    let first_type = first.headers()["content-type"].clone();
    let first_body = first.text().await.unwrap();

    let second = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "zapier"})).await;
    assert_eq!(second.status(), 201);
    assert!(replayed(&second), "the retry is a replay");
    assert_eq!(second.headers()["content-type"], first_type);
    let second_body = second.text().await.unwrap();
    assert_eq!(second_body, first_body, "the replay is byte for byte the first answer (same id and secret)");

    let created: Value = serde_json::from_str(&first_body).unwrap();
    let secret = created["secret"].as_str().unwrap();
    let list: Value = app.get("/v1/api-keys", token).await.json().await.unwrap();
    let keys = list["data"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "only one key was created: {list}");
    assert_eq!(keys[0]["id"], created["id"]);

    // The store holds neither the response (the secret, the id) nor the request.
    let records = stored_records(&app).await;
    assert_eq!(records.len(), 1);
    for record in &records {
        assert!(!contains(record, secret), "the API key secret is stored in clear");
        assert!(!contains(record, created["id"].as_str().unwrap()), "the response is stored in clear");
        assert!(!contains(record, "zapier"), "the request body is stored in clear");
        assert!(!contains(record, &key), "the key is stored in clear");
    }
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());
    let key = new_key();
    let res = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "one"})).await;
    assert_eq!(res.status(), 201);

    let res = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "two"})).await;
    assert!(!replayed(&res));
    assert_problem(res, 422, "idempotency_key_reused").await;

    // A different path under the same key is a different request too.
    let res = post_with_key(&app, "/v1/api-keys?x=1", token, &key, &json!({"name": "one"})).await;
    assert_problem(res, 422, "idempotency_key_reused").await;

    let list: Value = app.get("/v1/api-keys", token).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    let metrics = app.get("/metrics", None).await.text().await.unwrap();
    for outcome in ["executed", "reused"] {
        let line = format!("cos_idempotency_requests_total{{outcome=\"{outcome}\"}}");
        assert!(metrics.contains(&line), "{line} missing from /metrics");
    }
}

#[tokio::test]
async fn keys_are_scoped_to_the_principal() {
    let app = spawn_app().await;
    let (alice, bob) = (app.signup().await, app.signup().await);
    let key = new_key();
    let body = json!({"name": "shared"});

    let a = post_with_key(&app, "/v1/api-keys", Some(&alice.access_token), &key, &body).await;
    let b = post_with_key(&app, "/v1/api-keys", Some(&bob.access_token), &key, &body).await;
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
    assert!(!replayed(&a) && !replayed(&b), "another principal's key does not replay");
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_ne!(a["id"], b["id"]);

    // Each tenant sees only its own key; the other's id is 404.
    let path = format!("/v1/api-keys/{}", a["id"].as_str().unwrap());
    assert_problem(app.get(&path, Some(&bob.access_token)).await, 404, "not_found").await;
    let list: Value = app.get("/v1/api-keys", Some(&bob.access_token)).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], b["id"]);

    // And a different body under the same key from another principal is not "reused".
    let c = post_with_key(&app, "/v1/api-keys", Some(&bob.access_token), &new_key(), &body).await;
    assert_eq!(c.status(), 201);
}

#[tokio::test]
async fn without_a_key_nothing_is_replayed() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());
    let first = app.post_json("/v1/api-keys", token, &json!({"name": "x"})).await;
    let second = app.post_json("/v1/api-keys", token, &json!({"name": "x"})).await;
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (201, 201));
    assert!(!replayed(&first) && !replayed(&second));
    let (first, second): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_ne!(first["id"], second["id"]);
    assert!(stored_records(&app).await.is_empty());
}

#[tokio::test]
async fn invalid_keys_are_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());
    for bad in [String::new(), "k".repeat(256)] {
        let res = post_with_key(&app, "/v1/api-keys", token, &bad, &json!({"name": "x"})).await;
        assert_problem(res, 400, "invalid_idempotency_key").await;
    }
    let res = app
        .client
        .post(app.url("/v1/api-keys"))
        .bearer_auth(&account.access_token)
        .header("Idempotency-Key", HeaderValue::from_bytes(b"caf\xe9").unwrap())
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_idempotency_key").await;
    let res = app
        .client
        .post(app.url("/v1/api-keys"))
        .bearer_auth(&account.access_token)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_idempotency_key").await;
    // Nothing was created; the longest valid key works.
    let list: Value = app.get("/v1/api-keys", token).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let res = post_with_key(&app, "/v1/api-keys", token, &"k".repeat(255), &json!({"name": "x"})).await;
    assert_eq!(res.status(), 201);
    // GETs ignore the header.
    let res = app
        .client
        .get(app.url("/v1/api-keys"))
        .bearer_auth(&account.access_token)
        .header("Idempotency-Key", "")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_anything_is_stored() {
    let app = spawn_app_with(|s| s.max_body_bytes = 1024).await;
    let account = app.signup().await;
    let res = post_with_key(
        &app,
        "/v1/api-keys",
        Some(&account.access_token),
        &new_key(),
        &json!({"name": "x".repeat(2000)}),
    )
    .await;
    assert_problem(res, 413, "payload_too_large").await;
    assert!(stored_records(&app).await.is_empty());
}

#[tokio::test]
async fn a_concurrent_retry_while_the_first_runs_gets_409_or_the_replay() {
    let app = spawn_app().await;
    let key = new_key();
    let body = json!({
        "email": unique_email(),
        "password": "correct horse battery staple",
        "organization_name": "Acme",
        "name": "Ada"
    });
    let (a, b) = tokio::join!(
        post_with_key(&app, "/v1/auth/signup", None, &key, &body),
        post_with_key(&app, "/v1/auth/signup", None, &key, &body)
    );
    let mut fresh = 0;
    let mut signed_up = None;
    for res in [a, b] {
        let status = res.status().as_u16();
        let is_replay = replayed(&res);
        if status == 409 {
            assert_eq!(res.headers()["retry-after"], "1");
            assert_problem(res, 409, "idempotency_key_in_use").await;
            continue;
        }
        assert_eq!(status, 201, "{}", res.text().await.unwrap());
        if !is_replay {
            fresh += 1;
        }
        let out: Value = res.json().await.unwrap();
        signed_up = Some(out["user"]["id"].clone());
    }
    assert_eq!(fresh, 1, "exactly one attempt ran");

    // Once the first has finished, a retry replays it (not `409 email_taken`).
    let res = post_with_key(&app, "/v1/auth/signup", None, &key, &body).await;
    assert_eq!(res.status(), 201);
    assert!(replayed(&res));
    let out: Value = res.json().await.unwrap();
    if let Some(id) = signed_up {
        assert_eq!(out["user"]["id"], id);
    }
}

#[tokio::test]
async fn a_retried_refresh_replays_the_same_tokens_and_keeps_the_session() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let key = new_key();
    let body = json!({"refresh_token": account.refresh_token});

    let first = post_with_key(&app, "/v1/auth/refresh", None, &key, &body).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let retry = post_with_key(&app, "/v1/auth/refresh", None, &key, &body).await;
    assert_eq!(retry.status(), 200, "the retry is not treated as refresh-token reuse");
    assert!(replayed(&retry));
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["refresh_token"], first["refresh_token"]);
    assert_eq!(retry["access_token"], first["access_token"]);

    // The session is alive: the rotated token works, and so does the access token.
    let next =
        post_with_key(&app, "/v1/auth/refresh", None, &new_key(), &json!({"refresh_token": first["refresh_token"]}))
            .await;
    assert_eq!(next.status(), 200);
    let next: Value = next.json().await.unwrap();
    assert_eq!(app.get("/v1/me", next["access_token"].as_str()).await.status(), 200);

    // The stored refresh answer holds no token in clear.
    for record in stored_records(&app).await {
        assert!(!contains(&record, first["refresh_token"].as_str().unwrap()));
        assert!(!contains(&record, account.refresh_token.as_str()));
    }
}

#[tokio::test]
async fn client_errors_are_replayed_but_not_those_that_did_not_run() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());

    // 422 validation: the operation gave a definite answer, which is kept.
    let key = new_key();
    let first = post_with_key(&app, "/v1/api-keys", token, &key, &json!({})).await;
    assert!(!replayed(&first));
    let first = assert_problem(first, 422, "validation_failed").await;
    let retry = post_with_key(&app, "/v1/api-keys", token, &key, &json!({})).await;
    assert!(replayed(&retry));
    assert_eq!(retry.status(), 422);
    assert_eq!(retry.headers()["content-type"], "application/problem+json");
    let retry: Value = retry.json().await.unwrap();
    // Byte for byte the first answer, so it names the first request's id.
    assert_eq!(retry, first);

    // 401: not kept, so a retry runs again.
    let key = new_key();
    for _ in 0..2 {
        let res = post_with_key(&app, "/v1/api-keys", Some("not-a-token"), &key, &json!({"name": "x"})).await;
        assert!(!replayed(&res));
        assert_problem(res, 401, "invalid_token").await;
    }
    // 404 (no such route): not kept either.
    let key = new_key();
    for _ in 0..2 {
        let res = post_with_key(&app, "/v1/nope", token, &key, &json!({})).await;
        assert!(!replayed(&res));
        assert_eq!(res.status(), 404);
    }
}

#[tokio::test]
async fn a_stale_claim_or_an_expired_record_is_taken_over() {
    let app = spawn_app().await;
    if app.settings.redis_url.is_some() {
        return; // Redis expires in-flight claims and records by itself (PEXPIRE).
    }
    let account = app.signup().await;
    let token = Some(account.access_token.as_str());
    let key = new_key();
    let first: Value =
        post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "a"})).await.json().await.unwrap();

    // An in-flight claim whose owner died (past locked_until) no longer blocks.
    let db = app.db().await;
    db.execute_unprepared(
        "UPDATE idempotency_keys SET state = 'in_flight', response_status = NULL, response_body = NULL, \
         locked_until = '2000-01-01T00:00:00+00:00'",
    )
    .await
    .unwrap();
    let res = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "a"})).await;
    assert_eq!(res.status(), 201);
    assert!(!replayed(&res), "the stale claim was taken over and the request ran");
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["id"], first["id"]);
    let res = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "a"})).await;
    assert!(replayed(&res));

    // An expired record is forgotten: the key can be used for a new request.
    db.execute_unprepared("UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00+00:00'").await.unwrap();
    let res = post_with_key(&app, "/v1/api-keys", token, &key, &json!({"name": "b"})).await;
    assert_eq!(res.status(), 201);
    assert!(!replayed(&res));
}

#[tokio::test]
async fn a_replay_re_checks_the_credentials() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (key_id, secret) = app.create_api_key(&account.access_token, "robot").await;
    let key = new_key();
    let body = json!({"name": "made by robot"});
    let first = post_with_key(&app, "/v1/api-keys", Some(&secret), &key, &body).await;
    assert_eq!(first.status(), 201);
    let again = post_with_key(&app, "/v1/api-keys", Some(&secret), &key, &body).await;
    assert!(replayed(&again), "a live key gets the replay");

    let revoked = app.delete(&format!("/v1/api-keys/{key_id}"), Some(&account.access_token)).await;
    assert_eq!(revoked.status(), 204);
    let after = post_with_key(&app, "/v1/api-keys", Some(&secret), &key, &body).await;
    assert!(!replayed(&after), "a revoked key never gets the stored answer");
    assert_problem(after, 401, "invalid_api_key").await;
}
