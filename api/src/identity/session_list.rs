//! The caller's login sessions: list them across organisations, and end one. A session is a
//! refresh-token family; it is live while its newest token is unused, unrevoked and unexpired.

use chrono::{DateTime, Utc};
use entities::refresh_token;
use sea_orm::{ColumnTrait, QueryFilter};

use super::{
    dto::{LoginSessionList, LoginSessionOut},
    sessions,
    user_only::user_of,
};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        auth::TenantCtx,
        db,
        ids::{SessionId, TenantId},
        pagination::{ListParams, fetch_page},
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// When a session began: its id is a UUIDv7 made at login, so it carries the time.
fn started_at(family: uuid::Uuid, fallback: DateTime<Utc>) -> DateTime<Utc> {
    family
        .get_timestamp()
        .map(|ts| ts.to_unix())
        .and_then(|(secs, nanos)| DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos))
        .unwrap_or(fallback)
}

/// The caller's live sessions in every organisation, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<LoginSessionList> {
    let (user_id, current) = user_of(ctx)?;
    // The newest token of each live family: the one that is neither used nor revoked.
    let select = refresh_token::Entity::find_current_for_user(user_id.uuid())
        .filter(refresh_token::Column::ExpiresAt.gt(Utc::now()));
    let page =
        fetch_page(&state.db, select, refresh_token::Column::FamilyId, |t| t.family_id, params.page_request()?).await?;
    Ok(page
        .map(|t| LoginSessionOut {
            id: SessionId::from_uuid(t.family_id),
            organization_id: TenantId::from_uuid(t.tenant_id),
            created_at: started_at(t.family_id, t.created_at),
            last_seen_at: t.created_at,
            expires_at: t.expires_at,
            user_agent: t.user_agent,
            ip: t.ip,
            current: t.family_id == current.uuid(),
        })
        .into())
}

/// Ends one of the caller's sessions (any organisation); its access tokens stop working at once
/// on this node. Another user's session, or one already ended, is 404.
#[tracing::instrument(skip_all)]
pub async fn revoke(state: &AppState, ctx: &TenantCtx, id: SessionId, meta: &RequestMeta) -> ApiResult<()> {
    let (user_id, _) = user_of(ctx)?;
    let txn = db::begin_write(&state.db).await?;
    let live = refresh_token::Entity::find_current_for_user(user_id.uuid())
        .filter(refresh_token::Column::FamilyId.eq(id.uuid()))
        .filter(refresh_token::Column::ExpiresAt.gt(Utc::now()))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    let tenant_id = TenantId::from_uuid(live.tenant_id);
    sessions::revoke_family(&txn, tenant_id, id).await?;
    let mut event = AuditEvent::by(ctx, action::SESSION_REVOKED).target("session", id);
    event.tenant_id = Some(tenant_id);
    audit::record(&txn, meta, event).await?;
    txn.commit().await?;
    state.invalidate_credentials();
    tracing::info!(%user_id, session_id = %id, "session revoked");
    Ok(())
}
