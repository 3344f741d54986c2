//! Single-use tokens sent by email (`verify_email`, `password_reset`): 256 bits of randomness,
//! only a SHA-256 kept, an expiry, and `used_at` set by the one request that redeems them.

use chrono::{DateTime, Duration, Utc};
use entities::email_token;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    error::ApiResult,
    platform::crypto::{random_alphanumeric, sha256_hex},
};

pub const VERIFY_EMAIL: &str = "verify_email";
pub const PASSWORD_RESET: &str = "password_reset";

/// Stores a new token for `user_id` and returns its plaintext (to put in the email only).
pub async fn issue<C: ConnectionTrait>(db: &C, user_id: Uuid, purpose: &str, ttl_secs: u64) -> ApiResult<String> {
    let token = random_alphanumeric(43);
    let now = Utc::now();
    let row = email_token::Model {
        id: Uuid::now_v7(),
        user_id,
        purpose: purpose.to_owned(),
        token_hash: sha256_hex(&token),
        expires_at: now + Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2)),
        used_at: None,
        created_at: now,
    };
    email_token::Entity::insert(email_token::ActiveModel::from(row)).exec_without_returning(db).await?;
    Ok(token)
}

/// The live (unused, unexpired) token row for a presented token, if any.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    purpose: &str,
    token: &str,
) -> ApiResult<Option<email_token::Model>> {
    if token.len() > 256 {
        return Ok(None);
    }
    let row = email_token::Entity::find_by_hash(purpose, &sha256_hex(token)).one(db).await?;
    Ok(row.filter(|r| r.used_at.is_none() && r.expires_at > Utc::now()))
}

/// Marks a token used if nobody else did (of two concurrent redemptions exactly one wins).
pub async fn claim<C: ConnectionTrait>(db: &C, row: &email_token::Model, now: DateTime<Utc>) -> ApiResult<bool> {
    let result = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(now))
        .filter(email_token::Column::Id.eq(row.id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends every outstanding token of a user for one purpose (a newer one replaces them, or the
/// purpose is fulfilled).
pub async fn retire_all<C: ConnectionTrait>(db: &C, user_id: Uuid, purpose: &str) -> ApiResult<()> {
    email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(email_token::Column::UserId.eq(user_id))
        .filter(email_token::Column::Purpose.eq(purpose))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
