//! `Idempotency-Key` on `POST /v1/…` (Stripe's semantics). A retry with the same key and the
//! same request gets the first outcome back (`Idempotent-Replayed: true`) instead of running
//! again; the same key with a different request is `422 idempotency_key_reused`; the same key
//! while the first request still runs is `409 idempotency_key_in_use` (`Retry-After: 1`).
//!
//! Keys are scoped to the principal, worked out without a database hit: the SHA-256 of an API
//! key, or the user and tenant of a JWT that verifies, else `anonymous`; plus the `X-Tenant-Id`
//! header. Nothing readable is stored: the record is found by a keyed MAC of scope and key, the
//! request is remembered as a keyed MAC of method, path, query and body, and the response is
//! sealed (AES-256-GCM) under a key derived from a digest of that request, so a dump of the
//! store reveals neither request bodies (passwords) nor responses (tokens, API key secrets).
//!
//! `multipart/form-data` requests (CSV imports) are not covered: they are streamed, not
//! buffered, so the header is ignored for them (see the idempotency guide).
//!
//! Outcomes kept: 2xx, and 4xx except 401, 403, 404, 429 and our own 409 (those did not run the
//! operation). A 5xx, those statuses, or a response over 1 MiB releases the key, so a retry
//! runs again. Records live `idempotency_ttl_secs` (24 h) in Redis when configured, else in the
//! `idempotency_keys` table, which `spawn_sweeper` prunes.

mod openapi;
mod store;

use std::sync::{Arc, Weak};

use actix_web::{
    Error, HttpMessage, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody, to_bytes},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{
        Method, StatusCode,
        header::{self, HeaderMap, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

pub use self::openapi::IdempotencyDocs;
use self::store::{Claim, Lease, Store, StoredResponse};
use crate::{
    error::ApiError,
    platform::{
        auth::{self, TENANT_HEADER, api_keys::SECRET_PREFIX},
        crypto,
        metrics::Metrics,
    },
    state::AppState,
};

/// The request header carrying the key.
pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
/// The response header marking a replay.
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Responses larger than this are not stored (the key is released instead).
const MAX_STORED_BODY: usize = 1024 * 1024;
/// How often expired rows are deleted from `idempotency_keys`.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// The key of a request, checked: 1–255 printable ASCII characters, one header.
fn parse_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let invalid = |detail: &str| ApiError::bad_request("invalid_idempotency_key", detail.to_owned());
    let mut values = headers.get_all(&HEADER);
    let value = values.next().ok_or_else(|| invalid("Idempotency-Key is missing."))?;
    if values.next().is_some() {
        return Err(invalid("Send one Idempotency-Key header, not several."));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_KEY_LEN || !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
        return Err(invalid("Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is a good choice)."));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// Whether the body is `multipart/form-data` (a streamed upload).
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Who the key belongs to, without a database hit.
fn principal_scope(state: &AppState, req: &actix_web::HttpRequest) -> String {
    let principal = match auth::bearer(req) {
        Ok(token) if token.starts_with(SECRET_PREFIX) => format!("api_key:{}", crypto::sha256_hex(&token)),
        Ok(token) => match state.jwt.verify(&token) {
            Ok(claims) => format!("user:{}:{}", claims.user_id, claims.tenant_id),
            Err(_) => "anonymous".to_owned(),
        },
        Err(_) => "anonymous".to_owned(),
    };
    let tenant = req.headers().get(TENANT_HEADER).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    format!("{principal}\ntenant:{}", tenant.unwrap_or_default())
}

/// Method, path, query and body, unambiguously joined.
fn fingerprint(req: &ServiceRequest, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    for part in [req.method().as_str().as_bytes(), req.path().as_bytes(), req.query_string().as_bytes()] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out.extend_from_slice(body);
    out
}

/// Reads the whole body (bounded) so it can be fingerprinted and handed back to the handler.
async fn read_body(req: &mut ServiceRequest, limit: usize) -> Result<web::Bytes, ApiError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request("invalid_body", format!("The body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether an outcome is kept for replays: the operation ran to a definite answer.
fn storable(status: StatusCode, body: &[u8]) -> bool {
    if body.len() > MAX_STORED_BODY {
        return false;
    }
    if status.is_success() {
        return true;
    }
    if !status.is_client_error() {
        return false;
    }
    match status.as_u16() {
        401 | 403 | 404 | 429 => false,
        409 => !body.windows(22).any(|w| w == b"idempotency_key_in_use"),
        _ => true,
    }
}

fn count(req: &ServiceRequest, outcome: &str) {
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        metrics.idempotency(outcome);
    }
}

fn problem(req: ServiceRequest, err: &ApiError) -> ServiceResponse<BoxBody> {
    let mut res = err.error_response();
    if err.code() == "idempotency_key_in_use" {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    req.into_response(res)
}

/// Releases the lease if the request is dropped (client gone) before it finishes.
struct LeaseGuard {
    state: web::Data<AppState>,
    scope_hash: String,
    lease: Option<Lease>,
}

impl LeaseGuard {
    async fn release(mut self) {
        if let Some(lease) = self.lease.take()
            && let Err(err) = Store::new(&self.state).release(&self.scope_hash, &lease).await
        {
            tracing::warn!(error = %err, "releasing an idempotency key failed");
        }
    }

    async fn complete(mut self, response: StoredResponse) {
        if let Some(lease) = self.lease.take() {
            let store = Store::new(&self.state);
            if let Err(err) = store.complete(&self.scope_hash, &lease, response).await {
                tracing::warn!(error = %err, "storing an idempotent response failed; releasing the key");
                let _ = store.release(&self.scope_hash, &lease).await;
            }
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            let (state, scope_hash) = (self.state.clone(), std::mem::take(&mut self.scope_hash));
            actix_web::rt::spawn(async move {
                let _ = Store::new(&state).release(&scope_hash, &lease).await;
            });
        }
    }
}

/// Middleware: enforces `Idempotency-Key` on `POST /v1/…`; requests without the header pass
/// through untouched.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Multipart uploads (CSV imports, up to `import_max_bytes`) are streamed by their handler:
    // they are never buffered here to be fingerprinted, so the key is ignored for them.
    let applies = req.method() == Method::POST
        && req.path().starts_with("/v1/")
        && req.headers().contains_key(&HEADER)
        && !is_multipart(req.headers());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (true, Some(state)) = (applies, state) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match parse_key(req.headers()) {
        Ok(key) => key,
        Err(err) => {
            count(&req, "invalid");
            return Ok(problem(req, &err));
        }
    };
    let body = match read_body(&mut req, state.settings.max_body_bytes).await {
        Ok(body) => body,
        Err(err) => return Ok(problem(req, &err)),
    };
    req.set_payload(Payload::from(body.clone()));

    let scope = principal_scope(&state, req.request());
    let scope_hash = state.keys.mac_hex(b"idempotency-scope", format!("{scope}\n{key}").as_bytes());
    let fingerprint = fingerprint(&req, &body);
    let request_mac = state.keys.mac_hex(b"idempotency-request", &fingerprint);
    let mut seal_context = b"idempotency-response:".to_vec();
    seal_context.extend_from_slice(&Sha256::digest([scope_hash.as_bytes(), &fingerprint].concat()));

    let lease = match Store::new(&state).claim(&scope_hash, &request_mac).await {
        Ok(Claim::Acquired(lease)) => lease,
        Ok(Claim::Existing(record)) => {
            if !crypto::constant_time_eq(&record.request_mac, &request_mac) {
                let err = ApiError::Unprocessable {
                    code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was used with a different request (method, path, query or body). \
                             Use a new key for a new request."
                        .into(),
                };
                count(&req, "reused");
                return Ok(problem(req, &err));
            }
            let Some(stored) = record.response else {
                let err = ApiError::conflict(
                    "idempotency_key_in_use",
                    "A request with this Idempotency-Key is still being processed; retry shortly with the same key.",
                );
                count(&req, "in_use");
                return Ok(problem(req, &err));
            };
            // A replay must not outlive the credentials: re-authenticate (revoked keys, ended
            // sessions and suspended organisations get their error, not the stored answer).
            if !scope.starts_with("anonymous")
                && let Ok(token) = auth::bearer(req.request())
            {
                let target = auth::target_tenant(req.request()).ok().flatten();
                let ip = req.peer_addr().map(|a| a.ip().to_string());
                if let Err(err) = auth::authenticate(&state, &token, target, ip).await {
                    return Ok(problem(req, &err));
                }
            }
            let Some(plain) = state.keys.open(&seal_context, &stored.body) else {
                let err = ApiError::internal(anyhow::anyhow!("a stored idempotent response could not be opened"));
                return Ok(problem(req, &err));
            };
            let mut res = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
            if let Some(content_type) = stored.content_type {
                res.insert_header((header::CONTENT_TYPE, content_type));
            }
            res.insert_header((REPLAYED_HEADER, HeaderValue::from_static("true")));
            count(&req, "replayed");
            return Ok(req.into_response(res.body(plain)));
        }
        Err(err) => return Ok(problem(req, &err)),
    };
    count(&req, "executed");

    let guard = LeaseGuard { state: state.clone(), scope_hash, lease: Some(lease) };
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(err) => {
            guard.release().await;
            return Err(err);
        }
    };
    let (http_req, http_res) = res.into_parts();
    let (head, body) = http_res.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            guard.release().await;
            let err: Box<dyn std::error::Error> = err.into();
            return Err(ApiError::internal(anyhow::anyhow!("reading the response body failed: {err}")).into());
        }
    };
    let status = head.status();
    if storable(status, &bytes) {
        let content_type = head.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let sealed = state.keys.seal(&seal_context, &bytes);
        guard.complete(StoredResponse { status: status.as_u16(), content_type, body: sealed }).await;
    } else {
        guard.release().await;
    }
    Ok(ServiceResponse::new(http_req, head.set_body(bytes).map_into_boxed_body()))
}

/// Starts the periodic deletion of expired `idempotency_keys` rows (database store only). The
/// task ends when the application state is dropped.
pub fn spawn_sweeper(state: &web::Data<AppState>) {
    if state.redis.is_some() {
        return;
    }
    let weak: Weak<AppState> = Arc::downgrade(&state.clone().into_inner());
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SWEEP_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let Some(state) = weak.upgrade() else { break };
            match store::sweep(&state.db).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(deleted = n, "swept expired idempotency keys"),
                Err(err) => tracing::warn!(error = %err, "sweeping expired idempotency keys failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(HEADER, HeaderValue::from_bytes(v).unwrap_or(HeaderValue::from_static("")));
        }
        map
    }

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        assert!(parse_key(&headers(&[b"5f0c6a1e-3b7d-4c2a-9e8f-1a2b3c4d5e6f"])).is_ok());
        assert!(parse_key(&headers(&[b"a key with spaces ~!"])).is_ok());
        assert!(parse_key(&headers(&["k".repeat(255).as_bytes()])).is_ok());
        assert!(parse_key(&headers(&["k".repeat(256).as_bytes()])).is_err());
        assert!(parse_key(&headers(&[b""])).is_err());
        assert!(parse_key(&headers(&[b"tab\there"])).is_err());
        assert!(parse_key(&headers(&["caf\u{e9}".as_bytes()])).is_err());
        assert!(parse_key(&headers(&[b"a", b"b"])).is_err());
    }

    #[test]
    fn only_definite_outcomes_are_stored() {
        for (status, stored) in [(200, true), (201, true), (204, true), (400, true), (409, true), (422, true)] {
            assert_eq!(storable(StatusCode::from_u16(status).unwrap_or_default(), b"{}"), stored, "{status}");
        }
        for status in [401, 403, 404, 429, 500, 503, 302] {
            assert!(!storable(StatusCode::from_u16(status).unwrap_or_default(), b"{}"), "{status}");
        }
        assert!(!storable(StatusCode::CONFLICT, br#"{"code":"idempotency_key_in_use"}"#));
        assert!(!storable(StatusCode::OK, &vec![b' '; MAX_STORED_BODY + 1]));
    }
}
