//! `GET /v1/organization` and `PATCH /v1/organization`: the organisation a request acts on.

use actix_web::{get, patch, web};
use chrono::Utc;
use entities::tenant;
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::json;

use super::{
    common::{lock_tenant, require_owner, seat_limit, seats_used},
    dto::{OrganizationDetailOut, OrganizationKind, OrganizationPatchIn},
};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult, FieldError},
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        db,
        extract::ValidatedJson,
        ids::TenantId,
        patch::Patch,
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// Get the organisation
///
/// Returns the organisation the request acts on (the client workspace when `X-Tenant-Id` is
/// sent), with its kind, managing agency and seat usage. Needs `organization:read`.
#[utoipa::path(
    operation_id = "get_organization",
    tag = "organizations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The organisation.", body = OrganizationDetailOut),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organization")]
pub async fn get_organization(
    state: web::Data<AppState>,
    ctx: TenantCtx,
) -> ApiResult<web::Json<OrganizationDetailOut>> {
    ctx.require(Scope::new(Resource::Organization, Access::Read))?;
    let tenant = tenant::Entity::find_by_id(ctx.tenant_id.uuid())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    let used = seats_used(&state.db, tenant.id, Utc::now()).await?;
    Ok(web::Json(detail(&state, tenant, used)))
}

/// Update the organisation
///
/// Renames the organisation, sets its `default_phone_region` (the region in which contact phone
/// numbers without a `+` are read; 422 `invalid_region` for an unknown one, `null` clears it) or
/// changes its kind. Making it an `agency` (or back to `standard`) needs the `owner` role; a
/// client workspace cannot become an agency, and an agency that has client workspaces cannot go
/// back (409 `kind_change_not_allowed`). Needs `organization:write`.
#[utoipa::path(
    operation_id = "update_organization",
    tag = "organizations",
    security(("bearer" = [])),
    request_body = OrganizationPatchIn,
    responses(
        (status = 200, description = "The updated organisation.", body = OrganizationDetailOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/organization")]
pub async fn update_organization(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<OrganizationPatchIn>,
) -> ApiResult<web::Json<OrganizationDetailOut>> {
    ctx.require(Scope::new(Resource::Organization, Access::Write))?;
    Ok(web::Json(update(&state, &ctx, &meta, body.0).await?))
}

fn detail(state: &AppState, tenant: tenant::Model, seats_used: u32) -> OrganizationDetailOut {
    OrganizationDetailOut {
        id: TenantId::from_uuid(tenant.id),
        seat_limit: seat_limit(state, &tenant),
        seats_used,
        kind: OrganizationKind::parse(&tenant.kind),
        parent_id: tenant.parent_id.map(TenantId::from_uuid),
        default_phone_region: tenant.default_phone_region,
        name: tenant.name,
        created_at: tenant.created_at,
    }
}

/// The requested default phone region: `None` to keep it, `Some(None)` to clear it, or a
/// region `phonenumber` knows, upper-cased (422 `invalid_region` otherwise).
fn phone_region(input: Patch<String>) -> ApiResult<Option<Option<String>>> {
    match input {
        Patch::Absent => Ok(None),
        Patch::Null => Ok(Some(None)),
        Patch::Value(raw) => match crate::crm::values::parse_region(&raw) {
            Some(id) => Ok(Some(Some(id.as_ref().to_owned()))),
            None => Err(ApiError::Validation {
                errors: vec![FieldError::new(
                    "default_phone_region",
                    "invalid_region",
                    "must be an ISO 3166-1 alpha-2 region with a telephone numbering plan, such as `US` or `GB`",
                )],
            }),
        },
    }
}

fn kind_refused(detail: &str) -> ApiError {
    ApiError::conflict("kind_change_not_allowed", detail)
}

async fn update(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    input: OrganizationPatchIn,
) -> ApiResult<OrganizationDetailOut> {
    let requested_region = phone_region(input.default_phone_region)?;
    let txn = db::begin_write(&state.db).await?;
    let tenant = lock_tenant(&txn, ctx.tenant_id.uuid()).await?;
    let current = OrganizationKind::parse(&tenant.kind);
    let new_kind = input.kind.map(OrganizationKind::from).filter(|k| *k != current);
    if new_kind.is_some() {
        require_owner(ctx, "change the organisation's kind")?;
        match current {
            OrganizationKind::Client => {
                return Err(kind_refused("A client workspace cannot change its kind or become an agency."));
            }
            OrganizationKind::Platform => return Err(kind_refused("The platform organisation keeps its kind.")),
            OrganizationKind::Agency if tenant::Entity::find_clients_of(tenant.id).count(&txn).await? > 0 => {
                return Err(kind_refused("An agency with client workspaces cannot stop being an agency."));
            }
            _ => {}
        }
    }
    let name = input.name.map(|n| n.trim().to_owned()).filter(|n| *n != tenant.name);
    let region = requested_region.filter(|r| *r != tenant.default_phone_region);
    if name.is_none() && new_kind.is_none() && region.is_none() {
        txn.commit().await?;
        let used = seats_used(&state.db, tenant.id, Utc::now()).await?;
        return Ok(detail(state, tenant, used));
    }
    let now = Utc::now();
    let mut row: tenant::ActiveModel = tenant.clone().into();
    if let Some(name) = &name {
        row.name = Set(name.clone());
    }
    if let Some(kind) = new_kind {
        row.kind = Set(kind.as_str().to_owned());
    }
    if let Some(region) = &region {
        row.default_phone_region = Set(region.clone());
    }
    row.updated_at = Set(now);
    let updated = tenant::Entity::update(row).exec(&txn).await?;
    let mut changes = serde_json::Map::new();
    if let Some(name) = &name {
        changes.insert("name".into(), json!({"from": tenant.name, "to": name}));
    }
    if let Some(kind) = new_kind {
        changes.insert("kind".into(), json!({"from": current.as_str(), "to": kind.as_str()}));
    }
    if let Some(region) = &region {
        changes.insert("default_phone_region".into(), json!({"from": tenant.default_phone_region, "to": region}));
    }
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::ORGANIZATION_UPDATED)
            .target("organization", ctx.tenant_id)
            .metadata(changes.into()),
    )
    .await?;
    let used = seats_used(&txn, updated.id, now).await?;
    txn.commit().await?;
    // The kind decides who may act on client workspaces: drop the cached tenant snapshots.
    state.invalidate_credentials();
    tracing::info!(tenant_id = %ctx.tenant_id, "organisation updated");
    Ok(detail(state, updated, used))
}
