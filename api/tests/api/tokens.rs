//! Forged and stale access tokens through HTTP: expired, tampered, `alg: none`, another
//! algorithm, and a correctly signed token naming another tenant. Each is a 401, and none reaches
//! another tenant's data.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

/// The secret `spawn_app` configures.
const TEST_SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123";

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &Value, alg: Algorithm) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(TEST_SECRET)).unwrap()
}

#[tokio::test]
async fn forged_and_stale_access_tokens_are_refused() {
    let app = spawn_app().await;
    let alice = app.signup().await;
    let bob = app.signup().await;
    let claims = claims_of(&alice.access_token);
    assert_eq!(app.get("/v1/me", Some(&sign(&claims, Algorithm::HS256))).await.status(), 200, "re-signing works");

    // Expired (beyond the 30 s leeway).
    let now = chrono::Utc::now().timestamp();
    let mut expired = claims.clone();
    expired["iat"] = json!(now - 7200);
    expired["exp"] = json!(now - 3600);
    assert_problem(app.get("/v1/me", Some(&sign(&expired, Algorithm::HS256))).await, 401, "token_expired").await;

    // `alg: none`, and another HMAC algorithm with the right secret: the algorithm is pinned.
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = alice.access_token.split('.').nth(1).unwrap();
    let unsigned = format!("{none_header}.{payload}.");
    assert_problem(app.get("/v1/me", Some(&unsigned)).await, 401, "invalid_token").await;
    assert_problem(app.get("/v1/me", Some(&sign(&claims, Algorithm::HS512))).await, 401, "invalid_token").await;

    // Tampered: Alice's signature over a payload naming Bob's organisation.
    let mut other_tenant = claims.clone();
    other_tenant["tid"] = json!(bob.org_id);
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&other_tenant).unwrap());
    let parts: Vec<&str> = alice.access_token.split('.').collect();
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_problem(app.get("/v1/me", Some(&tampered)).await, 401, "invalid_token").await;

    // Correctly signed (as if the secret leaked) but naming a tenant the session does not belong
    // to: the per-request session check refuses it, so Bob's data stays out of reach.
    let signed_other = sign(&other_tenant, Algorithm::HS256);
    assert_problem(app.get("/v1/me", Some(&signed_other)).await, 401, "session_revoked").await;
    assert_problem(app.get("/v1/members", Some(&signed_other)).await, 401, "session_revoked").await;

    // Wrong audience or issuer.
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("campaign-os-mfa");
    assert_problem(app.get("/v1/me", Some(&sign(&wrong_aud, Algorithm::HS256))).await, 401, "invalid_token").await;
    let mut wrong_iss = claims;
    wrong_iss["iss"] = json!("someone-else");
    assert_problem(app.get("/v1/me", Some(&sign(&wrong_iss, Algorithm::HS256))).await, 401, "invalid_token").await;
}
