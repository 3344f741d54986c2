//! HTTP handlers of the operator endpoints. Each takes `OperatorCtx` and extracts its path,
//! query and body only after it (actix runs a handler's extractors concurrently, so a declared
//! `web::Path` or `ValidatedQuery` could answer 400/422 first): anyone who is not an operator
//! gets the router's 404 before any other check runs.

use actix_web::{FromRequest, HttpRequest, get, post, web};

use super::{
    dto::{
        AdminAuditEventQuery, AdminOrganizationList, AdminOrganizationOut, AdminOrganizationQuery, SandboxEmailList,
        SandboxEmailQuery, SuspendOrganizationIn,
    },
    service,
};
use crate::{
    audit::{
        dto::AuditEventList,
        service::{self as audit_service, AuditFilter, page_request},
    },
    platform::{
        auth::operator::OperatorCtx,
        extract::{ValidatedJson, ValidatedQuery},
        ids::TenantId,
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// List organisations (operators)
///
/// Every organisation on the platform, oldest first, with cursor pagination. `q` searches: a
/// case-insensitive substring of the name, or an exact id (`org_…`). Operator-only: anyone else
/// gets 404.
#[utoipa::path(
    operation_id = "admin_list_organizations",
    tag = "admin",
    security(("bearer" = [])),
    params(AdminOrganizationQuery),
    responses(
        (status = 200, description = "A page of organisations.", body = AdminOrganizationList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/admin/organizations")]
pub async fn admin_list_organizations(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AdminOrganizationList>> {
    let q = ValidatedQuery::<AdminOrganizationQuery>::extract(&req).await?.0;
    let page = page_request(q.limit, q.cursor)?;
    Ok(web::Json(service::list_organizations(&state, q.q.as_deref(), page).await?))
}

/// Get an organisation (operators)
///
/// One organisation, whatever its kind or state. Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_get_organization",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = TenantId, Path, description = "The organisation's id (`org_…`).")),
    responses(
        (status = 200, description = "The organisation.", body = AdminOrganizationOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/admin/organizations/{id}")]
pub async fn admin_get_organization(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AdminOrganizationOut>> {
    let id = web::Path::<TenantId>::extract(&req).await?.into_inner();
    Ok(web::Json(service::get_organization(&state, id).await?))
}

/// Suspend an organisation (operators)
///
/// Suspends the organisation: from the next request on, its members' access tokens and its API
/// keys are refused with 403 `organization_suspended` (a suspended agency's principals cannot
/// reach its client workspaces either). Nothing is deleted; unsuspend restores access. The
/// reason is recorded in the audit log, which the organisation can read. Suspending a
/// suspended organisation changes nothing. Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_suspend_organization",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = TenantId, Path, description = "The organisation's id (`org_…`).")),
    request_body = SuspendOrganizationIn,
    responses(
        (status = 200, description = "The organisation, suspended.", body = AdminOrganizationOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/admin/organizations/{id}/suspend")]
pub async fn admin_suspend_organization(
    op: OperatorCtx,
    state: web::Data<AppState>,
    meta: RequestMeta,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<web::Json<AdminOrganizationOut>> {
    let id = web::Path::<TenantId>::extract(&req).await?.into_inner();
    let body = ValidatedJson::<SuspendOrganizationIn>::from_request(&req, &mut payload.into_inner()).await?.0;
    Ok(web::Json(service::set_suspended(&state, &op, &meta, id, Some(body.reason)).await?))
}

/// Unsuspend an organisation (operators)
///
/// Lifts a suspension: the organisation's tokens and keys work again at once. Unsuspending an
/// active organisation changes nothing. Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_unsuspend_organization",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = TenantId, Path, description = "The organisation's id (`org_…`).")),
    responses(
        (status = 200, description = "The organisation, active.", body = AdminOrganizationOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/admin/organizations/{id}/unsuspend")]
pub async fn admin_unsuspend_organization(
    op: OperatorCtx,
    state: web::Data<AppState>,
    meta: RequestMeta,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AdminOrganizationOut>> {
    let id = web::Path::<TenantId>::extract(&req).await?.into_inner();
    Ok(web::Json(service::set_suspended(&state, &op, &meta, id, None).await?))
}

/// List sandbox emails (operators)
///
/// The messages the server kept instead of sending (no SMTP configured): invitations,
/// verification and password-reset emails. Newest first, optionally only those to one address.
/// Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_list_sandbox_emails",
    tag = "admin",
    security(("bearer" = [])),
    params(SandboxEmailQuery),
    responses(
        (status = 200, description = "A page of messages, newest first.", body = SandboxEmailList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/admin/sandbox/emails")]
pub async fn admin_list_sandbox_emails(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<SandboxEmailList>> {
    let q = ValidatedQuery::<SandboxEmailQuery>::extract(&req).await?.0;
    let page = page_request(q.limit, q.cursor)?;
    Ok(web::Json(service::list_sandbox_emails(&state, q.to.as_deref(), page).await?))
}

/// List audit events across organisations (operators)
///
/// The audit log of every organisation, plus platform events that belong to none (operator
/// creation, failed logins for unknown addresses). Same filters as `list_audit_events`, plus
/// `organization_id`. Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_list_audit_events",
    tag = "admin",
    security(("bearer" = [])),
    params(AdminAuditEventQuery),
    responses(
        (status = 200, description = "A page of events.", body = AuditEventList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/admin/audit-events")]
pub async fn admin_list_audit_events(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AuditEventList>> {
    let q = ValidatedQuery::<AdminAuditEventQuery>::extract(&req).await?.0;
    let page = page_request(q.limit, q.cursor)?;
    let filter =
        AuditFilter { action: q.action, actor_id: q.actor_id, target_id: q.target_id, since: q.since, until: q.until };
    let select = match q.organization_id {
        Some(org) => entities::audit_event::Entity::find_in(org.uuid()),
        None => entities::audit_event::Entity::find_all_for_operator(),
    };
    Ok(web::Json(audit_service::list(&state.db, select, filter, page, q.order.unwrap_or_default()).await?))
}
