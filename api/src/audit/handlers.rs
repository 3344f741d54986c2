//! HTTP handler of the tenant audit log.

use actix_web::{get, web};

use super::{
    dto::{AuditEventList, AuditEventQuery},
    service::{self, AuditFilter},
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
    },
    state::AppState,
};

/// List audit events
///
/// The organisation's security audit log: sign-ups and logins (also failed ones), sessions, 2FA,
/// API keys, members, invitations, clients, suspension. Each event has its actor, action, target,
/// client IP, user agent, request id and time. Filter by `action`, `actor_id`, `target_id` and a
/// `since`/`until` time window; pages are oldest first unless `order=desc`. Only the
/// organisation acted on is visible. Needs `audit_events:read`.
#[utoipa::path(
    operation_id = "list_audit_events",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditEventQuery),
    responses(
        (status = 200, description = "A page of events.", body = AuditEventList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<AuditEventQuery>,
) -> ApiResult<web::Json<AuditEventList>> {
    ctx.require(Scope::new(Resource::AuditEvents, Access::Read))?;
    let q = query.0;
    let page = service::page_request(q.limit, q.cursor)?;
    let filter =
        AuditFilter { action: q.action, actor_id: q.actor_id, target_id: q.target_id, since: q.since, until: q.until };
    let select = entities::audit_event::Entity::find_in(ctx.tenant_id.uuid());
    Ok(web::Json(service::list(&state.db, select, filter, page, q.order.unwrap_or_default()).await?))
}
