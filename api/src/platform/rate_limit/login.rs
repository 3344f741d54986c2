//! The login brute-force throttle: `rate_limit_login_per_account` attempts per account per 15
//! minutes, whoever sends them and from wherever (the per-IP side is the `auth` bucket of the
//! middleware). Counted before the password is checked, for existing and unknown accounts alike,
//! so the answer does not reveal whether an account exists.

use serde_json::json;

use super::Policy;
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::request_meta::RequestMeta,
    state::AppState,
};

/// One audit event per throttled account per this many seconds (not one per refused attempt).
const AUDIT_EVERY_SECS: u64 = 60;

/// Counts a login attempt for `email` (already trimmed and lower-cased); answers
/// `429 too_many_login_attempts` with `Retry-After` once the account's budget is spent.
pub async fn throttle_login(state: &AppState, email: &str, meta: &RequestMeta) -> ApiResult<()> {
    let policies = state.rate_limiter.policies;
    if !policies.enabled {
        return Ok(());
    }
    // A keyed MAC, not a plain hash: the bucket keys (in Redis) do not reveal the addresses.
    let account = state.keys.mac_hex(b"rate-limit:login-account", email.as_bytes());
    let account = &account[..32];
    let decision = state.rate_limiter.check(account, policies.login_account).await;
    if decision.allowed {
        return Ok(());
    }
    tracing::info!(retry_after_secs = decision.retry_after_secs, "login throttled for this account");
    let audit_once = Policy::new("login_account_audit", 1, AUDIT_EVERY_SECS);
    if state.rate_limiter.check(account, audit_once).await.allowed {
        let event = AuditEvent::new(action::LOGIN_THROTTLED, None, Actor::Anonymous).metadata(json!({
            "account": &account[..16],
            "limit": decision.limit,
            "window_secs": policies.login_account.period_secs,
            "retry_after_secs": decision.retry_after_secs,
        }));
        audit::record(&state.db, meta, event).await?;
    }
    Err(ApiError::TooManyRequests {
        code: "too_many_login_attempts",
        detail: format!("Too many login attempts for this account; retry after {} seconds.", decision.retry_after_secs),
        retry_after_secs: decision.retry_after_secs,
    })
}
