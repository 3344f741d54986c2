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

// ---- Scopes, expiry, agency restriction, rotation, last use ----

mod complete {
    use chrono::{Duration, Utc};
    use entities::{api_key, tenant};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
    use serde_json::{Value, json};

    use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};

    /// Creates a key with this body; returns the response body.
    pub async fn create_key(app: &TestApp, token: &str, body: Value) -> Value {
        let res = app.post_json("/v1/api-keys", Some(token), &body).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json().await.unwrap()
    }

    fn uuid_of(prefixed: &str) -> uuid::Uuid {
        campaign_os::platform::ids::decode_suffix(prefixed.split_once('_').unwrap().1).unwrap()
    }

    async fn get_with_tenant(app: &TestApp, path: &str, token: &str, tenant: &str) -> reqwest::Response {
        app.client.get(app.url(path)).bearer_auth(token).header("X-Tenant-Id", tenant).send().await.unwrap()
    }

    #[tokio::test]
    async fn scopes_are_checked_on_every_operation_and_write_implies_read() {
        let app = spawn_app().await;
        let account = app.signup().await;
        let token = account.access_token.as_str();

        let members = create_key(&app, token, json!({"name": "members", "scopes": ["members:read"]})).await;
        assert_eq!(members["scopes"], json!(["members:read"]));
        let secret = members["secret"].as_str().unwrap();
        let body = assert_problem(app.get("/v1/api-keys", Some(secret)).await, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "api_keys:read");
        let res = app.post_json("/v1/api-keys", Some(secret), &json!({"name": "x"})).await;
        let body = assert_problem(res, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "api_keys:write");
        let body = assert_problem(app.get("/v1/audit-events", Some(secret)).await, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "audit_events:read");

        // A read key reads but cannot write.
        let reader = create_key(&app, token, json!({"name": "reader", "scopes": ["api_keys:read"]})).await;
        let reader = reader["secret"].as_str().unwrap();
        assert_eq!(app.get("/v1/api-keys", Some(reader)).await.status(), 200);
        let id = members["id"].as_str().unwrap();
        let body =
            assert_problem(app.delete(&format!("/v1/api-keys/{id}"), Some(reader)).await, 403, "insufficient_scope")
                .await;
        assert_eq!(body["required_scope"], "api_keys:write");

        // Write implies read.
        let writer = create_key(&app, token, json!({"name": "writer", "scopes": ["api_keys:write"]})).await;
        let writer = writer["secret"].as_str().unwrap();
        assert_eq!(app.get("/v1/api-keys", Some(writer)).await.status(), 200);
        assert_eq!(app.get(&format!("/v1/api-keys/{id}"), Some(writer)).await.status(), 200);

        // A scoped key grants only what it holds; without a list it passes on its own scopes.
        let res = app.post_json("/v1/api-keys", Some(writer), &json!({"name": "y", "scopes": ["members:write"]})).await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "scopes[0]");
        assert_eq!(body["errors"][0]["code"], "scope_not_held");
        let child = create_key(&app, writer, json!({"name": "child", "scopes": ["api_keys:read"]})).await;
        assert_eq!(child["scopes"], json!(["api_keys:read"]));
        let inherited = create_key(&app, writer, json!({"name": "inherited"})).await;
        assert_eq!(inherited["scopes"], json!(["api_keys:write"]));

        // A key without a list holds every scope.
        let all = create_key(&app, token, json!({"name": "all"})).await;
        assert!(all["scopes"].as_array().unwrap().len() >= 12, "{all}");
        assert!(all["scopes"].as_array().unwrap().contains(&json!("audit_events:read")));
    }

    #[tokio::test]
    async fn scope_expiry_and_restriction_inputs_are_validated() {
        let app = spawn_app().await;
        let account = app.signup().await;
        let t = Some(account.access_token.as_str());
        let cases = [
            (json!({"name": "k", "scopes": ["contacts:admin"]}), "scopes[0]", "unknown_scope"),
            (json!({"name": "k", "scopes": ["members:read", "bogus"]}), "scopes[1]", "unknown_scope"),
            (json!({"name": "k", "scopes": []}), "scopes", "length"),
            (
                json!({"name": "k", "expires_at": (Utc::now() - Duration::minutes(1)).to_rfc3339()}),
                "expires_at",
                "in_past",
            ),
            (
                json!({"name": "k", "expires_at": (Utc::now() + Duration::days(800)).to_rfc3339()}),
                "expires_at",
                "too_far",
            ),
            (
                json!({"name": "k", "allowed_organization_ids": [account.org_id]}),
                "allowed_organization_ids",
                "not_an_agency",
            ),
        ];
        for (body, field, code) in cases {
            let res = app.post_json("/v1/api-keys", t, &body).await;
            let problem = assert_problem(res, 422, "validation_failed").await;
            assert_eq!(problem["errors"][0]["field"], field, "{body} → {problem}");
            assert_eq!(problem["errors"][0]["code"], code, "{body} → {problem}");
        }
        let res = app.post_json("/v1/api-keys", t, &json!({"name": "k", "scopes": ["contacts:admin"]})).await;
        let problem: Value = res.json().await.unwrap();
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("contacts:admin"), "names the scope");
        let res = app.post_json("/v1/api-keys", t, &json!({"name": "k", "allowed_organization_ids": ["nope"]})).await;
        assert_problem(res, 422, "validation_failed").await;
    }

    #[tokio::test]
    async fn an_expired_key_is_refused() {
        let app = spawn_app_with(|s| s.api_key_cache_ttl_secs = 0).await;
        let account = app.signup().await;
        let expires = Utc::now() + Duration::days(30);
        let key =
            create_key(&app, &account.access_token, json!({"name": "temp", "expires_at": expires.to_rfc3339()})).await;
        let returned: chrono::DateTime<Utc> = key["expires_at"].as_str().unwrap().parse().unwrap();
        assert!((returned - expires).num_seconds().abs() <= 1);
        let secret = key["secret"].as_str().unwrap();
        assert_eq!(app.get("/v1/api-keys", Some(secret)).await.status(), 200);

        let db = app.db().await;
        api_key::Entity::update_many()
            .col_expr(api_key::Column::ExpiresAt, Expr::value(Some(Utc::now() - Duration::seconds(1))))
            .filter(api_key::Column::Id.eq(uuid_of(key["id"].as_str().unwrap())))
            .exec(&db)
            .await
            .unwrap();
        assert_problem(app.get("/v1/api-keys", Some(secret)).await, 401, "api_key_expired").await;
    }

    #[tokio::test]
    async fn rotation_keeps_the_old_secret_for_the_grace_period() {
        let app = spawn_app_with(|s| s.api_key_cache_ttl_secs = 0).await;
        let account = app.signup().await;
        let token = account.access_token.as_str();
        let key = create_key(&app, token, json!({"name": "deploy"})).await;
        let (id, old) = (key["id"].as_str().unwrap(), key["secret"].as_str().unwrap());
        assert_eq!(app.get("/v1/me", Some(old)).await.status(), 200);

        let res = app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(token), &json!({})).await;
        assert_eq!(res.status(), 200);
        let rotated: Value = res.json().await.unwrap();
        let new = rotated["secret"].as_str().unwrap();
        assert_ne!(new, old);
        assert_eq!(rotated["id"], id);
        assert_eq!(rotated["prefix"], &new[..12]);
        let grace_end: chrono::DateTime<Utc> = rotated["previous_secret_expires_at"].as_str().unwrap().parse().unwrap();
        let expected = Utc::now() + Duration::seconds(app.settings.api_key_rotation_grace_secs as i64);
        assert!((grace_end - expected).num_seconds().abs() <= 5, "default grace");
        // Both work during the grace period.
        assert_eq!(app.get("/v1/me", Some(old)).await.status(), 200);
        assert_eq!(app.get("/v1/me", Some(new)).await.status(), 200);
        let fetched: Value = app.get(&format!("/v1/api-keys/{id}"), Some(token)).await.json().await.unwrap();
        assert_eq!(fetched["previous_secret_expires_at"], rotated["previous_secret_expires_at"]);
        assert!(fetched.get("secret").is_none());

        // After the grace end the old secret is refused; the new one keeps working.
        let db = app.db().await;
        api_key::Entity::update_many()
            .col_expr(api_key::Column::PreviousExpiresAt, Expr::value(Some(Utc::now() - Duration::seconds(1))))
            .filter(api_key::Column::Id.eq(uuid_of(id)))
            .exec(&db)
            .await
            .unwrap();
        assert_problem(app.get("/v1/me", Some(old)).await, 401, "api_key_expired").await;
        assert_eq!(app.get("/v1/me", Some(new)).await.status(), 200);

        // Grace 0: the secret being replaced stops at once.
        let res =
            app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(token), &json!({"grace_period_secs": 0})).await;
        let third: Value = res.json().await.unwrap();
        assert_eq!(third["previous_secret_expires_at"], Value::Null);
        assert_problem(app.get("/v1/me", Some(new)).await, 401, "invalid_api_key").await;
        assert_eq!(app.get("/v1/me", Some(third["secret"].as_str().unwrap())).await.status(), 200);

        let res = app
            .post_json(&format!("/v1/api-keys/{id}/rotate"), Some(token), &json!({"grace_period_secs": 604_801}))
            .await;
        assert_problem(res, 422, "validation_failed").await;
    }

    #[tokio::test]
    async fn rotation_with_the_cache_on_takes_effect_at_once_and_respects_the_caller() {
        let app = spawn_app().await;
        let account = app.signup().await;
        let token = account.access_token.as_str();
        let key = create_key(&app, token, json!({"name": "cached"})).await;
        let (id, old) = (key["id"].as_str().unwrap(), key["secret"].as_str().unwrap());
        assert_eq!(app.get("/v1/me", Some(old)).await.status(), 200, "cached now");
        let res =
            app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(token), &json!({"grace_period_secs": 0})).await;
        assert_eq!(res.status(), 200);
        assert_problem(app.get("/v1/me", Some(old)).await, 401, "invalid_api_key").await;

        // A narrower key cannot rotate (and so take over) a broader one.
        let narrow = create_key(&app, token, json!({"name": "narrow", "scopes": ["api_keys:write"]})).await;
        let narrow = narrow["secret"].as_str().unwrap();
        let res = app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(narrow), &json!({})).await;
        assert_problem(res, 403, "key_exceeds_caller").await;

        // Another tenant's key is not found; revocation also ends a rotated-out secret.
        let bob = app.signup().await;
        let res = app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(&bob.access_token), &json!({})).await;
        assert_problem(res, 404, "not_found").await;
        let k = create_key(&app, token, json!({"name": "rev"})).await;
        let kid = k["id"].as_str().unwrap();
        let rotated: Value =
            app.post_json(&format!("/v1/api-keys/{kid}/rotate"), Some(token), &json!({})).await.json().await.unwrap();
        assert_eq!(app.get("/v1/me", Some(k["secret"].as_str().unwrap())).await.status(), 200, "in grace");
        assert_eq!(app.delete(&format!("/v1/api-keys/{kid}"), Some(token)).await.status(), 204);
        assert_problem(app.get("/v1/me", Some(k["secret"].as_str().unwrap())).await, 401, "invalid_api_key").await;
        assert_problem(app.get("/v1/me", Some(rotated["secret"].as_str().unwrap())).await, 401, "invalid_api_key")
            .await;
    }

    #[tokio::test]
    async fn last_used_time_and_ip_are_recorded() {
        let app = spawn_app().await;
        let account = app.signup().await;
        let key = create_key(&app, &account.access_token, json!({"name": "ip"})).await;
        assert_eq!(key["last_used_ip"], Value::Null);
        let id = key["id"].as_str().unwrap();
        assert_eq!(app.get("/v1/me", Some(key["secret"].as_str().unwrap())).await.status(), 200);
        let mut fetched = Value::Null;
        for _ in 0..50 {
            fetched = app.get(&format!("/v1/api-keys/{id}"), Some(&account.access_token)).await.json().await.unwrap();
            if !fetched["last_used_ip"].is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(fetched["last_used_ip"], "127.0.0.1");
        assert!(fetched["last_used_at"].is_string());
    }

    /// Makes the account's organisation an agency with two client workspaces; returns their ids.
    pub async fn make_agency(app: &TestApp, org_id: &str) -> (String, String) {
        let db = app.db().await;
        let agency = uuid_of(org_id);
        tenant::Entity::update_many()
            .col_expr(tenant::Column::Kind, Expr::value("agency"))
            .filter(tenant::Column::Id.eq(agency))
            .exec(&db)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for name in ["Client A", "Client B"] {
            let id = uuid::Uuid::now_v7();
            tenant::ActiveModel {
                id: Set(id),
                name: Set(name.into()),
                kind: Set("client".into()),
                parent_id: Set(Some(agency)),
                suspended_at: Set(None),
                seat_limit: Set(None),
                default_phone_region: Set(None),
                created_at: Set(Utc::now()),
                updated_at: Set(Utc::now()),
            }
            .insert(&db)
            .await
            .unwrap();
            ids.push(campaign_os::platform::ids::TenantId::from_uuid(id).to_string());
        }
        (ids[0].clone(), ids[1].clone())
    }

    #[tokio::test]
    async fn an_agency_key_restricted_to_one_client_cannot_reach_another() {
        let app = spawn_app_with(|s| s.api_key_cache_ttl_secs = 0).await;
        let agency = app.signup().await;
        let (a, b) = make_agency(&app, &agency.org_id).await;
        let token = agency.access_token.as_str();

        let key = create_key(&app, token, json!({"name": "client A only", "allowed_organization_ids": [a]})).await;
        assert_eq!(key["allowed_organization_ids"], json!([a]));
        let secret = key["secret"].as_str().unwrap();
        assert_eq!(get_with_tenant(&app, "/v1/api-keys", secret, &a).await.status(), 200);
        assert_problem(get_with_tenant(&app, "/v1/api-keys", secret, &b).await, 404, "not_found").await;
        assert_eq!(app.get("/v1/api-keys", Some(secret)).await.status(), 200, "its own agency");
        // An unrestricted agency key reaches both.
        let (_, open) = app.create_api_key(token, "all clients").await;
        assert_eq!(get_with_tenant(&app, "/v1/api-keys", &open, &b).await.status(), 200);

        // A key made by the restricted key inherits the restriction and cannot widen it.
        let child = create_key(&app, secret, json!({"name": "child"})).await;
        assert_eq!(child["allowed_organization_ids"], json!([a]));
        let res =
            app.post_json("/v1/api-keys", Some(secret), &json!({"name": "w", "allowed_organization_ids": [b]})).await;
        assert_eq!(assert_problem(res, 422, "validation_failed").await["errors"][0]["code"], "not_a_client");
        // Only clients of this agency can be named.
        let other = app.signup().await;
        let res = app
            .post_json("/v1/api-keys", Some(token), &json!({"name": "w", "allowed_organization_ids": [other.org_id]}))
            .await;
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "allowed_organization_ids[0]");

        // Acting through X-Tenant-Id creates the key in the client workspace.
        let res = app
            .client
            .post(app.url("/v1/api-keys"))
            .bearer_auth(token)
            .header("X-Tenant-Id", &a)
            .json(&json!({"name": "in client A"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let in_a: Value = res.json().await.unwrap();
        let me: Value = app.get("/v1/me", Some(in_a["secret"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!(me["organization"]["id"], a.as_str());
        let agency_keys: Value = app.get("/v1/api-keys", Some(token)).await.json().await.unwrap();
        assert!(!agency_keys["data"].as_array().unwrap().iter().any(|k| k["id"] == in_a["id"]));

        // The stored form is what the resolver reads.
        let db = app.db().await;
        let row = api_key::Entity::find_by_id(uuid_of(key["id"].as_str().unwrap())).one(&db).await.unwrap().unwrap();
        assert_eq!(row.allowed_tenant_ids.unwrap(), uuid_of(&a).to_string());
    }
}
