//! Login sessions as refresh-token families. Each refresh token is single use: rotating it marks
//! it used and issues the next token of the same family; presenting a used token again is treated
//! as theft and revokes the whole family (OAuth 2.0 Security BCP, refresh token rotation). A
//! revoked token is simply invalid.

use chrono::{Duration, Utc};
use entities::refresh_token;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        crypto::{random_alphanumeric, sha256_hex},
        ids::{SessionId, TenantId, UserId},
        request_meta::RequestMeta,
    },
};

const TOKEN_PREFIX: &str = "rt_";

/// Who a refresh token belongs to.
pub struct TokenOwner {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub session_id: SessionId,
}

impl TokenOwner {
    fn of(row: &refresh_token::Model) -> Self {
        Self {
            tenant_id: TenantId::from_uuid(row.tenant_id),
            user_id: UserId::from_uuid(row.user_id),
            session_id: SessionId::from_uuid(row.family_id),
        }
    }
}

/// Stores a new refresh token in `session_id`'s family and returns its plaintext.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    owner: &TokenOwner,
    ttl_secs: u64,
    meta: &RequestMeta,
) -> ApiResult<String> {
    let token = format!("{TOKEN_PREFIX}{}", random_alphanumeric(48));
    let now = Utc::now();
    let row = refresh_token::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(owner.tenant_id.uuid()),
        user_id: Set(owner.user_id.uuid()),
        family_id: Set(owner.session_id.uuid()),
        token_hash: Set(sha256_hex(&token)),
        expires_at: Set(now + Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2))),
        used_at: Set(None),
        revoked_at: Set(None),
        user_agent: Set(meta.user_agent.clone()),
        ip: Set(meta.ip.clone()),
        created_at: Set(now),
    };
    refresh_token::Entity::insert(row).exec_without_returning(db).await?;
    Ok(token)
}

/// The stored row of a presented refresh token, if any (looked up by its hash).
async fn find<C: ConnectionTrait>(db: &C, token: &str) -> ApiResult<Option<refresh_token::Model>> {
    Ok(refresh_token::Entity::find_by_hash(&sha256_hex(token)).one(db).await?)
}

fn invalid() -> ApiError {
    ApiError::unauthorized("invalid_refresh_token", "The refresh token is not valid; log in again.")
}

/// Consumes a refresh token: marks it used and returns its owner. A token that was already used
/// revokes its whole family and fails with `refresh_token_reused`; a revoked, expired or unknown
/// one fails with `invalid_refresh_token` / `refresh_token_expired`.
pub async fn consume<C: ConnectionTrait>(db: &C, token: &str, meta: &RequestMeta) -> ApiResult<TokenOwner> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(invalid());
    }
    let row = find(db, token).await?.ok_or_else(invalid)?;
    let owner = TokenOwner::of(&row);
    if row.revoked_at.is_some() {
        return Err(invalid());
    }
    let now = Utc::now();
    // A used token is reuse even when it has also expired: check expiry only for unused ones.
    if row.used_at.is_none() && row.expires_at <= now {
        return Err(ApiError::unauthorized("refresh_token_expired", "The refresh token has expired; log in again."));
    }
    // Mark used only if nobody else did: of two concurrent refreshes, exactly one wins.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::TenantId.eq(row.tenant_id))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        revoke_family(db, owner.tenant_id, owner.session_id).await?;
        audit::record(
            db,
            meta,
            AuditEvent::new(action::REFRESH_TOKEN_REUSED, Some(owner.tenant_id), Actor::Anonymous)
                .target("session", owner.session_id)
                .metadata(serde_json::json!({ "user_id": owner.user_id.to_string() })),
        )
        .await?;
        tracing::warn!(tenant_id = %owner.tenant_id, session_id = %owner.session_id, "refresh token reuse detected: session revoked");
        return Err(ApiError::unauthorized(
            "refresh_token_reused",
            "This refresh token was already used; the session has been revoked. Log in again.",
        ));
    }
    Ok(owner)
}

/// Revokes every token of a session; returns how many tokens were still unrevoked.
pub async fn revoke_family<C: ConnectionTrait>(db: &C, tenant_id: TenantId, session_id: SessionId) -> ApiResult<u64> {
    let result = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::TenantId.eq(tenant_id.uuid()))
        .filter(refresh_token::Column::FamilyId.eq(session_id.uuid()))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The session a refresh token belongs to, if the token is known.
pub async fn owner_of<C: ConnectionTrait>(db: &C, token: &str) -> ApiResult<Option<TokenOwner>> {
    Ok(find(db, token).await?.as_ref().map(TokenOwner::of))
}
