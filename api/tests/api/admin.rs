//! Platform operators: the CLI makes one, operators list/search organisations, suspend and
//! unsuspend them (their tokens and keys stop and start working at once), read the sandbox
//! mailbox and the audit log across organisations. Everyone else gets 404.

use std::{
    io::Write,
    process::{Command, Stdio},
};

use entities::tenant;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, unique_email};

const BIN: &str = env!("CARGO_BIN_EXE_campaign-os");
const PASSWORD: &str = "operator horse battery staple";

/// Runs `campaign-os admin create-operator` against the app's database.
pub fn run_create_operator(app: &TestApp, email: &str, password: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COS_DATABASE_URL", &app.settings.database_url)
        .env("COS_DATA_DIR", dir.path())
        .args(["admin", "create-operator", "--email", email])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if password.is_some() {
        cmd.arg("--password-stdin");
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(p) = password {
        child.stdin.take().unwrap().write_all(format!("{p}\n").as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

/// Makes an operator with the CLI and logs in; returns the access token.
pub async fn operator_token(app: &TestApp) -> String {
    let email = unique_email();
    let out = run_create_operator(app, &email, Some(PASSWORD));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("operator created: usr_"));
    let res = app.post_json("/v1/auth/login", None, &json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["organization"]["name"], "Platform operators");
    body["access_token"].as_str().unwrap().to_owned()
}

fn uuid_of(prefixed: &str) -> uuid::Uuid {
    campaign_os::platform::ids::decode_suffix(prefixed.split_once('_').unwrap().1).unwrap()
}

#[tokio::test]
async fn operators_list_search_and_get_organisations() {
    let app = spawn_app().await;
    let op = operator_token(&app).await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let db = app.db().await;
    tenant::Entity::update_many()
        .col_expr(tenant::Column::Name, Expr::value("Zebra Widgets 100%"))
        .filter(tenant::Column::Id.eq(uuid_of(&alice.org_id)))
        .exec(&db)
        .await
        .unwrap();

    let all: Value = app.get("/v1/admin/organizations?limit=100", Some(&op)).await.json().await.unwrap();
    let all_ids: Vec<&str> = all["data"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(all_ids.contains(&alice.org_id.as_str()) && all_ids.contains(&bob.org_id.as_str()));
    assert_eq!(all["data"][0]["kind"], "platform", "oldest first: the operators' tenant");

    let found: Value = app.get("/v1/admin/organizations?q=zEBRA%20widgets", Some(&op)).await.json().await.unwrap();
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["data"][0]["id"], alice.org_id.as_str());
    assert_eq!(found["data"][0]["suspended_at"], Value::Null);
    let pct: Value = app.get("/v1/admin/organizations?q=100%25", Some(&op)).await.json().await.unwrap();
    assert_eq!(pct["data"].as_array().unwrap().len(), 1, "% is literal");
    let under: Value = app.get("/v1/admin/organizations?q=_", Some(&op)).await.json().await.unwrap();
    assert_eq!(under["data"], json!([]), "_ is literal");
    let by_id: Value =
        app.get(&format!("/v1/admin/organizations?q={}", bob.org_id), Some(&op)).await.json().await.unwrap();
    assert_eq!(by_id["data"].as_array().unwrap().len(), 1);
    assert_eq!(by_id["data"][0]["id"], bob.org_id.as_str());

    let page: Value = app.get("/v1/admin/organizations?limit=1", Some(&op)).await.json().await.unwrap();
    assert_eq!(page["has_more"], true);
    let next = page["next_cursor"].as_str().unwrap();
    let page2: Value =
        app.get(&format!("/v1/admin/organizations?limit=1&cursor={next}"), Some(&op)).await.json().await.unwrap();
    assert_ne!(page2["data"][0]["id"], page["data"][0]["id"]);

    let one: Value = app.get(&format!("/v1/admin/organizations/{}", bob.org_id), Some(&op)).await.json().await.unwrap();
    assert_eq!(one["id"], bob.org_id.as_str());
    assert_eq!(one["kind"], "standard");
    let missing = "org_00000000000000000000000000";
    assert_problem(app.get(&format!("/v1/admin/organizations/{missing}"), Some(&op)).await, 404, "not_found").await;
    assert_problem(
        app.get("/v1/admin/organizations/usr_00000000000000000000000000", Some(&op)).await,
        400,
        "invalid_id",
    )
    .await;
}

#[tokio::test]
async fn suspension_stops_tokens_and_keys_at_once_and_unsuspension_restores_them() {
    let app = spawn_app().await;
    let op = operator_token(&app).await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let (_, key) = app.create_api_key(&alice.access_token, "alice").await;
    // Both credentials are cached now.
    assert_eq!(app.get("/v1/api-keys", Some(&key)).await.status(), 200);
    assert_eq!(app.get("/v1/api-keys", Some(&alice.access_token)).await.status(), 200);

    let path = format!("/v1/admin/organizations/{}/suspend", alice.org_id);
    let res = app.post_json(&path, Some(&op), &json!({"reason": "unpaid invoices"})).await;
    assert_eq!(res.status(), 200);
    let suspended: Value = res.json().await.unwrap();
    assert!(suspended["suspended_at"].is_string());
    for token in [key.as_str(), alice.access_token.as_str()] {
        assert_problem(app.get("/v1/api-keys", Some(token)).await, 403, "organization_suspended").await;
    }
    assert_eq!(app.get("/v1/api-keys", Some(&bob.access_token)).await.status(), 200, "others unaffected");
    // Suspending again changes nothing.
    let again: Value = app.post_json(&path, Some(&op), &json!({"reason": "again"})).await.json().await.unwrap();
    assert_eq!(again["suspended_at"], suspended["suspended_at"]);
    let res = app.post_json(&path, Some(&op), &json!({"reason": "  "})).await;
    assert_problem(res, 422, "validation_failed").await;

    let res =
        app.post_json(&format!("/v1/admin/organizations/{}/unsuspend", alice.org_id), Some(&op), &json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["suspended_at"], Value::Null);
    for token in [key.as_str(), alice.access_token.as_str()] {
        assert_eq!(app.get("/v1/api-keys", Some(token)).await.status(), 200);
    }

    // The organisation sees both events in its own log, by an operator.
    let log: Value = app
        .get("/v1/audit-events?action=organization.suspended", Some(&alice.access_token))
        .await
        .json()
        .await
        .unwrap();
    let data = log["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "the repeated suspension is not recorded");
    assert_eq!(data[0]["actor"]["type"], "operator");
    assert_eq!(data[0]["metadata"]["reason"], "unpaid invoices");
    assert_eq!(data[0]["target"], json!({"type": "organization", "id": alice.org_id}));
    let log: Value = app
        .get("/v1/audit-events?action=organization.unsuspended", Some(&alice.access_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["data"].as_array().unwrap().len(), 1);
    let bob_log: Value =
        app.get("/v1/audit-events?action=organization.suspended", Some(&bob.access_token)).await.json().await.unwrap();
    assert_eq!(bob_log["data"], json!([]));

    // The operators' own organisation cannot be suspended.
    let platform: Value = app.get("/v1/admin/organizations?limit=1", Some(&op)).await.json().await.unwrap();
    let platform_id = platform["data"][0]["id"].as_str().unwrap();
    let res = app
        .post_json(&format!("/v1/admin/organizations/{platform_id}/suspend"), Some(&op), &json!({"reason": "x"}))
        .await;
    assert_problem(res, 422, "platform_organization").await;
}

#[tokio::test]
async fn admin_endpoints_are_invisible_to_everyone_else() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let (_, key) = app.create_api_key(&alice.access_token, "owner key").await;
    let org = &alice.org_id;
    let gets = [
        "/v1/admin/organizations".to_owned(),
        format!("/v1/admin/organizations/{org}"),
        "/v1/admin/sandbox/emails".to_owned(),
        "/v1/admin/audit-events".to_owned(),
        "/v1/admin/organizations?limit=0".to_owned(),
        "/v1/admin/organizations/not-an-id".to_owned(),
    ];
    for token in [Some(alice.access_token.as_str()), Some(key.as_str()), Some("garbage")] {
        for path in &gets {
            let body = assert_problem(app.get(path, token).await, 404, "not_found").await;
            let route = path.split('?').next().unwrap();
            assert_eq!(body["detail"], format!("No route matches GET {route}."), "like an unknown path");
        }
        for action in ["suspend", "unsuspend"] {
            let res =
                app.post_json(&format!("/v1/admin/organizations/{org}/{action}"), token, &json!({"bad": 1})).await;
            assert_problem(res, 404, "not_found").await;
        }
    }
    // Without any credentials the answer is the usual 401 of an authenticated operation.
    for path in &gets {
        assert_problem(app.get(path, None).await, 401, "missing_credentials").await;
    }
    // Nothing happened to the organisation.
    assert_eq!(app.get("/v1/api-keys", Some(&key)).await.status(), 200);
}

#[tokio::test]
async fn operators_read_the_sandbox_mailbox_newest_first() {
    let app = spawn_app().await;
    let op = operator_token(&app).await;
    let db = app.db().await;
    let mailer = campaign_os::platform::mail::Mailer::Sandbox;
    for (to, subject) in [("ada@example.com", "one"), ("bob@example.com", "two"), ("ada@example.com", "three")] {
        let email = campaign_os::platform::mail::Email { to: to.into(), subject: subject.into(), text: "hi".into() };
        mailer.send(&db, email).await.unwrap();
    }
    let all: Value = app.get("/v1/admin/sandbox/emails?limit=100", Some(&op)).await.json().await.unwrap();
    let subjects: Vec<&str> = all["data"].as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    let ours: Vec<&str> = subjects.iter().copied().filter(|s| ["one", "two", "three"].contains(s)).collect();
    assert_eq!(ours, ["three", "two", "one"], "newest first");
    let first = &all["data"][0];
    assert!(first["id"].as_str().unwrap().starts_with("eml_"));
    assert_eq!(first["text"], "hi");

    let ada: Value =
        app.get("/v1/admin/sandbox/emails?to=ADA@example.com&limit=1", Some(&op)).await.json().await.unwrap();
    assert_eq!(ada["data"][0]["subject"], "three");
    assert_eq!(ada["data"][0]["to"], "ada@example.com");
    let next = ada["next_cursor"].as_str().unwrap();
    let ada2: Value = app
        .get(&format!("/v1/admin/sandbox/emails?to=ada@example.com&limit=1&cursor={next}"), Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ada2["data"][0]["subject"], "one");
    assert_eq!(ada2["has_more"], false);
}

#[tokio::test]
async fn operators_read_the_audit_log_across_organisations() {
    let app = spawn_app().await;
    let op = operator_token(&app).await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let (alice_key, _) = app.create_api_key(&alice.access_token, "a").await;
    let (bob_key, _) = app.create_api_key(&bob.access_token, "b").await;

    let all: Value =
        app.get("/v1/admin/audit-events?action=api_key.created&limit=100", Some(&op)).await.json().await.unwrap();
    let targets: Vec<&str> =
        all["data"].as_array().unwrap().iter().map(|e| e["target"]["id"].as_str().unwrap()).collect();
    assert!(targets.contains(&alice_key.as_str()) && targets.contains(&bob_key.as_str()));

    let only_bob: Value = app
        .get(&format!("/v1/admin/audit-events?organization_id={}&limit=100", bob.org_id), Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert!(only_bob["data"].as_array().unwrap().iter().all(|e| e["organization_id"] == bob.org_id.as_str()));
    assert!(!only_bob["data"].as_array().unwrap().is_empty());

    let created: Value =
        app.get("/v1/admin/audit-events?action=operator.created&order=desc", Some(&op)).await.json().await.unwrap();
    let event = &created["data"][0];
    assert_eq!(event["metadata"]["via"], "cli");
    assert_eq!(event["target"]["type"], "user");
    assert!(event["organization_id"].as_str().unwrap().starts_with("org_"));
    assert_problem(app.get("/v1/admin/audit-events?organization_id=nope", Some(&op)).await, 400, "invalid_query").await;
}

#[tokio::test]
async fn the_cli_promotes_an_existing_user_and_checks_the_password() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    // A new user needs a password, and it must pass the policy.
    let out = run_create_operator(&app, &unique_email(), None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--password-stdin"));
    let out = run_create_operator(&app, &unique_email(), Some("short"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_create_operator(&app, "not-an-email", Some(PASSWORD));
    assert!(!out.status.success());

    // Alice has not verified her address: promoting her needs a new password, which ends her
    // sessions (whoever registered the address cannot become an operator).
    let out = run_create_operator(&app, &alice.email, None);
    assert!(!out.status.success(), "unverified user without a new password");
    let out = run_create_operator(&app, &alice.email, Some(PASSWORD));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("existing user is now an operator"));
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": alice.refresh_token})).await;
    assert_eq!(res.status(), 401, "old sessions ended");
    let res = app.post_json("/v1/auth/login", None, &json!({"email": alice.email, "password": PASSWORD})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v1/admin/organizations", Some(token)).await.status(), 200);
    // Running it again is harmless (now verified: no password needed).
    let out = run_create_operator(&app, &alice.email, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
