//! Email verification and password reset: single-use, expiring tokens read from the sandbox
//! mailbox; reset ends every session; no account enumeration. Also the audit trail of the login
//! flows.

use std::time::Duration;

use entities::{audit_event, email_token, sandbox_email};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app, unique_email};

/// The newest sandbox email to `to` whose subject is `subject`, waiting for background senders.
pub async fn wait_for_email(app: &TestApp, to: &str, subject: &str, after: usize) -> sandbox_email::Model {
    let db = app.db().await;
    for _ in 0..100 {
        let rows = sandbox_email::Entity::find()
            .filter(sandbox_email::Column::ToAddress.eq(to))
            .filter(sandbox_email::Column::Subject.eq(subject))
            .order_by_asc(sandbox_email::Column::Id)
            .all(&db)
            .await
            .unwrap();
        if rows.len() > after {
            return rows.into_iter().last().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email `{subject}` to {to} arrived");
}

/// How many emails with this subject were sent to `to`.
pub async fn count_emails(app: &TestApp, to: &str, subject: &str) -> usize {
    sandbox_email::Entity::find()
        .filter(sandbox_email::Column::ToAddress.eq(to))
        .filter(sandbox_email::Column::Subject.eq(subject))
        .all(&app.db().await)
        .await
        .unwrap()
        .len()
}

/// The token in an email's link (`…?token=…`).
pub fn token_in(mail: &sandbox_email::Model) -> String {
    let start = mail.body_text.find("token=").expect("a link with a token") + "token=".len();
    mail.body_text[start..].split_whitespace().next().unwrap().to_owned()
}

/// Audit actions recorded so far, oldest first.
pub async fn audit_actions(app: &TestApp) -> Vec<audit_event::Model> {
    audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(&app.db().await).await.unwrap()
}

const VERIFY: &str = "Verify your email address";
const RESET: &str = "Reset your password";

#[tokio::test]
async fn signup_sends_a_verification_link_that_works_once() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let me: Value = app.get("/v1/me", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(me["user"]["email_verified"], false);
    assert_eq!(me["user"]["email_verified_at"], Value::Null);
    assert_eq!(me["user"]["mfa_enabled"], false);

    let mail = wait_for_email(&app, &account.email, VERIFY, 0).await;
    let token = token_in(&mail);
    assert!(mail.body_text.contains(&format!("{}/verify-email?token=", app.settings.public_url)));
    let stored = email_token::Entity::find().all(&app.db().await).await.unwrap();
    assert!(stored.iter().all(|t| t.token_hash != token), "only a hash is stored");

    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": token })).await;
    assert_eq!(res.status(), 204);
    let me: Value = app.get("/v1/me", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(me["user"]["email_verified"], true);
    assert!(me["user"]["email_verified_at"].is_string());

    // Single use.
    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": token })).await;
    assert_problem(res, 400, "invalid_verification_token").await;
    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": "nope" })).await;
    assert_problem(res, 400, "invalid_verification_token").await;

    // Already verified: re-sending is a conflict.
    let res = app.post_json("/v1/me/verify-email", Some(&account.access_token), &json!({})).await;
    assert_problem(res, 409, "email_already_verified").await;
    assert!(audit_actions(&app).await.iter().any(|e| e.action == "auth.email.verified"));
}

#[tokio::test]
async fn resending_verification_replaces_the_old_link_and_needs_a_user() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let first = token_in(&wait_for_email(&app, &account.email, VERIFY, 0).await);
    let res = app.client.post(app.url("/v1/me/verify-email")).bearer_auth(&account.access_token).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let second = token_in(&wait_for_email(&app, &account.email, VERIFY, 1).await);
    assert_ne!(first, second);
    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": first })).await;
    assert_problem(res, 400, "invalid_verification_token").await;

    let (_, key) = app.create_api_key(&account.access_token, "ci").await;
    let res = app.client.post(app.url("/v1/me/verify-email")).bearer_auth(&key).send().await.unwrap();
    assert_problem(res, 403, "user_principal_required").await;

    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": second })).await;
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn expired_verification_token_is_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = token_in(&wait_for_email(&app, &account.email, VERIFY, 0).await);
    email_token::Entity::update_many()
        .col_expr(email_token::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .exec(&app.db().await)
        .await
        .unwrap();
    let res = app.post_json("/v1/auth/verify-email", None, &json!({ "token": token })).await;
    assert_problem(res, 400, "invalid_verification_token").await;
}

async fn request_reset(app: &TestApp, email: &str) -> Value {
    let res = app.post_json("/v1/auth/password-reset", None, &json!({ "email": email })).await;
    assert_eq!(res.status(), 202);
    res.json().await.unwrap()
}

#[tokio::test]
async fn password_reset_is_single_use_and_ends_every_session() {
    let app = spawn_app().await;
    let account = app.signup().await;
    // A second session of the same user.
    let login: Value = app
        .post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password}))
        .await
        .json()
        .await
        .unwrap();

    let body = request_reset(&app, &account.email.to_uppercase()).await;
    let token = token_in(&wait_for_email(&app, &account.email, RESET, 0).await);

    // The policy applies, and a refused password does not use up the token.
    let res =
        app.post_json("/v1/auth/password-reset/confirm", None, &json!({"token": token, "new_password": "short"})).await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "new_password");

    let new_password = "a brand new passphrase";
    let res = app
        .post_json("/v1/auth/password-reset/confirm", None, &json!({"token": token, "new_password": new_password}))
        .await;
    assert_eq!(res.status(), 204);

    // Every session ended: refresh tokens and access tokens.
    for refresh in [&account.refresh_token, login["refresh_token"].as_str().unwrap()] {
        let res = app.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": refresh })).await;
        assert_problem(res, 401, "invalid_refresh_token").await;
    }
    for access in [&account.access_token, login["access_token"].as_str().unwrap()] {
        assert_eq!(app.get("/v1/me", Some(access)).await.status(), 401);
    }

    // Single use.
    let res = app
        .post_json(
            "/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "yet another passphrase"}),
        )
        .await;
    assert_problem(res, 400, "invalid_reset_token").await;

    // The old password is gone; the new one works.
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password})).await;
    assert_problem(res, 401, "invalid_credentials").await;
    let res = app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": new_password})).await;
    assert_eq!(res.status(), 200);

    wait_for_email(&app, &account.email, "Your password was changed", 0).await;
    let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"auth.password_reset.requested".to_owned()), "{actions:?}");
    assert!(actions.contains(&"auth.password_reset.completed".to_owned()), "{actions:?}");
    assert_eq!(body["message"], request_reset(&app, "nobody@example.com").await["message"]);
}

#[tokio::test]
async fn reset_does_not_reveal_whether_an_address_is_registered() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let unknown = unique_email();
    let known_body = request_reset(&app, &account.email).await;
    let unknown_body = request_reset(&app, &unknown).await;
    assert_eq!(known_body, unknown_body);
    wait_for_email(&app, &account.email, RESET, 0).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count_emails(&app, &unknown, RESET).await, 0, "no email for an unknown address");
    // The audit trail names no unknown address.
    for event in audit_actions(&app).await {
        assert!(!event.metadata.unwrap_or_default().contains(&unknown));
        assert!(event.action != "auth.password_reset.requested" || event.target_id.is_some());
    }
    // Malformed addresses get the same answer too.
    assert_eq!(request_reset(&app, "not an address").await, known_body);
}

#[tokio::test]
async fn expired_and_replaced_reset_tokens_are_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    request_reset(&app, &account.email).await;
    let first = token_in(&wait_for_email(&app, &account.email, RESET, 0).await);
    request_reset(&app, &account.email).await;
    let second = token_in(&wait_for_email(&app, &account.email, RESET, 1).await);
    let confirm = |token: String| json!({"token": token, "new_password": "a brand new passphrase"});
    let res = app.post_json("/v1/auth/password-reset/confirm", None, &confirm(first)).await;
    assert_problem(res, 400, "invalid_reset_token").await;

    email_token::Entity::update_many()
        .col_expr(email_token::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .filter(email_token::Column::Purpose.eq("password_reset"))
        .exec(&app.db().await)
        .await
        .unwrap();
    let res = app.post_json("/v1/auth/password-reset/confirm", None, &confirm(second)).await;
    assert_problem(res, 400, "invalid_reset_token").await;
    // The old password still works.
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password})).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn login_flows_are_audited_without_secrets() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let unknown = unique_email();
    let res = app.post_json("/v1/auth/login", None, &json!({"email": unknown, "password": "whatever it is"})).await;
    assert_problem(res, 401, "invalid_credentials").await;
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": "wrong password!"})).await;
    assert_problem(res, 401, "invalid_credentials").await;
    let login: Value = app
        .post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password}))
        .await
        .json()
        .await
        .unwrap();
    let refresh = login["refresh_token"].as_str().unwrap();
    let res = app.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": refresh })).await;
    assert_eq!(res.status(), 200);
    let res = app.post_json("/v1/auth/refresh", None, &json!({ "refresh_token": refresh })).await;
    assert_problem(res, 401, "refresh_token_reused").await;
    let res = app.post_json("/v1/auth/logout", None, &json!({ "refresh_token": account.refresh_token })).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/v1/me", Some(&account.access_token)).await, 401, "session_revoked").await;

    let events = audit_actions(&app).await;
    let of = |action: &str| events.iter().filter(|e| e.action == action).collect::<Vec<_>>();
    assert_eq!(of("auth.signup").len(), 1);
    assert_eq!(of("auth.signup")[0].target_id.as_deref(), Some(account.user_id.as_str()));
    let failed = of("auth.login.failed");
    assert_eq!(failed.len(), 2);
    // Unknown account: no tenant, no address. Known account: its organisation, anonymous actor.
    assert_eq!(failed[0].tenant_id, None);
    assert_eq!(failed[0].target_id, None);
    assert_eq!(failed[1].actor_type, "anonymous");
    assert!(failed[1].tenant_id.is_some());
    assert_eq!(failed[1].target_id.as_deref(), Some(account.user_id.as_str()));
    let succeeded = of("auth.login.succeeded");
    assert_eq!(succeeded.len(), 1);
    assert_eq!(succeeded[0].actor_type, "user");
    assert_eq!(succeeded[0].actor_id.as_deref(), Some(account.user_id.as_str()));
    assert_eq!(of("auth.refresh_token.reused").len(), 1);
    assert_eq!(of("auth.logout").len(), 1);
    for e in &events {
        let text = format!("{:?}", e);
        assert!(!text.contains(&account.password) && !text.contains("wrong password!") && !text.contains(&unknown));
    }
}

#[tokio::test]
async fn login_refuses_a_suspended_organisation() {
    let app = spawn_app().await;
    let account = app.signup().await;
    entities::tenant::Entity::update_many()
        .col_expr(entities::tenant::Column::SuspendedAt, Expr::value(chrono::Utc::now()))
        .exec(&app.db().await)
        .await
        .unwrap();
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password})).await;
    assert_problem(res, 403, "organization_suspended").await;
    // A wrong password still says only that.
    let res =
        app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": "wrong password!"})).await;
    assert_problem(res, 401, "invalid_credentials").await;
}
