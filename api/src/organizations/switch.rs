//! Workspace switching: `GET /v1/me/organizations` and `POST /v1/auth/switch`.

use actix_web::{get, post, web};
use entities::{membership, tenant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{
    common::require_user,
    dto::{MyOrganizationOut, OrganizationSummary, SwitchIn},
};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult},
    identity::{self, SessionOut},
    platform::{
        auth::{Access, Resource, Role, Scope, TenantCtx},
        db,
        extract::ValidatedJson,
        ids::TenantId,
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// List my organisations
///
/// Lists every organisation the calling user is a member of, with their role in each, oldest
/// membership first. Needs a user's access token (an API key answers 403
/// `user_principal_required`).
#[utoipa::path(
    operation_id = "list_my_organizations",
    tag = "organizations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's memberships.", body = Vec<MyOrganizationOut>),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/me/organizations")]
pub async fn list_my_organizations(
    state: web::Data<AppState>,
    ctx: TenantCtx,
) -> ApiResult<web::Json<Vec<MyOrganizationOut>>> {
    ctx.require(Scope::new(Resource::Organization, Access::Read))?;
    let user_id = require_user(&ctx)?;
    let memberships = membership::Entity::find_for_user(user_id.uuid()).all(&state.db).await?;
    let ids: Vec<_> = memberships.iter().map(|m| m.tenant_id).collect();
    let mut tenants = tenant::Entity::find().filter(tenant::Column::Id.is_in(ids)).all(&state.db).await?;
    let out = memberships
        .into_iter()
        .filter_map(|m| {
            let pos = tenants.iter().position(|t| t.id == m.tenant_id)?;
            Some(MyOrganizationOut {
                organization: OrganizationSummary::from(tenants.swap_remove(pos)),
                role: Role::parse(&m.role).unwrap_or(Role::Viewer),
            })
        })
        .collect();
    Ok(web::Json(out))
}

/// Switch organisation
///
/// Starts a new login session in another organisation the calling user is a member of and
/// returns its tokens (the current session stays valid). An organisation the user is not a
/// member of answers 404. Needs a user's access token.
#[utoipa::path(
    operation_id = "switch_organization",
    tag = "organizations",
    security(("bearer" = [])),
    request_body = SwitchIn,
    responses(
        (status = 200, description = "A session in the chosen organisation.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/auth/switch")]
pub async fn switch_organization(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<SwitchIn>,
) -> ApiResult<web::Json<SessionOut>> {
    ctx.require(Scope::new(Resource::Organization, Access::Read))?;
    let user_id = require_user(&ctx)?;
    let target = body.organization_id;
    let not_member = || ApiError::not_found("organisation you are a member of");
    let txn = db::begin_write(&state.db).await?;
    let member = membership::Entity::find_in(target.uuid())
        .filter(membership::Column::UserId.eq(user_id.uuid()))
        .one(&txn)
        .await?
        .ok_or_else(not_member)?;
    let tenant = tenant::Entity::find_by_id(target.uuid()).one(&txn).await?.ok_or_else(not_member)?;
    if tenant.suspended_at.is_some() {
        return Err(ApiError::forbidden("organization_suspended", "This organisation is suspended; contact support."));
    }
    let user = entities::user::Entity::find_by_id(user_id.uuid()).one(&txn).await?.ok_or_else(not_member)?;
    let role = Role::parse(&member.role).unwrap_or(Role::Viewer);
    audit::record(
        &txn,
        &meta,
        AuditEvent::new(action::SWITCHED_ORGANIZATION, Some(target), audit::Actor::User(user_id))
            .target("organization", target)
            .metadata(json!({"from": TenantId::to_string(&ctx.home_tenant_id)})),
    )
    .await?;
    let session = identity::start_session(&state, &txn, user, tenant, role, &meta).await?;
    txn.commit().await?;
    tracing::info!(user_id = %user_id, tenant_id = %target, "switched organisation");
    Ok(web::Json(session))
}
