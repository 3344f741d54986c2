//! Members: list, change a role, remove (or leave). The last owner can neither be demoted nor
//! leave; only an owner may grant or take away `owner`.

use std::collections::HashMap;

use actix_web::{HttpResponse, delete, get, patch, web};
use chrono::Utc;
use entities::{membership, refresh_token, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::{
    common::{last_owner, lock_tenant, owner_count, require_owner},
    dto::{MemberList, MemberOut, MemberRoleIn},
};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult},
    events::{self, Event},
    platform::{
        auth::{Access, Resource, Role, Scope, TenantCtx},
        db,
        extract::{ValidatedJson, ValidatedQuery},
        ids::UserId,
        pagination::{ListParams, fetch_page},
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// List members
///
/// Lists the organisation's members with their roles, with cursor pagination (ordered by user
/// id). Agency members acting on a client workspace through `X-Tenant-Id` are not members of it
/// and are not listed. Needs `members:read`.
#[utoipa::path(
    operation_id = "list_members",
    tag = "members",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of members.", body = MemberList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<MemberList>> {
    ctx.require(Scope::new(Resource::Members, Access::Read))?;
    let page = fetch_page(
        &state.db,
        membership::Entity::find_in(ctx.tenant_id.uuid()),
        membership::Column::UserId,
        |m| m.user_id,
        query.page_request()?,
    )
    .await?;
    let ids: Vec<_> = page.data.iter().map(|m| m.user_id).collect();
    let users: HashMap<_, _> = if ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };
    let page = page.map(|m| {
        let user = users.get(&m.user_id);
        member_out(m, user)
    });
    Ok(web::Json(page.into()))
}

/// Change a member's role
///
/// Sets a member's role. Only an owner may make someone an owner or change an owner's role; the
/// last owner cannot be demoted (409 `last_owner`). The change applies to the member's next
/// request. Needs `members:write`.
#[utoipa::path(
    operation_id = "update_member",
    tag = "members",
    security(("bearer" = [])),
    params(("user_id" = UserId, Path, description = "The member's user id (`usr_…`).")),
    request_body = MemberRoleIn,
    responses(
        (status = 200, description = "The member with the new role.", body = MemberOut),
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
#[patch("/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    user_id: web::Path<UserId>,
    body: ValidatedJson<MemberRoleIn>,
) -> ApiResult<web::Json<MemberOut>> {
    ctx.require(Scope::new(Resource::Members, Access::Write))?;
    Ok(web::Json(change_role(&state, &ctx, &meta, user_id.into_inner(), body.role).await?))
}

/// Remove a member
///
/// Removes a member from the organisation and ends their sessions in it. Any member may remove
/// themselves (leave); removing someone else needs `members:write`, and removing an owner needs
/// the `owner` role. The last owner cannot leave or be removed (409 `last_owner`).
#[utoipa::path(
    operation_id = "delete_member",
    tag = "members",
    security(("bearer" = [])),
    params(("user_id" = UserId, Path, description = "The member's user id (`usr_…`).")),
    responses(
        (status = 204, description = "The member is removed."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/members/{user_id}")]
pub async fn delete_member(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    user_id: web::Path<UserId>,
) -> ApiResult<HttpResponse> {
    let user_id = user_id.into_inner();
    let leaving = !ctx.via_agency() && ctx.principal.user_id() == Some(user_id);
    if !leaving {
        ctx.require(Scope::new(Resource::Members, Access::Write))?;
    }
    remove(&state, &ctx, &meta, user_id, leaving).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub(super) fn member_out(m: membership::Model, user: Option<&user::Model>) -> MemberOut {
    MemberOut {
        user_id: UserId::from_uuid(m.user_id),
        email: user.map(|u| u.email.clone()).unwrap_or_default(),
        name: user.and_then(|u| u.name.clone()),
        role: Role::parse(&m.role).unwrap_or(Role::Viewer),
        joined_at: m.created_at,
    }
}

async fn find_member<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, user_id: UserId) -> ApiResult<membership::Model> {
    membership::Entity::find_in(ctx.tenant_id.uuid())
        .filter(membership::Column::UserId.eq(user_id.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))
}

async fn change_role(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    user_id: UserId,
    role: Role,
) -> ApiResult<MemberOut> {
    let txn = db::begin_write(&state.db).await?;
    lock_tenant(&txn, ctx.tenant_id.uuid()).await?;
    let member = find_member(&txn, ctx, user_id).await?;
    let current = Role::parse(&member.role).unwrap_or(Role::Viewer);
    if current != role {
        if current == Role::Owner || role == Role::Owner {
            require_owner(ctx, "grant or take away the owner role")?;
        }
        if current == Role::Owner && owner_count(&txn, ctx.tenant_id.uuid()).await? <= 1 {
            return Err(last_owner());
        }
        membership::Entity::update_many()
            .col_expr(membership::Column::Role, Expr::value(role.as_str()))
            .filter(membership::Column::TenantId.eq(ctx.tenant_id.uuid()))
            .filter(membership::Column::UserId.eq(user_id.uuid()))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            meta,
            AuditEvent::by(ctx, action::MEMBER_ROLE_CHANGED)
                .target("user", user_id)
                .metadata(json!({"from": current.as_str(), "to": role.as_str()})),
        )
        .await?;
    }
    let user = user::Entity::find_by_id(user_id.uuid()).one(&txn).await?;
    let out = member_out(membership::Model { role: role.as_str().to_owned(), ..member }, user.as_ref());
    if current != role {
        events::append(&txn, ctx.tenant_id, Event::member_role_changed(&out)).await?;
    }
    txn.commit().await?;
    if current != role {
        state.invalidate_credentials();
        tracing::info!(tenant_id = %ctx.tenant_id, user_id = %user_id, "member role changed");
    }
    Ok(out)
}

async fn remove(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    user_id: UserId,
    leaving: bool,
) -> ApiResult<()> {
    let txn = db::begin_write(&state.db).await?;
    lock_tenant(&txn, ctx.tenant_id.uuid()).await?;
    let member = find_member(&txn, ctx, user_id).await?;
    let role = Role::parse(&member.role).unwrap_or(Role::Viewer);
    if role == Role::Owner {
        if !leaving {
            require_owner(ctx, "remove an owner")?;
        }
        if owner_count(&txn, ctx.tenant_id.uuid()).await? <= 1 {
            return Err(last_owner());
        }
    }
    membership::Entity::delete_many()
        .filter(membership::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(membership::Column::UserId.eq(user_id.uuid()))
        .exec(&txn)
        .await?;
    // End every session the user has in this organisation.
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(refresh_token::Column::UserId.eq(user_id.uuid()))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::MEMBER_REMOVED)
            .target("user", user_id)
            .metadata(json!({"role": role.as_str(), "left": leaving})),
    )
    .await?;
    let user = user::Entity::find_by_id(user_id.uuid()).one(&txn).await?;
    events::append(&txn, ctx.tenant_id, Event::member_removed(&member_out(member, user.as_ref()))).await?;
    txn.commit().await?;
    state.invalidate_credentials();
    tracing::info!(tenant_id = %ctx.tenant_id, user_id = %user_id, leaving, "member removed");
    Ok(())
}
