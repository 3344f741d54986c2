//! The rate-limit middleware for `/v1`. Each request is counted in one primary bucket:
//!
//! - an API key bearer (`cos_…`): per key (keyed by a hash of the secret; no database work);
//! - a JWT bearer that verifies: per user;
//! - anything else (no or an invalid token): per client IP (the TCP peer).
//!
//! A well-formed API key this node has not yet seen authenticate is also counted per IP, so that
//! inventing keys does not buy fresh buckets. The auth endpoints (login, signup, the 2FA step,
//! password reset, refresh, invitation acceptance) are additionally counted in a stricter per-IP
//! bucket. Every limited response carries `RateLimit-Limit`, `RateLimit-Remaining` and
//! `RateLimit-Reset` for the tightest bucket; a refused request gets `429 rate_limited` with
//! `Retry-After`. Operations endpoints, the API docs and the guides are not limited.

use actix_web::{
    Error, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method, StatusCode,
        header::{self, HeaderMap, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};

use super::{Decision, Policy, RateLimiter};
use crate::{
    error::ApiError,
    platform::{auth::api_keys::SECRET_PREFIX, crypto::sha256_hex, metrics::Metrics},
    state::AppState,
};

pub const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// The POST endpoints that get the stricter per-IP `auth` bucket on top of the primary one.
const AUTH_PATHS: &[&str] = &[
    "/v1/auth/login",
    "/v1/auth/login/mfa",
    "/v1/auth/signup",
    "/v1/auth/password-reset",
    "/v1/auth/password-reset/confirm",
    "/v1/auth/refresh",
    "/v1/invitations/accept",
];

/// Whether `path` is rate limited at all.
pub fn is_limited_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

/// Whether this request also counts in the `auth` bucket.
pub fn is_auth_endpoint(method: &Method, path: &str) -> bool {
    method == Method::POST && AUTH_PATHS.contains(&path.trim_end_matches('/'))
}

/// The primary bucket of a request.
enum Primary {
    /// An API key: the hash of its secret.
    ApiKey(String),
    User(String),
    Ip,
}

fn classify(state: &AppState, headers: &HeaderMap) -> Primary {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match token {
        Some(t) if t.starts_with(SECRET_PREFIX) && t.len() == 44 => Primary::ApiKey(sha256_hex(t)),
        Some(t) if !t.starts_with(SECRET_PREFIX) => match state.jwt.verify(t) {
            Ok(claims) => Primary::User(claims.user_id.to_string()),
            Err(_) => Primary::Ip,
        },
        _ => Primary::Ip,
    }
}

/// Counts the request in each `(key, policy)` in turn, stopping at the first refusal. Returns
/// the decision to report: the refusal, or the allowed one with the fewest requests left.
async fn check_all(limiter: &RateLimiter, checks: &[(String, Policy)]) -> (Decision, &'static str) {
    let mut report: Option<(Decision, &'static str)> = None;
    for (key, policy) in checks {
        let decision = limiter.check(key, *policy).await;
        if !decision.allowed {
            return (decision, policy.bucket);
        }
        if report.is_none_or(|(r, _)| decision.remaining < r.remaining) {
            report = Some((decision, policy.bucket));
        }
    }
    #[allow(clippy::unwrap_used, reason = "checks always holds the primary bucket")]
    report.unwrap()
}

fn set_headers(headers: &mut HeaderMap, d: &Decision) {
    headers.insert(LIMIT, HeaderValue::from(d.limit));
    headers.insert(REMAINING, HeaderValue::from(d.remaining));
    headers.insert(RESET, HeaderValue::from(d.reset_after_secs));
}

fn refusal(bucket: &'static str, d: &Decision) -> ApiError {
    let whom = match bucket {
        "api_key" => "this API key",
        "user" => "this user",
        "auth" => "sign-in and account endpoints from this IP address",
        _ => "this IP address",
    };
    ApiError::TooManyRequests {
        code: "rate_limited",
        detail: format!(
            "Too many requests for {whom} (limit {} per minute); retry after {} seconds.",
            d.limit, d.retry_after_secs
        ),
        retry_after_secs: d.retry_after_secs,
    }
}

/// The middleware (wrapped inside CORS, outside the handlers).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let limiter = &state.rate_limiter;
    if !limiter.policies.enabled || !is_limited_path(req.path()) || req.method() == Method::OPTIONS {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let policies = limiter.policies;
    let ip = req.peer_addr().map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    let primary = classify(&state, req.headers());
    let mut checks = Vec::with_capacity(3);
    if is_auth_endpoint(req.method(), req.path()) {
        checks.push((ip.clone(), policies.auth));
    }
    let api_key_hash = match &primary {
        Primary::ApiKey(hash) => {
            if !limiter.is_known_api_key(hash) {
                checks.push((ip.clone(), policies.ip));
            }
            checks.push((hash[..32].to_owned(), policies.api_key));
            Some(hash.clone())
        }
        Primary::User(user_id) => {
            checks.push((user_id.clone(), policies.user));
            None
        }
        Primary::Ip => {
            checks.push((ip, policies.ip));
            None
        }
    };
    let (decision, bucket) = check_all(limiter, &checks).await;
    if !decision.allowed {
        if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
            metrics.rate_limited(bucket);
        }
        tracing::info!(bucket, retry_after_secs = decision.retry_after_secs, "rate limited");
        let mut res = refusal(bucket, &decision).error_response();
        set_headers(res.headers_mut(), &decision);
        return Ok(req.into_response(res));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(hash) = api_key_hash {
        limiter.remember_api_key(&hash, res.status() != StatusCode::UNAUTHORIZED);
    }
    set_headers(res.headers_mut(), &decision);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_v1_is_limited_and_auth_endpoints_are_recognised() {
        assert!(is_limited_path("/v1/me"));
        assert!(!is_limited_path("/healthz"));
        assert!(!is_limited_path("/v10/x"));
        assert!(!is_limited_path("/api-docs/"));
        assert!(is_auth_endpoint(&Method::POST, "/v1/auth/login"));
        assert!(is_auth_endpoint(&Method::POST, "/v1/invitations/accept"));
        assert!(!is_auth_endpoint(&Method::GET, "/v1/auth/login"));
        assert!(!is_auth_endpoint(&Method::POST, "/v1/auth/logout"));
    }
}
