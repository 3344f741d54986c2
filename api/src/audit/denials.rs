//! Audits refused authorisations: a `403` answered to an authenticated principal (its role or
//! scopes do not allow the operation) is recorded as `access.denied` with the method and route.
//! At most one event per principal, method and route per minute, so a misbehaving client cannot
//! flood the log. (Refusals before authentication — bad tokens, suspended organisations — are
//! recorded by the flows that cause them: failed logins, suspensions.)

use std::{sync::LazyLock, time::Duration};

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::StatusCode,
    middleware::Next,
    web,
};
use serde_json::json;

use super::{AuditEvent, action, record};
use crate::{
    platform::{
        auth::{Principal, TenantCtx},
        request_meta::RequestMeta,
    },
    state::AppState,
};

static RECENT: LazyLock<moka::sync::Cache<String, ()>> =
    LazyLock::new(|| moka::sync::Cache::builder().max_capacity(100_000).time_to_live(Duration::from_secs(60)).build());

/// Middleware (innermost): after the handler, records a 403 refused to an authenticated caller.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::FORBIDDEN {
        return Ok(res);
    }
    let request = res.request();
    let ctx = request.extensions().get::<TenantCtx>().cloned();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let (Some(ctx), Some(state)) = (ctx, state) else { return Ok(res) };
    let route = request.match_pattern().unwrap_or_else(|| request.path().to_owned());
    let method = request.method().to_string();
    let principal = match &ctx.principal {
        Principal::User { user_id, .. } => user_id.to_string(),
        Principal::ApiKey(key) => key.id.to_string(),
    };
    let throttle_key = format!("{principal} {} {method} {route}", ctx.tenant_id);
    if RECENT.contains_key(&throttle_key) {
        return Ok(res);
    }
    RECENT.insert(throttle_key, ());
    let event = AuditEvent::by(&ctx, action::ACCESS_DENIED).metadata(json!({ "method": method, "route": route }));
    if let Err(e) = record(&state.db, &RequestMeta::of(request), event).await {
        tracing::warn!(error = %e, "could not record a refused access in the audit log");
    }
    Ok(res)
}
