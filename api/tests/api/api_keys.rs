//! API keys: create/list/get/revoke, authentication with a key, pagination, tenant isolation.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn create_shows_the_secret_once_and_the_key_authenticates() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app.post_json("/v1/api-keys", Some(&account.access_token), &json!({"name": " CI "})).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("cos_") && secret.len() == 44, "{secret}");
    assert_eq!(created["prefix"], &secret[..12]);
    assert_eq!(created["name"], "CI");
    assert_eq!(created["last_used_at"], Value::Null);
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("key_"));

    let fetched: Value =
        app.get(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await.json().await.unwrap();
    assert!(fetched.get("secret").is_none(), "the secret is shown only at creation");
    assert_eq!(fetched["prefix"], created["prefix"]);

    let me: Value = app.get("/v1/me", Some(secret)).await.json().await.unwrap();
    assert_eq!(me["principal_type"], "api_key");
    assert_eq!(me["api_key"]["id"], id);
    assert_eq!(me["user"], Value::Null);
    assert_eq!(me["organization"]["id"], account.org_id.as_str());

    // last_used_at is recorded (asynchronously, at most once a minute).
    let mut last_used = Value::Null;
    for _ in 0..50 {
        let key: Value =
            app.get(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await.json().await.unwrap();
        last_used = key["last_used_at"].clone();
        if !last_used.is_null() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(last_used.is_string(), "last_used_at was not recorded");
}

#[tokio::test]
async fn an_api_key_can_manage_keys_of_its_own_organisation() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (_, secret) = app.create_api_key(&account.access_token, "automation").await;
    let (id2, _) = app.create_api_key(&secret, "made by a key").await;
    let list: Value = app.get("/v1/api-keys", Some(&secret)).await.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][1]["id"], id2.as_str());
}

#[tokio::test]
async fn list_paginates_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(app.create_api_key(&account.access_token, &format!("key {i}")).await.0);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/api-keys?limit=3&cursor={c}"),
            None => "/v1/api-keys?limit=3".into(),
        };
        let page: Value = app.get(&path, Some(&account.access_token)).await.json().await.unwrap();
        pages += 1;
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 3);
        seen.extend(data.iter().map(|k| k["id"].as_str().unwrap().to_owned()));
        if page["has_more"] == false {
            assert_eq!(page["next_cursor"], Value::Null);
            break;
        }
        cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "every key once, in creation order");

    let default: Value = app.get("/v1/api-keys", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(default["data"].as_array().unwrap().len(), 7, "default limit is 20");
}

#[tokio::test]
async fn list_rejects_bad_limits_and_cursors() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let t = Some(account.access_token.as_str());
    for limit in ["0", "101"] {
        let body =
            assert_problem(app.get(&format!("/v1/api-keys?limit={limit}"), t).await, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "limit");
    }
    assert_problem(app.get("/v1/api-keys?limit=abc", t).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/api-keys?cursor=bm90LWEtY3Vyc29y", t).await, 400, "invalid_cursor").await;
}

#[tokio::test]
async fn create_validates_the_name() {
    let app = spawn_app().await;
    let account = app.signup().await;
    for name in [json!(""), json!("   "), json!("x".repeat(101))] {
        let res = app.post_json("/v1/api-keys", Some(&account.access_token), &json!({ "name": name })).await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "name");
    }
}

#[tokio::test]
async fn revoked_keys_stop_working_at_once() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (id, secret) = app.create_api_key(&account.access_token, "temp").await;
    assert_eq!(app.get("/v1/me", Some(&secret)).await.status(), 200, "cached now");
    let res = app.delete(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/v1/me", Some(&secret)).await, 401, "invalid_api_key").await;
    assert_problem(app.get(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await, 404, "not_found").await;
    assert_problem(app.delete(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await, 404, "not_found")
        .await;
    let list: Value = app.get("/v1/api-keys", Some(&account.access_token)).await.json().await.unwrap();
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn wrong_id_prefix_is_a_400_naming_the_type() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app.get(&format!("/v1/api-keys/{}", account.org_id), Some(&account.access_token)).await;
    let body = assert_problem(res, 400, "invalid_id").await;
    assert!(body["detail"].as_str().unwrap().contains("key_"), "{body}");
    let res = app.delete("/v1/api-keys/key_notbase32", Some(&account.access_token)).await;
    assert_problem(res, 400, "invalid_id").await;
}

#[tokio::test]
async fn another_tenants_keys_are_invisible_with_jwt_and_api_key() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let (alice_key, alice_secret) = app.create_api_key(&alice.access_token, "alice").await;
    let (_, bob_secret) = app.create_api_key(&bob.access_token, "bob").await;

    for bob_token in [bob.access_token.as_str(), bob_secret.as_str()] {
        let path = format!("/v1/api-keys/{alice_key}");
        assert_problem(app.get(&path, Some(bob_token)).await, 404, "not_found").await;
        assert_problem(app.delete(&path, Some(bob_token)).await, 404, "not_found").await;
        let list: Value = app.get("/v1/api-keys", Some(bob_token)).await.json().await.unwrap();
        let ids: HashSet<&str> = list["data"].as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap()).collect();
        assert!(!ids.contains(alice_key.as_str()), "bob sees alice's key");
        assert_eq!(ids.len(), 1);
    }
    // Alice's key survived Bob's delete attempts and still works.
    let me: Value = app.get("/v1/me", Some(&alice_secret)).await.json().await.unwrap();
    assert_eq!(me["organization"]["id"], alice.org_id.as_str());
}
