//! Sign-up, login, refresh rotation and reuse detection, logout, /v1/me.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app, unique_email};

#[tokio::test]
async fn signup_creates_user_org_and_owner_session() {
    let app = spawn_app().await;
    let email = unique_email();
    let res = app
        .post_json(
            "/v1/auth/signup",
            None,
            &json!({"email": email.to_uppercase(), "password": "correct horse battery", "organization_name": "  Acme  "}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["role"], "owner");
    assert_eq!(body["user"]["email"], email, "email is normalised to lower case");
    assert_eq!(body["user"]["name"], Value::Null);
    assert_eq!(body["organization"]["name"], "Acme");
    assert!(body["organization"]["id"].as_str().unwrap().starts_with("org_"));
    assert!(body["user"]["id"].as_str().unwrap().starts_with("usr_"));
    assert!(body["refresh_token"].as_str().unwrap().starts_with("rt_"));

    let me: Value = app.get("/v1/me", body["access_token"].as_str()).await.json().await.unwrap();
    assert_eq!(me["principal_type"], "user");
    assert_eq!(me["user"]["email"], email);
    assert_eq!(me["organization"]["id"], body["organization"]["id"]);
    assert_eq!(me["api_key"], Value::Null);
    assert_eq!(me["role"], "owner");
}

#[tokio::test]
async fn duplicate_email_is_a_409_whatever_the_case() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app
        .post_json(
            "/v1/auth/signup",
            None,
            &json!({"email": account.email.to_uppercase(), "password": "another fine password", "organization_name": "Other"}),
        )
        .await;
    assert_problem(res, 409, "email_taken").await;
}

#[tokio::test]
async fn signup_validates_email_password_and_organisation() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": "correct horse battery", "organization_name": "A"}),
            "email",
            "email",
        ),
        (json!({"email": unique_email(), "password": "short", "organization_name": "A"}), "password", "too_short"),
        (
            json!({"email": unique_email(), "password": "password123", "organization_name": "A"}),
            "password",
            "too_common",
        ),
        (
            json!({"email": unique_email(), "password": "correct horse battery", "organization_name": "   "}),
            "organization_name",
            "blank",
        ),
        (
            json!({"email": unique_email(), "password": "correct horse battery", "organization_name": "A".repeat(201)}),
            "organization_name",
            "length",
        ),
    ];
    for (body, field, code) in cases {
        let problem =
            assert_problem(app.post_json("/v1/auth/signup", None, &body).await, 422, "validation_failed").await;
        let errors = problem["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{field}/{code} not in {problem}");
    }
}

#[tokio::test]
async fn login_succeeds_and_failures_do_not_reveal_which_part_was_wrong() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["organization"]["id"], account.org_id.as_str());
    assert_ne!(body["refresh_token"], account.refresh_token.as_str(), "a login starts a new session");

    let wrong_password =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": "wrong password!!"})).await;
    let a = assert_problem(wrong_password, 401, "invalid_credentials").await;
    let unknown =
        app.post_json("/v1/auth/login", None, &json!({"email": unique_email(), "password": "wrong password!!"})).await;
    let b = assert_problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(a["detail"], b["detail"]);
}

#[tokio::test]
async fn me_requires_valid_credentials() {
    let app = spawn_app().await;
    let res = app.get("/v1/me", None).await;
    assert_eq!(res.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_problem(res, 401, "missing_credentials").await;
    assert_problem(app.get("/v1/me", Some("garbage")).await, 401, "invalid_token").await;
    let res =
        app.client.get(app.url("/v1/me")).header(header::AUTHORIZATION, "Basic Zm9vOmJhcg==").send().await.unwrap();
    assert_problem(res, 401, "invalid_credentials").await;

    // A token signed with another secret, and one with its payload altered, are refused.
    let account = app.signup().await;
    let mut parts: Vec<String> = account.access_token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    assert_problem(app.get("/v1/me", Some(&parts.join("."))).await, 401, "invalid_token").await;
    assert_problem(app.get("/v1/me", Some("cos_notarealkeynotarealkeynotarealkey1234")).await, 401, "invalid_api_key")
        .await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_session() {
    let app = spawn_app().await;
    let account = app.signup().await;

    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": account.refresh_token})).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    let second_token = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_token, account.refresh_token);
    assert_eq!(app.get("/v1/me", second["access_token"].as_str()).await.status(), 200);

    // Presenting the first (rotated) token again is reuse: the family is revoked…
    let reuse = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": account.refresh_token})).await;
    assert_problem(reuse, 401, "refresh_token_reused").await;
    // …so the legitimate-looking second token no longer works either.
    let after = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": second_token})).await;
    assert_problem(after, 401, "invalid_refresh_token").await;

    // Other sessions of the same user are untouched.
    let login: Value = app
        .post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password}))
        .await
        .json()
        .await
        .unwrap();
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": login["refresh_token"]})).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn unknown_refresh_token_is_401() {
    let app = spawn_app().await;
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": "rt_doesnotexist"})).await;
    assert_problem(res, 401, "invalid_refresh_token").await;
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app.post_json("/v1/auth/logout", None, &json!({"refresh_token": account.refresh_token})).await;
    assert_eq!(res.status(), 204);
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": account.refresh_token})).await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    // Unknown tokens are accepted silently (RFC 7009).
    let res = app.post_json("/v1/auth/logout", None, &json!({"refresh_token": "rt_unknown"})).await;
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn concurrent_refreshes_never_fail_with_a_server_error() {
    let app = spawn_app().await;
    let mut accounts = Vec::new();
    for _ in 0..6 {
        accounts.push(app.signup().await);
    }
    // Different sessions refreshing at once all succeed.
    let bodies: Vec<Value> = accounts.iter().map(|a| json!({"refresh_token": a.refresh_token})).collect();
    let results =
        futures_util::future::join_all(bodies.iter().map(|b| app.post_json("/v1/auth/refresh", None, b))).await;
    for res in results {
        assert_eq!(res.status(), 200);
    }
    // The same token presented concurrently: exactly one wins, the rest are reuse (never 500).
    let body = json!({"refresh_token": app.signup().await.refresh_token});
    let results = futures_util::future::join_all((0..6).map(|_| app.post_json("/v1/auth/refresh", None, &body))).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 401), "{statuses:?}");
}
