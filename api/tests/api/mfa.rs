//! TOTP two-factor authentication: enrol, confirm, login with a challenge, replay refusal,
//! recovery codes, disabling, attempt limits.

use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{
    email_flows::audit_actions,
    helpers::{Account, TestApp, assert_problem, spawn_app},
};

fn totp_of(secret: &str) -> TOTP {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, "test".into()).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// A code for the step `offset` steps from now.
fn code_at(totp: &TOTP, offset: i64) -> String {
    totp.generate(now().saturating_add_signed(offset * 30))
}

/// Enrols and confirms 2FA; returns the TOTP generator and the recovery codes.
async fn enable_mfa(app: &TestApp, account: &Account) -> (TOTP, Vec<String>) {
    let res = app.post_json("/v1/me/mfa/totp", Some(&account.access_token), &json!({})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let uri = body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Campaign%20OS:"), "{uri}");
    let secret = body["secret"].as_str().unwrap();
    assert!(uri.contains(&format!("secret={secret}")));
    let totp = totp_of(secret);
    // A wrong code does not enable it.
    let res = app.post_json("/v1/me/mfa/totp/confirm", Some(&account.access_token), &json!({"code": "000000"})).await;
    if res.status() != 200 {
        assert_problem(res, 422, "invalid_mfa_code").await;
    }
    let res = app
        .post_json("/v1/me/mfa/totp/confirm", Some(&account.access_token), &json!({"code": code_at(&totp, -1)}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<String> =
        body["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 14 && c.matches('-').count() == 2), "{codes:?}");
    (totp, codes)
}

async fn login(app: &TestApp, account: &Account) -> reqwest::Response {
    app.post_json("/v1/auth/login", None, &json!({"email": account.email, "password": account.password})).await
}

async fn challenge(app: &TestApp, account: &Account) -> String {
    let res = login(app, account).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["methods"], json!(["totp", "recovery_code"]));
    assert_eq!(body["expires_in"], 300);
    assert!(body.get("access_token").is_none());
    body["challenge_token"].as_str().unwrap().to_owned()
}

async fn complete(app: &TestApp, challenge: &str, code: &str) -> reqwest::Response {
    app.post_json("/v1/auth/login/mfa", None, &json!({"challenge_token": challenge, "code": code})).await
}

#[tokio::test]
async fn enrol_confirm_then_login_needs_a_code_that_works_once() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (totp, _) = enable_mfa(&app, &account).await;
    let me: Value = app.get("/v1/me", Some(&account.access_token)).await.json().await.unwrap();
    assert_eq!(me["user"]["mfa_enabled"], true);

    // Enabling again is a conflict (enrol and confirm).
    let res = app.post_json("/v1/me/mfa/totp", Some(&account.access_token), &json!({})).await;
    assert_problem(res, 409, "mfa_already_enabled").await;

    let token = challenge(&app, &account).await;
    // The challenge is not an access token.
    assert_eq!(app.get("/v1/me", Some(&token)).await.status(), 401);
    // The code used to confirm (step -1) is never accepted again; a wrong one is 401.
    assert_problem(complete(&app, &token, &code_at(&totp, -1)).await, 401, "invalid_mfa_code").await;
    let code = code_at(&totp, 0);
    let res = complete(&app, &token, &code).await;
    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["user"]["mfa_enabled"], true);
    let me = app.get("/v1/me", session["access_token"].as_str()).await;
    assert_eq!(me.status(), 200);

    // The same code, even with a new challenge, is refused; the used challenge is dead.
    let again = challenge(&app, &account).await;
    assert_problem(complete(&app, &again, &code).await, 401, "invalid_mfa_code").await;
    assert_problem(complete(&app, &token, &code_at(&totp, 1)).await, 401, "invalid_mfa_challenge").await;
    assert_problem(complete(&app, "not-a-token", &code).await, 401, "invalid_mfa_challenge").await;

    let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|e| e.action).collect();
    for action in ["auth.mfa.enrolled", "auth.mfa.enabled", "auth.mfa.failed", "auth.login.succeeded"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (_, codes) = enable_mfa(&app, &account).await;
    let token = challenge(&app, &account).await;
    // Typed in upper case with spaces: still accepted.
    let res = complete(&app, &token, &codes[0].to_uppercase().replace('-', " ")).await;
    assert_eq!(res.status(), 200);
    let token = challenge(&app, &account).await;
    assert_problem(complete(&app, &token, &codes[0]).await, 401, "invalid_mfa_code").await;
    assert_eq!(complete(&app, &token, &codes[1]).await.status(), 200);
    let events = audit_actions(&app).await;
    let used: Vec<_> = events.iter().filter(|e| e.action == "auth.mfa.recovery_code_used").collect();
    assert_eq!(used.len(), 2);
    assert!(used[1].metadata.as_deref().unwrap().contains("\"remaining\":8"));
    for e in &events {
        let text = format!("{e:?}");
        assert!(codes.iter().all(|c| !text.contains(c.as_str())), "no recovery code in the audit log");
    }
}

#[tokio::test]
async fn disabling_needs_a_valid_code() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (totp, codes) = enable_mfa(&app, &account).await;
    let t = &account.access_token;
    let res = app.post_json("/v1/me/mfa/totp/disable", Some(t), &json!({"code": "123456"})).await;
    if res.status() != 204 {
        assert_problem(res, 422, "invalid_mfa_code").await;
    }
    let res = app.post_json("/v1/me/mfa/totp/disable", Some(t), &json!({"code": "zzzz-zzzz-zzzz"})).await;
    assert_problem(res, 422, "invalid_mfa_code").await;
    // Regenerating recovery codes needs a code too; the old ones stop working.
    let res = app.post_json("/v1/me/mfa/recovery-codes", Some(t), &json!({"code": codes[0]})).await;
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.unwrap();
    let res = app.post_json("/v1/me/mfa/totp/disable", Some(t), &json!({"code": codes[1]})).await;
    assert_problem(res, 422, "invalid_mfa_code").await;

    let res = app.post_json("/v1/me/mfa/totp/disable", Some(t), &json!({"code": code_at(&totp, 0)})).await;
    assert_eq!(res.status(), 204);
    let me: Value = app.get("/v1/me", Some(t)).await.json().await.unwrap();
    assert_eq!(me["user"]["mfa_enabled"], false);
    let res = app.post_json("/v1/me/mfa/totp/disable", Some(t), &json!({"code": fresh["recovery_codes"][0]})).await;
    assert_problem(res, 409, "mfa_not_enabled").await;
    // Login is one step again.
    assert_eq!(login(&app, &account).await.status(), 200);
    assert!(audit_actions(&app).await.iter().any(|e| e.action == "auth.mfa.disabled"));
}

#[tokio::test]
async fn a_challenge_dies_after_five_wrong_codes_and_api_keys_cannot_manage_mfa() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let (totp, _) = enable_mfa(&app, &account).await;
    let token = challenge(&app, &account).await;
    for _ in 0..5 {
        assert_problem(complete(&app, &token, "zzzz-zzzz-zzzz").await, 401, "invalid_mfa_code").await;
    }
    assert_problem(complete(&app, &token, &code_at(&totp, 0)).await, 401, "invalid_mfa_challenge").await;
    // A fresh challenge still works.
    let token = challenge(&app, &account).await;
    assert_eq!(complete(&app, &token, &code_at(&totp, 0)).await.status(), 200);

    let (_, key) = app.create_api_key(&account.access_token, "ci").await;
    let res = app.post_json("/v1/me/mfa/totp", Some(&key), &json!({})).await;
    assert_problem(res, 403, "user_principal_required").await;
    let res = app.post_json("/v1/me/mfa/totp/disable", Some(&key), &json!({"code": "123456"})).await;
    assert_problem(res, 403, "user_principal_required").await;
}

#[tokio::test]
async fn confirming_without_enrolling_is_a_conflict() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let res = app.post_json("/v1/me/mfa/totp/confirm", Some(&account.access_token), &json!({"code": "123456"})).await;
    assert_problem(res, 409, "mfa_not_enrolled").await;
    let res = app.post_json("/v1/me/mfa/recovery-codes", Some(&account.access_token), &json!({"code": "123456"})).await;
    assert_problem(res, 409, "mfa_not_enabled").await;
}
