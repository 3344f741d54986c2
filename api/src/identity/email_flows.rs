//! Email verification and password reset. Tokens are single use, hashed and expiring
//! (`email_tokens.rs`). Requests that name an email address answer the same way, at once, whether
//! or not it is registered: the lookup and the sending happen in a background task, off the
//! response path, so neither the body nor the timing tells.

use std::sync::Arc;

use chrono::Utc;
use entities::{refresh_token, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{
    dto::{AcceptedOut, PasswordResetConfirmIn},
    email::Email,
    email_tokens::{self, PASSWORD_RESET, VERIFY_EMAIL},
    password,
    user_only::user_of,
};
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{auth::TenantCtx, db, ids::UserId, mail, request_meta::RequestMeta},
    state::AppState,
};

const RESET_ACCEPTED: &str = "If an account uses this address, an email with a reset link is on its way.";

fn invalid_verification_token() -> ApiError {
    ApiError::bad_request(
        "invalid_verification_token",
        "The verification token is unknown, already used or expired; ask for a new email.",
    )
}

fn invalid_reset_token() -> ApiError {
    ApiError::bad_request(
        "invalid_reset_token",
        "The password-reset token is unknown, already used, replaced by a newer one or expired; ask for a new email.",
    )
}

fn link(state: &AppState, path: &str, token: &str) -> String {
    format!("{}/{path}?token={token}", state.settings.public_url.trim_end_matches('/'))
}

/// Issues a verification token and mails it, in the background (after sign-up, or on request).
/// Older outstanding verification tokens of the user stop working.
pub fn send_verification(state: Arc<AppState>, user_id: UserId, to: String) {
    tokio::spawn(async move {
        let issued = async {
            let txn = db::begin_write(&state.db).await?;
            email_tokens::retire_all(&txn, user_id.uuid(), VERIFY_EMAIL).await?;
            let token =
                email_tokens::issue(&txn, user_id.uuid(), VERIFY_EMAIL, state.settings.email_verification_ttl_secs)
                    .await?;
            txn.commit().await?;
            Ok::<_, ApiError>(token)
        }
        .await;
        match issued {
            Ok(token) => {
                let hours = state.settings.email_verification_ttl_secs / 3600;
                let text = format!(
                    "Confirm your email address for Campaign OS by opening this link:\n\n{}\n\n\
                     Or send this token to POST /v1/auth/verify-email: {token}\n\n\
                     The link works once and expires in {hours} hours. If you did not sign up, ignore this email.\n",
                    link(&state, "verify-email", &token)
                );
                let email = mail::Email { to, subject: "Verify your email address".into(), text };
                state.mailer.send_logged(&state.db, email).await;
            }
            Err(e) => tracing::warn!(error = %e, %user_id, "could not issue an email verification token"),
        }
    });
}

/// Redeems a verification token: the user's address is verified.
#[tracing::instrument(skip_all)]
pub async fn verify_email(state: &AppState, token: &str, meta: &RequestMeta) -> ApiResult<()> {
    let row = email_tokens::find_live(&state.db, VERIFY_EMAIL, token).await?.ok_or_else(invalid_verification_token)?;
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    if !email_tokens::claim(&txn, &row, now).await? {
        return Err(invalid_verification_token());
    }
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(row.user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    email_tokens::retire_all(&txn, row.user_id, VERIFY_EMAIL).await?;
    let user_id = UserId::from_uuid(row.user_id);
    audit::record(
        &txn,
        meta,
        AuditEvent::new(action::EMAIL_VERIFIED, None, Actor::User(user_id)).target("user", user_id),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(%user_id, "email verified");
    Ok(())
}

/// Sends the caller a new verification email; 409 when the address is already verified.
#[tracing::instrument(skip_all)]
pub async fn resend_verification(state: Arc<AppState>, ctx: &TenantCtx) -> ApiResult<AcceptedOut> {
    let (user_id, _) = user_of(ctx)?;
    let user = user::Entity::find_by_id(user_id.uuid())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "The principal of this token no longer exists."))?;
    if user.email_verified_at.is_some() {
        return Err(ApiError::conflict("email_already_verified", "This email address is already verified."));
    }
    send_verification(state, user_id, user.email);
    Ok(AcceptedOut { message: "A verification email is on its way.".into() })
}

/// Starts a password reset. Answers at once with the same body whatever the address; the
/// lookup, the token and the email happen in the background.
pub fn request_password_reset(state: Arc<AppState>, raw_email: String, meta: RequestMeta) -> AcceptedOut {
    tokio::spawn(async move {
        if let Err(e) = send_password_reset(&state, &raw_email, &meta).await {
            tracing::warn!(error = %e, "password reset request failed");
        }
    });
    AcceptedOut { message: RESET_ACCEPTED.into() }
}

async fn send_password_reset(state: &AppState, raw_email: &str, meta: &RequestMeta) -> ApiResult<()> {
    let Ok(email) = Email::parse("email", raw_email) else { return Ok(()) };
    let Some(user) = user::Entity::find_by_email(email.as_str()).one(&state.db).await? else {
        tracing::info!("password reset requested for an unknown address");
        return Ok(());
    };
    let user_id = UserId::from_uuid(user.id);
    let txn = db::begin_write(&state.db).await?;
    // A new request replaces any outstanding reset token.
    email_tokens::retire_all(&txn, user.id, PASSWORD_RESET).await?;
    let token = email_tokens::issue(&txn, user.id, PASSWORD_RESET, state.settings.password_reset_ttl_secs).await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::new(action::PASSWORD_RESET_REQUESTED, None, Actor::Anonymous).target("user", user_id),
    )
    .await?;
    txn.commit().await?;
    let minutes = state.settings.password_reset_ttl_secs / 60;
    let text = format!(
        "Someone asked to reset the password of your Campaign OS account. To choose a new password, open:\n\n{}\n\n\
         Or send this token with the new password to POST /v1/auth/password-reset/confirm: {token}\n\n\
         The link works once and expires in {minutes} minutes. Setting a new password ends every session of your \
         account. If you did not ask for this, ignore this email: your password stays as it is.\n",
        link(state, "reset-password", &token)
    );
    state
        .mailer
        .send_logged(&state.db, mail::Email { to: user.email, subject: "Reset your password".into(), text })
        .await;
    Ok(())
}

/// Sets a new password with a reset token. Ends every session of the user in every organisation
/// (their access tokens stop working at once on this node) and emails a notice.
#[tracing::instrument(skip_all)]
pub async fn confirm_password_reset(
    state: Arc<AppState>,
    input: PasswordResetConfirmIn,
    meta: &RequestMeta,
) -> ApiResult<()> {
    let row =
        email_tokens::find_live(&state.db, PASSWORD_RESET, &input.token).await?.ok_or_else(invalid_reset_token)?;
    let user = user::Entity::find_by_id(row.user_id).one(&state.db).await?.ok_or_else(invalid_reset_token)?;
    let email = Email::parse("email", &user.email).map_err(|e| ApiError::internal(anyhow::anyhow!("{}", e.message)))?;
    password::check_policy(&input.new_password, &email).map_err(|mut e| {
        e.field = "new_password".into();
        ApiError::Validation { errors: vec![e] }
    })?;
    let password_hash = password::hash(input.new_password).await?;
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    if !email_tokens::claim(&txn, &row, now).await? {
        return Err(invalid_reset_token());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    email_tokens::retire_all(&txn, user.id, PASSWORD_RESET).await?;
    let revoked = revoke_all_sessions(&txn, user.id).await?;
    let user_id = UserId::from_uuid(user.id);
    audit::record(
        &txn,
        meta,
        AuditEvent::new(action::PASSWORD_RESET, None, Actor::User(user_id))
            .target("user", user_id)
            .metadata(serde_json::json!({ "sessions_revoked": revoked })),
    )
    .await?;
    txn.commit().await?;
    state.invalidate_credentials();
    tracing::info!(%user_id, "password reset; every session revoked");
    let notice = mail::Email {
        to: user.email,
        subject: "Your password was changed".into(),
        text: "The password of your Campaign OS account was just changed with a reset link, and every session was \
               logged out. If this was not you, reset your password again at once and contact support.\n"
            .into(),
    };
    tokio::spawn(async move { state.mailer.send_logged(&state.db, notice).await });
    Ok(())
}

/// Revokes every live refresh-token family of a user, in every organisation; returns how many
/// sessions ended. (A global update by user: served by `idx_refresh_tokens_user`.)
pub async fn revoke_all_sessions<C: sea_orm::ConnectionTrait>(db: &C, user_id: Uuid) -> ApiResult<u64> {
    use sea_orm::{QuerySelect, prelude::DateTimeUtc};
    let now: DateTimeUtc = Utc::now();
    let live: Vec<Uuid> = refresh_token::Entity::find_current_for_user(user_id)
        .filter(refresh_token::Column::ExpiresAt.gt(now))
        .select_only()
        .column(refresh_token::Column::FamilyId)
        .into_tuple()
        .all(db)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(live.len() as u64)
}
