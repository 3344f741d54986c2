//! The HTTP contract: problem+json for every failure, request ids, headers, docs, the spec.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    assert_problem(app.get("/v1/nothing-here", None).await, 404, "not_found").await;
    assert_problem(app.get("/nothing", None).await, 404, "not_found").await;
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let res = app.client.put(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(res.headers()[header::ALLOW], "GET");
    assert_problem(res, 405, "method_not_allowed").await;
    let res = app.client.patch(app.url("/v1/api-keys")).send().await.unwrap();
    assert_eq!(res.headers()[header::ALLOW], "GET, POST");
    assert_problem(res, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed_json").await;
}

#[tokio::test]
async fn wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
    let res = app.client.post(app.url("/v1/auth/login")).body("{}").send().await.unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn oversized_body_is_a_413_problem() {
    let app = spawn_app_with(|s| s.max_body_bytes = 4096).await;
    let big = json!({ "email": "a@example.com", "password": "x".repeat(10_000) });
    assert_problem(app.post_json("/v1/auth/login", None, &big).await, 413, "payload_too_large").await;
    // Chunked (no Content-Length) bodies are cut off while streaming.
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(
        (0..10).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])),
    ));
    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_problem(res, 413, "payload_too_large").await;
}

#[tokio::test]
async fn wrong_shape_and_unknown_fields_are_422_with_field_errors() {
    let app = spawn_app().await;
    let res = app.post_json("/v1/auth/login", None, &json!({ "email": 42, "password": "x" })).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "invalid_type");

    let res =
        app.post_json("/v1/auth/login", None, &json!({ "email": "a@b.co", "password": "x", "admin": true })).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "admin");
    assert_eq!(body["errors"][0]["code"], "unknown_field");

    let res = app.post_json("/v1/auth/login", None, &json!(["a@b.co", "correct horse battery"])).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "invalid_type", "an array is not an object body");

    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(r#"{"email": "a@b.co", "email": "c@d.co", "password": "x"}"#)
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "duplicate_field");

    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("[1,")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed_json").await;

    let res = app.post_json("/v1/auth/login", None, &json!({ "password": "x" })).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0], json!({"field": "email", "code": "required", "message": "missing field `email`"}));
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "client-abc.123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-abc.123");

    let res = app.get("/healthz", None).await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(generated.starts_with("req_") && generated.len() == 30, "{generated}");

    // An unsafe or oversized id is replaced, not echoed.
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "x".repeat(200)).send().await.unwrap();
    assert!(res.headers()["x-request-id"].to_str().unwrap().starts_with("req_"));

    let res = app.client.get(app.url("/v1/me")).header("x-request-id", "trace-42").send().await.unwrap();
    let body = assert_problem(res, 401, "missing_credentials").await;
    assert_eq!(body["request_id"], "trace-42");
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = spawn_app().await;
    let res = app.get("/v1/me", None).await;
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/openapi.json")).header(header::ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = spawn_app_with(|s| s.cors_allowed_origins = "https://app.example.com".into()).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/me"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .send()
    };
    let ok = preflight("https://app.example.com").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
    let denied = preflight("https://evil.example.com").await.unwrap();
    assert!(denied.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn swagger_ui_is_served_and_api_docs_redirects() {
    let app = spawn_app().await;
    let res = app.get("/api-docs", None).await;
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()[header::LOCATION], "/api-docs/");
    let res = app.get("/api-docs/", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("swagger-ui"));
}

#[tokio::test]
async fn served_spec_is_the_committed_spec() {
    let app = spawn_app().await;
    let served: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let committed: Value = serde_json::from_str(&committed_spec()).unwrap();
    assert_eq!(served, committed, "GET /openapi.json differs from openapi/openapi.json");
}

fn committed_spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap()
}

#[test]
fn committed_spec_matches_the_code() {
    assert!(
        campaign_os::openapi::spec_json() == committed_spec(),
        "openapi/openapi.json is stale: run `cargo run -- openapi --out openapi/openapi.json` and commit it"
    );
}

#[test]
fn every_operation_has_an_id_summary_description_tag_and_typed_errors() {
    let spec: Value = serde_json::from_str(&campaign_os::openapi::spec_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{id} has no summary");
            assert!(op["description"].as_str().is_some_and(|s| !s.is_empty()), "{id} has no description");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            let responses = op["responses"].as_object().unwrap();
            let authenticated = op["security"].as_array().is_some_and(|reqs| reqs.iter().any(|r| r != &json!({})));
            assert!(op.get("security").is_some(), "{id} must state its security (an empty requirement when public)");
            if authenticated {
                assert!(responses.contains_key("401"), "{id} is authenticated but does not document 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{id} takes a body but does not document {status}");
                }
            }
        }
    }
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(spec["info"]["license"]["name"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(spec["servers"][0]["url"].as_str().is_some());
}

#[tokio::test]
async fn guides_linked_from_the_spec_are_served() {
    let app = spawn_app().await;
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let description = spec["info"]["description"].as_str().unwrap();
    let links: Vec<&str> = description.split("](").skip(1).filter_map(|s| s.split(')').next()).collect();
    assert!(links.len() >= 6, "{links:?}");
    for link in links {
        let res = app.get(link, None).await;
        assert_eq!(res.status(), 200, "{link}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/markdown; charset=utf-8");
        assert!(res.text().await.unwrap().starts_with("# "), "{link}");
    }
    let index = app.get("/docs", None).await.text().await.unwrap();
    assert!(index.contains("(quickstart.md)"));
    assert_problem(app.get("/docs/nope.md", None).await, 404, "not_found").await;
    assert_problem(app.get("/docs/quickstart", None).await, 404, "not_found").await;
}
