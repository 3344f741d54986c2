//! The steps of a login after the password check, shared by the one-step login and the second
//! (2FA) step: which organisation the session acts on (refusing a suspended one), the session
//! itself, and the audit trail of successes and failures.

use entities::{membership, tenant, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{dto::SessionOut, service::start_session};
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        auth::Role,
        db,
        ids::{TenantId, UserId},
        request_meta::RequestMeta,
    },
    state::AppState,
};

pub fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "The email address or password is incorrect.")
}

/// The organisation a login acts on (the user's oldest membership) and the role there. A user
/// with no membership cannot log in (401 `invalid_credentials`); a suspended organisation answers
/// 403 `organization_suspended`.
pub async fn pick_tenant(state: &AppState, user: &user::Model) -> ApiResult<(tenant::Model, Role)> {
    let membership =
        membership::Entity::find_for_user(user.id).one(&state.db).await?.ok_or_else(invalid_credentials)?;
    tenant_for(state, user, TenantId::from_uuid(membership.tenant_id)).await
}

/// The tenant `tenant_id` for a login of `user`, with their role; the same refusals as
/// `pick_tenant` (the membership may have gone, or the tenant been suspended, since step one).
pub async fn tenant_for(state: &AppState, user: &user::Model, tenant_id: TenantId) -> ApiResult<(tenant::Model, Role)> {
    let membership = membership::Entity::find_in(tenant_id.uuid())
        .filter(membership::Column::UserId.eq(user.id))
        .one(&state.db)
        .await?
        .ok_or_else(invalid_credentials)?;
    let tenant = tenant::Entity::find_by_id(tenant_id.uuid()).one(&state.db).await?.ok_or_else(invalid_credentials)?;
    if tenant.suspended_at.is_some() {
        return Err(ApiError::forbidden("organization_suspended", "This organisation is suspended; contact support."));
    }
    let role = Role::parse(&membership.role)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown role {}", membership.role)))?;
    Ok((tenant, role))
}

/// Starts the session and records `auth.login.succeeded` in the same transaction. `method` is
/// `password`, `totp` or `recovery_code`.
pub async fn finish(
    state: &AppState,
    user: user::Model,
    tenant: tenant::Model,
    role: Role,
    meta: &RequestMeta,
    method: &str,
) -> ApiResult<SessionOut> {
    let txn = db::begin_write(&state.db).await?;
    let out = finish_in(state, &txn, user, tenant, role, meta, method).await?;
    txn.commit().await?;
    Ok(out)
}

/// `finish` inside the caller's transaction.
pub async fn finish_in<C: sea_orm::ConnectionTrait>(
    state: &AppState,
    txn: &C,
    user: user::Model,
    tenant: tenant::Model,
    role: Role,
    meta: &RequestMeta,
    method: &str,
) -> ApiResult<SessionOut> {
    let user_id = UserId::from_uuid(user.id);
    let tenant_id = TenantId::from_uuid(tenant.id);
    let out = start_session(state, txn, user, tenant, role, meta).await?;
    audit::record(
        txn,
        meta,
        AuditEvent::new(action::LOGIN_SUCCEEDED, Some(tenant_id), Actor::User(user_id))
            .target("user", user_id)
            .metadata(serde_json::json!({ "method": method })),
    )
    .await?;
    tracing::info!(%tenant_id, %user_id, method, "logged in");
    Ok(out)
}

/// Records a refused login (`auth.login.failed`, actor anonymous). For a known account the
/// event goes to its first organisation and names the user; for an unknown address it has no
/// tenant and does not carry the address. Never carries the password.
pub async fn record_failure(state: &AppState, meta: &RequestMeta, user: Option<&user::Model>, reason: &str) {
    let event = match user {
        Some(user) => {
            let tenant = membership::Entity::find_for_user(user.id).one(&state.db).await.ok().flatten();
            AuditEvent::new(action::LOGIN_FAILED, tenant.map(|m| TenantId::from_uuid(m.tenant_id)), Actor::Anonymous)
                .target("user", UserId::from_uuid(user.id))
        }
        None => AuditEvent::new(action::LOGIN_FAILED, None, Actor::Anonymous),
    };
    let event = event.metadata(serde_json::json!({ "reason": reason }));
    if let Err(e) = audit::record(&state.db, meta, event).await {
        tracing::warn!(error = %e, "could not record a failed login");
    }
}
