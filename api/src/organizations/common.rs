//! Pieces shared by the organisation endpoints: the locked tenant row, seat counting, owner
//! counting and the errors several of them answer.

use chrono::{DateTime, Utc};
use entities::{invitation, membership, tenant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    platform::auth::{Principal, Role, TenantCtx},
    state::AppState,
};

/// The tenant row, locked for the rest of the transaction on PostgreSQL (`FOR UPDATE`), so that
/// membership and invitation changes of one organisation are serialised (SQLite's
/// `BEGIN IMMEDIATE` already serialises every writer).
pub async fn lock_tenant<C: ConnectionTrait>(db: &C, tenant_id: Uuid) -> ApiResult<tenant::Model> {
    tenant::Entity::find_by_id(tenant_id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "The organisation of this token no longer exists."))
}

/// The seat limit of a tenant: its own, or the configured default.
pub fn seat_limit(state: &AppState, tenant: &tenant::Model) -> u32 {
    tenant.seat_limit.and_then(|l| u32::try_from(l).ok()).unwrap_or(state.settings.default_seat_limit)
}

/// Seats in use: members plus pending, unexpired invitations.
pub async fn seats_used<C: ConnectionTrait>(db: &C, tenant_id: Uuid, now: DateTime<Utc>) -> ApiResult<u32> {
    let members = membership::Entity::find_in(tenant_id).count(db).await?;
    let pending =
        invitation::Entity::find_pending_in(tenant_id).filter(invitation::Column::ExpiresAt.gt(now)).count(db).await?;
    Ok(u32::try_from(members + pending).unwrap_or(u32::MAX))
}

/// How many owners the tenant has.
pub async fn owner_count<C: ConnectionTrait>(db: &C, tenant_id: Uuid) -> ApiResult<u64> {
    Ok(membership::Entity::find_in(tenant_id)
        .filter(membership::Column::Role.eq(Role::Owner.as_str()))
        .count(db)
        .await?)
}

/// Refuses unless the caller is a person with the `owner` role (API keys act as `admin`).
pub fn require_owner(ctx: &TenantCtx, what: &str) -> ApiResult<()> {
    if ctx.role == Role::Owner && matches!(ctx.principal, Principal::User { .. }) {
        return Ok(());
    }
    Err(ApiError::forbidden("owner_required", format!("Only an owner may {what}.")))
}

pub fn last_owner() -> ApiError {
    ApiError::conflict("last_owner", "This is the organisation's last owner: make another member an owner first.")
}

/// Refuses API keys: the operation is about a person's own memberships.
pub fn require_user(ctx: &TenantCtx) -> ApiResult<crate::platform::ids::UserId> {
    ctx.principal.user_id().ok_or_else(|| {
        ApiError::forbidden("user_principal_required", "This operation needs a user's access token, not an API key.")
    })
}
