//! /healthz, /readyz, /metrics.

use serde_json::Value;

use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn healthz_and_readyz_report_ok() {
    let app = spawn_app().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");

    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    let expected_redis =
        if std::env::var("COS_TEST_REDIS_URL").is_ok_and(|u| !u.is_empty()) { "ok" } else { "not_configured" };
    assert_eq!(body["checks"]["redis"], expected_redis);
    if app.backend == Backend::Postgres {
        assert_eq!(body["checks"]["redis"], "ok", "the Postgres run also runs with Redis");
    }
}

#[tokio::test]
async fn unreachable_redis_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let settings = campaign_os::config::Settings {
        bind: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.path().join("t.db").display()),
        data_dir: dir.path().to_path_buf(),
        redis_url: Some("redis://127.0.0.1:1".into()),
        ..Default::default()
    };
    let err = campaign_os::startup::Application::build(settings).await.err().expect("start-up must fail");
    assert!(format!("{err:#}").contains("redis_url"), "{err:#}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_expose_the_pool() {
    let app = spawn_app().await;
    let account = app.signup().await;
    assert_eq!(app.get("/v1/me", Some(&account.access_token)).await.status(), 200);
    assert_eq!(app.get("/v1/api-keys/key_01h455vb4pex5vsknk084sn02q", Some(&account.access_token)).await.status(), 404);
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = res.text().await.unwrap();
    assert!(text.contains(r#"cos_http_requests_total{method="GET",route="/v1/me",status="200"} 1"#), "{text}");
    assert!(
        text.contains(r#"cos_http_requests_total{method="GET",route="/v1/api-keys/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"cos_http_request_duration_seconds_bucket{method="POST",route="/v1/auth/signup""#));
    assert!(text.contains(r#"cos_db_pool_connections{state="idle"}"#));
}
