//! The audit log: events recorded by API-key changes, filters, pagination both ways, scopes and
//! tenant isolation.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

async fn events(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/v1/audit-events{query}"), Some(token)).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn api_key_changes_are_recorded_with_actor_target_ip_and_request_id() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let token = alice.access_token.as_str();
    let res = app
        .client
        .post(app.url("/v1/api-keys"))
        .bearer_auth(token)
        .header("User-Agent", "audit-test/1.0")
        .header("X-Request-Id", "audit-req-1")
        .json(&json!({"name": "k1", "scopes": ["members:read"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let key: Value = res.json().await.unwrap();
    let key_id = key["id"].as_str().unwrap();
    assert_eq!(app.post_json(&format!("/v1/api-keys/{key_id}/rotate"), Some(token), &json!({})).await.status(), 200);
    assert_eq!(app.delete(&format!("/v1/api-keys/{key_id}"), Some(token)).await.status(), 204);

    let page = events(&app, token, &format!("?target_id={key_id}")).await;
    let data = page["data"].as_array().unwrap();
    let actions: Vec<&str> = data.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["api_key.created", "api_key.rotated", "api_key.revoked"], "oldest first");
    let created = &data[0];
    assert!(created["id"].as_str().unwrap().starts_with("aud_"));
    assert_eq!(created["organization_id"], alice.org_id.as_str());
    assert_eq!(created["actor"], json!({"type": "user", "id": alice.user_id}));
    assert_eq!(created["target"], json!({"type": "api_key", "id": key_id}));
    assert_eq!(created["ip"], "127.0.0.1");
    assert_eq!(created["user_agent"], "audit-test/1.0");
    assert_eq!(created["request_id"], "audit-req-1");
    assert_eq!(created["metadata"]["name"], "k1");
    assert_eq!(created["metadata"]["scopes"], json!(["members:read"]));
    assert!(created["created_at"].is_string());
    let text = page.to_string();
    assert!(!text.contains(key["secret"].as_str().unwrap()), "no secret in the log");

    // Filters.
    let by_action = events(&app, token, "?action=api_key.rotated").await;
    assert_eq!(by_action["data"].as_array().unwrap().len(), 1);
    let by_actor = events(&app, token, &format!("?actor_id={}&action=api_key.revoked", alice.user_id)).await;
    assert_eq!(by_actor["data"].as_array().unwrap().len(), 1);
    assert_eq!(events(&app, token, "?actor_id=usr_00000000000000000000000000").await["data"], json!([]));
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(events(&app, token, &format!("?since={future}")).await["data"], json!([]));
    assert_eq!(events(&app, token, &format!("?until={past}")).await["data"], json!([]));
    let window = events(&app, token, &format!("?since={past}&until={future}&target_id={key_id}")).await;
    assert_eq!(window["data"].as_array().unwrap().len(), 3);

    // Bad input.
    assert_problem(app.get("/v1/audit-events?since=yesterday", Some(token)).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/audit-events?order=sideways", Some(token)).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/audit-events?limit=0", Some(token)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/audit-events?cursor=nope", Some(token)).await, 400, "invalid_cursor").await;
}

#[tokio::test]
async fn pages_both_ways_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let token = alice.access_token.as_str();
    for i in 0..5 {
        app.create_api_key(token, &format!("key {i}")).await;
    }
    let all = ids(&events(&app, token, "?action=api_key.created&limit=100").await);
    assert_eq!(all.len(), 5);
    for (order, expected) in [("asc", all.clone()), ("desc", all.iter().rev().cloned().collect::<Vec<_>>())] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = format!("?action=api_key.created&limit=2&order={order}");
            if let Some(c) = &cursor {
                q.push_str(&format!("&cursor={c}"));
            }
            let page = events(&app, token, &q).await;
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => {
                    assert_eq!(page["has_more"], false);
                    break;
                }
            }
        }
        assert_eq!(seen, expected, "{order}");
    }
}

#[tokio::test]
async fn another_tenants_events_are_invisible_and_the_scope_is_checked() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let (alice_key, _) = app.create_api_key(&alice.access_token, "alice").await;
    app.create_api_key(&bob.access_token, "bob").await;

    let (_, bob_secret) = app.create_api_key(&bob.access_token, "reader").await;
    for token in [bob.access_token.as_str(), bob_secret.as_str()] {
        let page = events(&app, token, "?limit=100").await;
        let data = page["data"].as_array().unwrap();
        assert!(!data.is_empty());
        assert!(data.iter().all(|e| e["organization_id"] == bob.org_id.as_str()), "{page}");
        assert_eq!(events(&app, token, &format!("?target_id={alice_key}")).await["data"], json!([]));
        assert_eq!(events(&app, token, &format!("?actor_id={}", alice.user_id)).await["data"], json!([]));
    }

    let res = app
        .post_json("/v1/api-keys", Some(&alice.access_token), &json!({"name": "m", "scopes": ["members:read"]}))
        .await;
    let scoped: Value = res.json().await.unwrap();
    let body = assert_problem(
        app.get("/v1/audit-events", Some(scoped["secret"].as_str().unwrap())).await,
        403,
        "insufficient_scope",
    )
    .await;
    assert_eq!(body["required_scope"], "audit_events:read");
    let res = app
        .post_json("/v1/api-keys", Some(&alice.access_token), &json!({"name": "a", "scopes": ["audit_events:read"]}))
        .await;
    let auditor: Value = res.json().await.unwrap();
    assert_eq!(app.get("/v1/audit-events", Some(auditor["secret"].as_str().unwrap())).await.status(), 200);
    assert_problem(app.get("/v1/audit-events", None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn refused_authorisations_are_audited_once_a_minute_per_route() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let res = app
        .post_json("/v1/api-keys", Some(&owner.access_token), &json!({"name": "reader", "scopes": ["members:read"]}))
        .await;
    assert_eq!(res.status(), 201);
    let key: Value = res.json().await.unwrap();
    let secret = key["secret"].as_str().unwrap();
    for _ in 0..3 {
        assert_problem(app.get("/v1/api-keys", Some(secret)).await, 403, "insufficient_scope").await;
    }
    let body = events(&app, &owner.access_token, "?action=access.denied").await;
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "three refusals on one route within a minute are one event: {body}");
    assert_eq!(data[0]["actor"]["type"], "api_key");
    assert_eq!(data[0]["actor"]["id"], key["id"]);
    assert_eq!(data[0]["metadata"]["route"], "/v1/api-keys");
    assert_eq!(data[0]["metadata"]["method"], "GET");
    assert_eq!(data[0]["organization_id"], json!(owner.org_id));
}
