//! The caller's sessions: list across organisations, revoke one (access ends at once), other
//! users' sessions are 404, API keys are refused.

use serde_json::{Value, json};

use crate::{
    email_flows::audit_actions,
    helpers::{assert_problem, spawn_app},
};

#[tokio::test]
async fn lists_sessions_and_revoking_one_ends_its_access_at_once() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("User-Agent", "second-device/1.0")
        .json(&json!({"email": account.email, "password": account.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let second_access = second["access_token"].as_str().unwrap();

    let res = app.get("/v1/me/sessions", Some(&account.access_token)).await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{list}");
    assert_eq!(list["has_more"], false);
    assert_eq!(data[0]["current"], true, "the signup session is the caller's");
    assert_eq!(data[1]["current"], false);
    assert_eq!(data[1]["user_agent"], "second-device/1.0");
    assert_eq!(data[1]["ip"], "127.0.0.1");
    assert_eq!(data[0]["organization_id"], account.org_id.as_str());
    for s in data {
        assert!(s["id"].as_str().unwrap().starts_with("ses_"));
        for field in ["created_at", "last_seen_at", "expires_at"] {
            assert!(s[field].is_string(), "{field}");
        }
    }
    let second_id = data[1]["id"].as_str().unwrap().to_owned();

    // Paging works.
    let page: Value = app.get("/v1/me/sessions?limit=1", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["has_more"], true);

    // A refresh keeps the session and moves last_seen_at.
    let refreshed: Value = app
        .post_json("/v1/auth/refresh", None, &json!({ "refresh_token": second["refresh_token"] }))
        .await
        .json()
        .await
        .unwrap();
    let list: Value = app.get("/v1/me/sessions", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][1]["id"], second_id.as_str());
    assert!(list["data"][1]["last_seen_at"].as_str() >= data[1]["last_seen_at"].as_str());

    assert_eq!(app.get("/v1/me", Some(second_access)).await.status(), 200);
    let res = app.delete(&format!("/v1/me/sessions/{second_id}"), Some(&account.access_token)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/v1/me", Some(second_access)).await, 401, "session_revoked").await;
    let res = app.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": refreshed["refresh_token"] })).await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    // Already ended: 404.
    let res = app.delete(&format!("/v1/me/sessions/{second_id}"), Some(&account.access_token)).await;
    assert_problem(res, 404, "not_found").await;
    let list: Value = app.get("/v1/me/sessions", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/v1/me", Some(&account.access_token)).await.status(), 200);

    let revoked: Vec<_> =
        audit_actions(&app).await.into_iter().filter(|e| e.action == "auth.session.revoked").collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].target_id.as_deref(), Some(second_id.as_str()));
}

#[tokio::test]
async fn another_users_session_is_404_and_api_keys_are_refused() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let bobs: Value = app.get("/v1/me/sessions", Some(&bob.access_token)).await.json().await.unwrap();
    let bob_session = bobs["data"][0]["id"].as_str().unwrap().to_owned();
    let alices: Value = app.get("/v1/me/sessions", Some(&alice.access_token)).await.json().await.unwrap();
    assert_eq!(alices["data"].as_array().unwrap().len(), 1);
    assert_ne!(alices["data"][0]["id"], bob_session.as_str());

    let res = app.delete(&format!("/v1/me/sessions/{bob_session}"), Some(&alice.access_token)).await;
    assert_problem(res, 404, "not_found").await;
    assert_eq!(app.get("/v1/me", Some(&bob.access_token)).await.status(), 200);

    let res = app.delete("/v1/me/sessions/key_01h455vb4pex5vsknk084sn02q", Some(&alice.access_token)).await;
    assert_problem(res, 400, "invalid_id").await;

    let (_, key) = app.create_api_key(&alice.access_token, "ci").await;
    assert_problem(app.get("/v1/me/sessions", Some(&key)).await, 403, "user_principal_required").await;
    let res = app.delete(&format!("/v1/me/sessions/{bob_session}"), Some(&key)).await;
    assert_problem(res, 403, "user_principal_required").await;

    // Revoking the current session ends the caller's own access.
    let own = alices["data"][0]["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/me/sessions/{own}"), Some(&alice.access_token)).await.status(), 204);
    assert_problem(app.get("/v1/me", Some(&alice.access_token)).await, 401, "session_revoked").await;
}
