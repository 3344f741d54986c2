//! Issue 6 (parts 4–5): webhook endpoints through HTTP, on SQLite and Postgres: CRUD, SSRF
//! refusals of URLs, secrets shown only by their own operation, rotation (both secrets sign until
//! the grace period ends), scopes and roles, and tenant isolation on every route.

use campaign_os::{
    platform::{
        crypto::ServerKeys,
        ids::{TenantId, WebhookEndpointId},
    },
    webhooks::{signature, signing_secrets},
};
use chrono::{DateTime, Duration, Utc};
use reqwest::Response;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

/// These tests manage endpoints only: no worker, so the events they cause are not delivered to
/// the (public, unreachable from here) endpoint addresses.
async fn spawn_app() -> TestApp {
    spawn_app_with(|s| s.worker_embedded = false).await
}
use crate::organizations::join;

const ENDPOINTS: &str = "/v1/webhooks/endpoints";
/// A public address written as a literal, so that no test depends on DNS.
const PUBLIC_URL: &str = "https://93.184.215.14/hooks/campaign-os";

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    json_of(app.post_json(ENDPOINTS, Some(token), body).await, 201).await
}

fn keys(app: &TestApp) -> ServerKeys {
    ServerKeys::new(app.settings.jwt_secret.as_ref().unwrap().expose_secret().as_bytes())
}

async fn secrets_at(app: &TestApp, org_id: &str, endpoint_id: &str, now: DateTime<Utc>) -> Vec<String> {
    let db = app.db().await;
    let tenant = TenantId::parse(org_id).unwrap();
    let id = WebhookEndpointId::parse(endpoint_id).unwrap();
    signing_secrets(&db, &keys(app), tenant, id, now).await.unwrap().iter().map(|s| s.expose()).collect()
}

async fn secret_of(app: &TestApp, token: &str, id: &str) -> String {
    let body = json_of(app.get(&format!("{ENDPOINTS}/{id}/secret"), Some(token)).await, 200).await;
    body["key"].as_str().unwrap().to_owned()
}

/// Asserts a 422 naming `field` with `code`.
async fn assert_field_error(res: Response, field: &str, code: &str) {
    let body = assert_problem(res, 422, "validation_failed").await;
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "expected {field}/{code} in {body}");
}

#[tokio::test]
async fn create_get_list_update_and_delete_an_endpoint() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let ep = create(
        &app,
        t,
        &json!({
            "url": PUBLIC_URL,
            "description": "Order sync",
            "event_types": ["contact.created", "contact.updated", "contact.created"],
            "rate_limit_per_second": 20,
        }),
    )
    .await;
    let id = ep["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ep_"), "{id}");
    assert_eq!(ep["url"], PUBLIC_URL);
    assert_eq!(ep["description"], "Order sync");
    assert_eq!(ep["event_types"], json!(["contact.created", "contact.updated"]), "duplicates dropped, order kept");
    assert_eq!(ep["enabled"], true);
    assert_eq!(ep["disabled_reason"], Value::Null);
    assert_eq!(ep["rate_limit_per_second"], 20);
    assert_eq!(ep["previous_secret_expires_at"], Value::Null);
    assert_eq!(ep["created_at"], ep["updated_at"]);
    assert!(ep.get("secret").is_none() && ep.get("key").is_none(), "no secret in {ep}");

    let path = format!("{ENDPOINTS}/{id}");
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await, ep);

    // Defaults, and the list in creation order with pagination.
    let second = create(&app, t, &json!({"url": "https://[2606:4700:4700::1111]:8443/in"})).await;
    assert_eq!(second["event_types"], json!([]));
    assert_eq!(second["description"], Value::Null);
    assert_eq!(second["rate_limit_per_second"], Value::Null);
    let page = json_of(app.get(&format!("{ENDPOINTS}?limit=1"), Some(t)).await, 200).await;
    assert_eq!(page["data"], json!([ep]));
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("{ENDPOINTS}?limit=1&cursor={cursor}"), Some(t)).await, 200).await;
    assert_eq!(page["data"][0]["id"], second["id"]);
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next_cursor"], Value::Null);
    assert!(page["data"][0].get("secret").is_none());

    // Absent fields stay; null clears; values set.
    let updated = json_of(
        app.patch_json(
            &path,
            Some(t),
            &json!({"description": null, "rate_limit_per_second": null, "event_types": [], "url": "https://1.1.1.1/x"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["rate_limit_per_second"], Value::Null);
    assert_eq!(updated["event_types"], json!([]));
    assert_eq!(updated["url"], "https://1.1.1.1/x");
    assert_eq!(updated["enabled"], true);
    assert_ne!(updated["updated_at"], ep["updated_at"]);
    assert_eq!(json_of(app.patch_json(&path, Some(t), &json!({})).await, 200).await, updated, "no change");

    // Disabling records why; enabling clears it.
    let off = json_of(app.patch_json(&path, Some(t), &json!({"enabled": false})).await, 200).await;
    assert_eq!(off["enabled"], false);
    assert_eq!(off["disabled_reason"], "manual");
    let on = json_of(app.patch_json(&path, Some(t), &json!({"enabled": true})).await, 200).await;
    assert_eq!(on["enabled"], true);
    assert_eq!(on["disabled_reason"], Value::Null);
    let created_off = create(&app, t, &json!({"url": PUBLIC_URL, "enabled": false})).await;
    assert_eq!(created_off["disabled_reason"], "manual");

    // Fields that cannot be null.
    for field in ["url", "enabled", "event_types"] {
        let res = app.patch_json(&path, Some(t), &json!({ field: null })).await;
        assert_problem(res, 422, "validation_failed").await;
    }

    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("{path}/secret"), Some(t)).await, 404, "not_found").await;
    // A malformed id or another kind of id is a 400.
    assert_problem(app.get(&format!("{ENDPOINTS}/{}", owner.org_id), Some(t)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn urls_that_could_reach_private_networks_are_refused() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    for (url, code) in [
        ("http://93.184.215.14/hooks", "url_not_https"),
        ("ftp://93.184.215.14/hooks", "url_not_https"),
        ("https://localhost/hooks", "url_private_address"),
        ("https://127.0.0.1:8443/hooks", "url_private_address"),
        ("https://10.1.2.3/hooks", "url_private_address"),
        ("https://192.168.0.10/hooks", "url_private_address"),
        ("https://169.254.169.254/latest/meta-data/", "url_private_address"),
        ("https://[::1]/hooks", "url_private_address"),
        ("https://[::ffff:127.0.0.1]/hooks", "url_private_address"),
        ("https://user:pass@93.184.215.14/hooks", "url_credentials"),
        ("https://no-such-host.invalid/hooks", "url_unresolvable"),
        ("not a url", "url_invalid"),
    ] {
        assert_field_error(app.post_json(ENDPOINTS, Some(t), &json!({ "url": url })).await, "url", code).await;
    }
    let long = format!("https://93.184.215.14/{}", "a".repeat(2048));
    assert_field_error(app.post_json(ENDPOINTS, Some(t), &json!({ "url": long })).await, "url", "url_too_long").await;

    // The same checks on a change of URL, which leaves the endpoint as it was.
    let ep = create(&app, t, &json!({"url": PUBLIC_URL})).await;
    let path = format!("{ENDPOINTS}/{}", ep["id"].as_str().unwrap());
    for (url, code) in [("https://localhost/x", "url_private_address"), ("http://1.1.1.1/x", "url_not_https")] {
        assert_field_error(app.patch_json(&path, Some(t), &json!({ "url": url })).await, "url", code).await;
    }
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await, ep);

    // Other fields.
    for (body, field, code) in [
        (
            json!({"url": PUBLIC_URL, "event_types": ["contact.created", "Nope"]}),
            "event_types[1]",
            "unknown_event_type",
        ),
        (json!({"url": PUBLIC_URL, "secret": "whsec_c2hvcnQ="}), "secret", "invalid_secret"),
        (json!({"url": PUBLIC_URL, "secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}), "secret", "invalid_secret"),
        (json!({"url": PUBLIC_URL, "rate_limit_per_second": 0}), "rate_limit_per_second", "range"),
        (json!({"url": PUBLIC_URL, "description": "x".repeat(1001)}), "description", "length"),
        (json!({"url": PUBLIC_URL, "surprise": 1}), "surprise", "unknown_field"),
    ] {
        assert_field_error(app.post_json(ENDPOINTS, Some(t), &body).await, field, code).await;
    }
    for (body, field, code) in [
        (json!({"rate_limit_per_second": 10001}), "rate_limit_per_second", "range"),
        (json!({"description": "x".repeat(1001)}), "description", "length"),
        (json!({"event_types": ["contact"]}), "event_types[0]", "unknown_event_type"),
    ] {
        assert_field_error(app.patch_json(&path, Some(t), &body).await, field, code).await;
    }
    // Several problems are reported together.
    let res = app.post_json(ENDPOINTS, Some(t), &json!({"url": "http://x.invalid", "event_types": ["bad"]})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(json_of(app.get(ENDPOINTS, Some(t)).await, 200).await["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn development_settings_allow_http_and_listed_networks() {
    let app = spawn_app_with(|s| {
        s.worker_embedded = false;
        s.webhook_allow_http = true;
        s.webhook_allowed_networks = "127.0.0.0/8, ::1/128".into();
    })
    .await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let ep = create(&app, t, &json!({"url": "http://localhost:9000/hooks"})).await;
    assert_eq!(ep["url"], "http://localhost:9000/hooks");
    create(&app, t, &json!({"url": "https://127.0.0.1/hooks"})).await;
    // Everything not listed stays refused.
    for url in ["http://10.0.0.1/hooks", "https://169.254.169.254/", "http://[fe80::1]/"] {
        assert_field_error(
            app.post_json(ENDPOINTS, Some(t), &json!({ "url": url })).await,
            "url",
            "url_private_address",
        )
        .await;
    }
}

#[tokio::test]
async fn the_secret_is_shown_only_by_its_operation_and_rotation_keeps_the_old_one_for_a_while() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let ep = create(&app, t, &json!({"url": PUBLIC_URL})).await;
    let id = ep["id"].as_str().unwrap();
    let first = secret_of(&app, t, id).await;
    assert!(first.starts_with("whsec_") && first.len() == 38, "{first}");
    assert_eq!(signature::EndpointSecret::parse(&first).unwrap().as_bytes().len(), 24);
    assert_eq!(secret_of(&app, t, id).await, first, "stable until rotated");
    for body in [
        json_of(app.get(&format!("{ENDPOINTS}/{id}"), Some(t)).await, 200).await.to_string(),
        json_of(app.get(ENDPOINTS, Some(t)).await, 200).await.to_string(),
    ] {
        assert!(!body.contains(&first[6..]), "secret leaked: {body}");
    }
    let now = Utc::now();
    assert_eq!(secrets_at(&app, &owner.org_id, id, now).await, vec![first.clone()]);

    // Rotate: a new secret; the old one signs too until the grace period ends (24 h default).
    let rotated =
        json_of(app.post_json(&format!("{ENDPOINTS}/{id}/secret/rotate"), Some(t), &json!({})).await, 200).await;
    assert!(!rotated.to_string().contains("whsec_"), "no secret in {rotated}");
    let until: DateTime<Utc> = rotated["previous_secret_expires_at"].as_str().unwrap().parse().unwrap();
    let expected = Utc::now() + Duration::seconds(86_400);
    assert!((until - expected).num_seconds().abs() < 60, "{until} vs {expected}");
    let second = secret_of(&app, t, id).await;
    assert_ne!(second, first);
    assert_eq!(secrets_at(&app, &owner.org_id, id, Utc::now()).await, vec![second.clone(), first.clone()]);
    assert_eq!(
        secrets_at(&app, &owner.org_id, id, until - Duration::seconds(1)).await,
        vec![second.clone(), first.clone()]
    );
    assert_eq!(secrets_at(&app, &owner.org_id, id, until).await, vec![second.clone()], "expired at the end");
    let got = json_of(app.get(&format!("{ENDPOINTS}/{id}"), Some(t)).await, 200).await;
    assert_eq!(got["previous_secret_expires_at"], rotated["previous_secret_expires_at"]);

    // A delivery signed with both verifies with either secret (what receivers do mid-rotation).
    let secrets = signing_secrets(
        &app.db().await,
        &keys(&app),
        TenantId::parse(&owner.org_id).unwrap(),
        WebhookEndpointId::parse(id).unwrap(),
        Utc::now(),
    )
    .await
    .unwrap();
    let header = signature::signature_header(&secrets.iter().collect::<Vec<_>>(), "msg_1", 1_700_000_000, b"{}");
    for key in [&first, &second] {
        let secret = signature::EndpointSecret::parse(key).unwrap();
        signature::verify(&secret, "msg_1", "1700000000", &header, b"{}", 1_700_000_000, 300).unwrap();
    }

    // Rotating to a given key; the previous secret is now the second one (the first is gone).
    let own = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    json_of(app.post_json(&format!("{ENDPOINTS}/{id}/secret/rotate"), Some(t), &json!({"key": own})).await, 200).await;
    assert_eq!(secret_of(&app, t, id).await, own);
    assert_eq!(secrets_at(&app, &owner.org_id, id, Utc::now()).await, vec![own.to_owned(), second]);
    for bad in ["whsec_c2hvcnQ=", "C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "whsec_***"] {
        let res = app.post_json(&format!("{ENDPOINTS}/{id}/secret/rotate"), Some(t), &json!({"key": bad})).await;
        assert_field_error(res, "key", "invalid_secret").await;
    }
    assert_eq!(secret_of(&app, t, id).await, own, "a refused rotation changes nothing");

    // An endpoint created with its own secret.
    let mine = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let ep2 = create(&app, t, &json!({"url": PUBLIC_URL, "secret": mine})).await;
    assert_eq!(secret_of(&app, t, ep2["id"].as_str().unwrap()).await, mine);
}

#[tokio::test]
async fn without_a_grace_period_the_old_secret_stops_at_once() {
    let app = spawn_app_with(|s| {
        s.worker_embedded = false;
        s.webhook_secret_grace_secs = 0;
    })
    .await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let ep = create(&app, t, &json!({"url": PUBLIC_URL})).await;
    let id = ep["id"].as_str().unwrap();
    let rotated =
        json_of(app.post_json(&format!("{ENDPOINTS}/{id}/secret/rotate"), Some(t), &json!({})).await, 200).await;
    assert_eq!(rotated["previous_secret_expires_at"], Value::Null);
    let current = secret_of(&app, t, id).await;
    assert_eq!(secrets_at(&app, &owner.org_id, id, Utc::now()).await, vec![current]);
}

#[tokio::test]
async fn scopes_and_roles_are_checked() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let ep = create(&app, &owner.access_token, &json!({"url": PUBLIC_URL})).await;
    let path = format!("{ENDPOINTS}/{}", ep["id"].as_str().unwrap());

    let key = |scopes: Value| {
        let app = &app;
        let token = owner.access_token.clone();
        async move {
            let res = app.post_json("/v1/api-keys", Some(&token), &json!({"name": "k", "scopes": scopes})).await;
            json_of(res, 201).await["secret"].as_str().unwrap().to_owned()
        }
    };
    // A key without any webhooks scope.
    let contacts = key(json!(["contacts:read"])).await;
    let body = assert_problem(app.get(ENDPOINTS, Some(&contacts)).await, 403, "insufficient_scope").await;
    assert_eq!(body["required_scope"], "webhooks:read");

    // A read key reads endpoints, but neither writes nor sees the secret.
    let reader = key(json!(["webhooks:read"])).await;
    json_of(app.get(ENDPOINTS, Some(&reader)).await, 200).await;
    json_of(app.get(&path, Some(&reader)).await, 200).await;
    for res in [
        app.post_json(ENDPOINTS, Some(&reader), &json!({"url": PUBLIC_URL})).await,
        app.patch_json(&path, Some(&reader), &json!({"enabled": false})).await,
        app.delete(&path, Some(&reader)).await,
        app.get(&format!("{path}/secret"), Some(&reader)).await,
        app.post_json(&format!("{path}/secret/rotate"), Some(&reader), &json!({})).await,
    ] {
        let body = assert_problem(res, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "webhooks:write");
    }

    // A write key does everything.
    let writer = key(json!(["webhooks:write"])).await;
    json_of(app.get(&format!("{path}/secret"), Some(&writer)).await, 200).await;
    create(&app, &writer, &json!({"url": PUBLIC_URL})).await;

    // Members and viewers do not manage webhooks.
    for role in ["member", "viewer"] {
        let person = join(&app, &owner.access_token, role).await;
        let body = assert_problem(app.get(ENDPOINTS, Some(&person.access_token)).await, 403, "forbidden").await;
        assert_eq!(body["required_scope"], "webhooks:read");
        let res = app.post_json(ENDPOINTS, Some(&person.access_token), &json!({"url": PUBLIC_URL})).await;
        assert_problem(res, 403, "forbidden").await;
    }
    assert_problem(app.get(ENDPOINTS, None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn another_organisation_gets_404_on_every_route() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let ep = create(&app, &owner.access_token, &json!({"url": PUBLIC_URL, "description": "mine"})).await;
    let id = ep["id"].as_str().unwrap();
    let path = format!("{ENDPOINTS}/{id}");
    let before = secret_of(&app, &owner.access_token, id).await;

    let other = app.signup().await;
    let t = other.access_token.as_str();
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.patch_json(&path, Some(t), &json!({"description": "theirs"})).await, 404, "not_found").await;
    assert_problem(app.delete(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("{path}/secret"), Some(t)).await, 404, "not_found").await;
    let res = app.post_json(&format!("{path}/secret/rotate"), Some(t), &json!({})).await;
    assert_problem(res, 404, "not_found").await;
    assert_eq!(json_of(app.get(ENDPOINTS, Some(t)).await, 200).await["data"], json!([]));

    // The delivery-side lookup is scoped too.
    let db = app.db().await;
    let err = signing_secrets(
        &db,
        &keys(&app),
        TenantId::parse(&other.org_id).unwrap(),
        WebhookEndpointId::parse(id).unwrap(),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "not_found");

    // Nothing changed for the owner.
    assert_eq!(json_of(app.get(&path, Some(&owner.access_token)).await, 200).await, ep);
    assert_eq!(secret_of(&app, &owner.access_token, id).await, before);
}
