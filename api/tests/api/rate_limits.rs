//! Rate limiting: `RateLimit-*` headers, 429 + `Retry-After`, the API-key / user / IP / auth
//! buckets, the login throttle per account, the OpenAPI description, and limits shared by two
//! instances on one Redis. Limits are set small so that nothing waits for a window to pass.

use entities::audit_event;
use reqwest::Response;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with, unique_email};

fn header_u64(res: &Response, name: &str) -> Option<u64> {
    res.headers().get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

/// (limit, remaining, reset) of a limited response.
fn limits(res: &Response) -> (u64, u64, u64) {
    let get = |name| header_u64(res, name).unwrap_or_else(|| panic!("{name} missing on {}", res.url()));
    (get("ratelimit-limit"), get("ratelimit-remaining"), get("ratelimit-reset"))
}

/// Asserts a 429 `code` with a sane `Retry-After`; returns its value.
async fn assert_refused(res: Response, code: &str, max_retry_after: u64) -> u64 {
    let retry_after = header_u64(&res, "retry-after").expect("Retry-After on a 429");
    assert!((1..=max_retry_after).contains(&retry_after), "Retry-After {retry_after} > {max_retry_after}");
    assert_problem(res, 429, code).await;
    retry_after
}

/// Sends GET `path` until refused (at most `max`); returns how many were allowed.
async fn allowed_before_refusal(app: &TestApp, path: &str, token: Option<&str>, max: usize) -> usize {
    for n in 0..max {
        let res = app.get(path, token).await;
        if res.status() == 429 {
            assert_eq!(res.json::<Value>().await.unwrap()["code"], "rate_limited");
            return n;
        }
    }
    panic!("{path}: no refusal within {max} requests");
}

#[tokio::test]
async fn headers_count_down_then_429_with_retry_after() {
    let app = spawn_app_with(|s| s.rate_limit_ip_per_minute = 5).await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let res = app.get("/v1/me", None).await;
        assert_eq!(res.status(), 401, "unauthenticated requests are limited per IP but still answered");
        seen.push(limits(&res));
    }
    assert!(seen.iter().all(|(limit, _, _)| *limit == 5));
    assert_eq!(seen.iter().map(|(_, remaining, _)| *remaining).collect::<Vec<_>>(), [4, 3, 2, 1, 0]);
    // One request refills every 12 s: the bucket is full again 12 s after the first, … 60 s.
    assert!(seen.windows(2).all(|w| w[0].2 <= w[1].2), "{seen:?}");
    assert!((55..=60).contains(&seen[4].2), "{seen:?}");

    let res = app.get("/v1/me", None).await;
    assert_eq!(limits(&res).0, 5);
    assert_eq!(limits(&res).1, 0);
    let retry_after = assert_refused(res, "rate_limited", 12).await;
    assert!(retry_after >= 11, "about one interval (12 s): {retry_after}");

    // Operations endpoints and the docs are never limited and carry no RateLimit headers.
    for path in ["/healthz", "/openapi.json", "/docs"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers().get("ratelimit-limit").is_none(), "{path}");
    }
}

#[tokio::test]
async fn api_key_user_and_ip_buckets_are_independent() {
    let app = spawn_app_with(|s| {
        s.rate_limit_api_key_per_minute = 3;
        s.rate_limit_user_per_minute = 6;
        s.rate_limit_ip_per_minute = 10;
    })
    .await;
    let a = app.signup().await; // ip: 1 used
    let b = app.signup().await; // ip: 2 used
    let (_, key_a) = app.create_api_key(&a.access_token, "a").await; // user a: 1
    let (_, key_b) = app.create_api_key(&b.access_token, "b").await; // user b: 1

    // Tenant A's key: 3 requests, then refused (its first use also counted once per IP: 3 used).
    assert_eq!(allowed_before_refusal(&app, "/v1/me", Some(&key_a), 10).await, 3);
    let res = app.get("/v1/me", Some(&key_a)).await;
    assert_eq!(limits(&res).0, 3);
    assert_refused(res, "rate_limited", 20).await;

    // Tenant B's key has its own bucket (ip: 4 used).
    let res = app.get("/v1/me", Some(&key_b)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(limits(&res), (3, 2, 20));

    // The user who made key A is limited per user, untouched by the key's bucket.
    let res = app.get("/v1/me", Some(&a.access_token)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(limits(&res).0, 6);
    assert_eq!(limits(&res).1, 4, "one earlier request (creating the key)");
    assert_eq!(allowed_before_refusal(&app, "/v1/me", Some(&a.access_token), 10).await, 4);
    // User B is someone else.
    assert_eq!(app.get("/v1/me", Some(&b.access_token)).await.status(), 200);

    // The IP bucket: 6 left of 10; then refused, while the key and user B still work.
    assert_eq!(allowed_before_refusal(&app, "/v1/me", None, 20).await, 6);
    assert_eq!(app.get("/v1/me", Some(&key_b)).await.status(), 200);
    assert_eq!(app.get("/v1/me", Some(&b.access_token)).await.status(), 200);
    // An invalid token is not a way around the IP bucket.
    assert_eq!(app.get("/v1/me", Some("not-a-token")).await.status(), 429);
    // Nor is an invented API key: a key not yet seen to authenticate also counts per IP.
    let invented = format!("cos_{}", "x".repeat(40));
    assert_eq!(app.get("/v1/me", Some(&invented)).await.status(), 429);
}

#[tokio::test]
async fn auth_endpoints_have_a_stricter_per_ip_bucket() {
    let app = spawn_app_with(|s| {
        s.rate_limit_auth_per_minute = 3;
        s.rate_limit_ip_per_minute = 100;
    })
    .await;
    for _ in 0..3 {
        let body = json!({"email": unique_email(), "password": "wrong password here"});
        let res = app.post_json("/v1/auth/login", None, &body).await;
        assert_eq!(limits(&res).0, 3, "the tighter bucket is reported");
        assert_problem(res, 401, "invalid_credentials").await;
    }
    // Every auth endpoint shares the bucket: signup and refresh are refused too.
    let body = json!({"email": unique_email(), "password": "wrong password here"});
    let res = app.post_json("/v1/auth/login", None, &body).await;
    assert_eq!(limits(&res), (3, 0, 60));
    assert_refused(res, "rate_limited", 20).await;
    let body = json!({"email": unique_email(), "password": "correct horse battery staple", "organization_name": "X"});
    assert_refused(app.post_json("/v1/auth/signup", None, &body).await, "rate_limited", 20).await;
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": "nope"})).await;
    assert_refused(res, "rate_limited", 20).await;
    // Other endpoints from the same IP are only in the (larger) IP bucket.
    let res = app.get("/v1/me", None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(limits(&res).0, 100);
}

#[tokio::test]
async fn login_is_throttled_per_account_and_audited() {
    let app = spawn_app_with(|s| {
        s.rate_limit_login_per_account = 3;
        s.rate_limit_auth_per_minute = 1000;
    })
    .await;
    let victim = app.signup().await;
    let other = app.signup().await;
    for _ in 0..3 {
        let res =
            app.post_json("/v1/auth/login", None, &json!({"email": victim.email, "password": "guess guess"})).await;
        assert_problem(res, 401, "invalid_credentials").await;
    }
    // The budget is spent: even the right password (in another spelling of the address) waits.
    // 3 attempts per 15 minutes: one more every 300 s.
    let shouted = format!("  {}  ", victim.email.to_uppercase());
    let res = app.post_json("/v1/auth/login", None, &json!({"email": shouted, "password": victim.password})).await;
    let retry_after = assert_refused(res, "too_many_login_attempts", 300).await;
    assert!(retry_after >= 295, "{retry_after}");
    let res = app.post_json("/v1/auth/login", None, &json!({"email": victim.email, "password": "guess"})).await;
    assert_refused(res, "too_many_login_attempts", 300).await;
    // Another account is not affected.
    let res = app.post_json("/v1/auth/login", None, &json!({"email": other.email, "password": other.password})).await;
    assert_eq!(res.status(), 200);
    // An unknown address is throttled the same way (no account enumeration).
    let ghost = unique_email();
    for _ in 0..3 {
        let res = app.post_json("/v1/auth/login", None, &json!({"email": ghost, "password": "guess guess"})).await;
        assert_eq!(res.status(), 401);
    }
    let res = app.post_json("/v1/auth/login", None, &json!({"email": ghost, "password": "guess guess"})).await;
    assert_refused(res, "too_many_login_attempts", 300).await;

    // Audited once per account per minute, anonymously, without the address.
    let db = app.db().await;
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("auth.login.throttled"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "victim and ghost, once each: {rows:?}");
    for row in &rows {
        assert_eq!(row.tenant_id, None);
        assert_eq!(row.actor_type, "anonymous");
        assert_eq!(row.ip.as_deref(), Some("127.0.0.1"));
        let metadata = row.metadata.as_deref().unwrap();
        assert!(!metadata.contains('@'), "no raw email: {metadata}");
        let metadata: Value = serde_json::from_str(metadata).unwrap();
        assert_eq!(metadata["limit"], 3);
        assert_eq!(metadata["window_secs"], 900);
    }
}

#[tokio::test]
async fn disabled_limits_add_no_headers_and_refuse_nothing() {
    let app = spawn_app_with(|s| {
        s.rate_limit_enabled = false;
        s.rate_limit_ip_per_minute = 1;
        s.rate_limit_login_per_account = 1;
    })
    .await;
    for _ in 0..3 {
        let res = app.get("/v1/me", None).await;
        assert_eq!(res.status(), 401);
        assert!(res.headers().get("ratelimit-limit").is_none());
    }
    let email = unique_email();
    for _ in 0..3 {
        let res = app.post_json("/v1/auth/login", None, &json!({"email": email, "password": "guess guess"})).await;
        assert_eq!(res.status(), 401);
    }
}

#[tokio::test]
async fn cors_exposes_the_rate_limit_headers() {
    let app = spawn_app_with(|s| s.cors_allowed_origins = "https://app.example.com".into()).await;
    let res = app.client.get(app.url("/v1/me")).header("Origin", "https://app.example.com").send().await.unwrap();
    let exposed = res.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
    for name in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after", "idempotent-replayed"] {
        assert!(exposed.contains(name), "{name} not in {exposed}");
    }
}

#[tokio::test]
async fn the_spec_documents_429_with_its_headers_on_every_v1_operation() {
    let spec: Value = serde_json::from_str(&campaign_os::openapi::spec_json()).unwrap();
    let response = &spec["components"]["responses"]["TooManyRequests"];
    for name in ["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
        assert_eq!(response["headers"][name]["schema"]["type"], "integer", "{name}");
    }
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let documented = op["responses"].get("429").is_some();
            assert_eq!(documented, path.starts_with("/v1/"), "{method} {path}");
            if documented {
                assert_eq!(op["responses"]["429"]["$ref"], "#/components/responses/TooManyRequests");
            }
        }
    }
}

/// Two instances with the same `redis_key_prefix`: on one Redis they share the buckets; without
/// Redis each limits alone.
#[tokio::test]
async fn limits_are_shared_by_instances_on_one_redis() {
    let first = spawn_app_with(|s| s.rate_limit_ip_per_minute = 4).await;
    let prefix = first.settings.redis_key_prefix.clone();
    let second = spawn_app_with(move |s| {
        s.rate_limit_ip_per_minute = 4;
        s.redis_key_prefix = prefix;
    })
    .await;
    let apps = [&first, &second];
    let mut statuses = Vec::new();
    for n in 0..9 {
        statuses.push(apps[n % 2].get("/v1/me", None).await.status().as_u16());
    }
    if first.settings.redis_url.is_some() {
        assert_eq!(statuses, [401, 401, 401, 401, 429, 429, 429, 429, 429], "one shared bucket of 4");
    } else {
        assert_eq!(statuses, [401, 401, 401, 401, 401, 401, 401, 401, 429], "a bucket of 4 on each instance");
    }
}
