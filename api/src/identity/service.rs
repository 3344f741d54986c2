//! Identity business rules. Knows nothing of HTTP.

use chrono::Utc;
use entities::{membership, tenant, user};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};

use super::{
    dto::{LoginIn, MeApiKey, MeOut, MfaChallengeOut, OrganizationOut, PrincipalType, SessionOut, SignupIn, UserOut},
    email::Email,
    login, mfa, password,
    sessions::{self, TokenOwner},
};
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        auth::{Principal, Role, TenantCtx},
        db,
        ids::{SessionId, TenantId, UserId},
        request_meta::RequestMeta,
    },
    state::AppState,
};

fn user_out(u: user::Model) -> UserOut {
    UserOut {
        id: UserId::from_uuid(u.id),
        email: u.email,
        name: u.name,
        email_verified: u.email_verified_at.is_some(),
        email_verified_at: u.email_verified_at,
        mfa_enabled: u.totp_enabled_at.is_some(),
        created_at: u.created_at,
    }
}

fn organization_out(t: tenant::Model) -> OrganizationOut {
    OrganizationOut { id: TenantId::from_uuid(t.id), name: t.name, created_at: t.created_at }
}

fn email_taken() -> ApiError {
    ApiError::conflict("email_taken", "An account with this email address already exists; log in instead.")
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "The email address or password is incorrect.")
}

/// Signs up: user + organisation + owner membership + first session, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn signup(state: &AppState, input: SignupIn, meta: RequestMeta) -> ApiResult<SessionOut> {
    let email = Email::parse("email", &input.email).map_err(|e| ApiError::Validation { errors: vec![e] })?;
    password::check_policy(&input.password, &email).map_err(|e| ApiError::Validation { errors: vec![e] })?;
    if user::Entity::find_by_email(email.as_str()).one(&state.db).await?.is_some() {
        return Err(email_taken());
    }
    let password_hash = password::hash(input.password).await?;
    let now = Utc::now();
    let owner =
        TokenOwner { tenant_id: TenantId::generate(), user_id: UserId::generate(), session_id: SessionId::generate() };
    let tenant = tenant::Model {
        default_phone_region: None,
        id: owner.tenant_id.uuid(),
        name: input.organization_name.trim().to_owned(),
        kind: "standard".into(),
        parent_id: None,
        suspended_at: None,
        seat_limit: None,
        created_at: now,
        updated_at: now,
    };
    let user = user::Model {
        id: owner.user_id.uuid(),
        email: email.as_str().to_owned(),
        password_hash,
        name: input.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        email_verified_at: None,
        is_operator: false,
        totp_secret: None,
        totp_pending_secret: None,
        totp_enabled_at: None,
        totp_last_step: None,
        created_at: now,
        updated_at: now,
    };
    let txn = db::begin_write(&state.db).await?;
    tenant::Entity::insert(tenant::ActiveModel::from(tenant.clone())).exec_without_returning(&txn).await?;
    if let Err(err) = user::Entity::insert(user::ActiveModel::from(user.clone())).exec_without_returning(&txn).await {
        return Err(match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => email_taken(),
            _ => err.into(),
        });
    }
    membership::Entity::insert(membership::ActiveModel {
        tenant_id: Set(tenant.id),
        user_id: Set(user.id),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let refresh_token = sessions::issue(&txn, &owner, state.settings.refresh_token_ttl_secs, &meta).await?;
    audit::record(
        &txn,
        &meta,
        AuditEvent::new(action::SIGNUP, Some(owner.tenant_id), Actor::User(owner.user_id))
            .target("user", owner.user_id),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(tenant_id = %owner.tenant_id, user_id = %owner.user_id, "signed up");
    session_out(state, &owner, refresh_token, user, tenant, Role::Owner)
}

/// Logs in with email and password; the session acts on the user's oldest organisation.
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, input: LoginIn, meta: RequestMeta) -> ApiResult<LoginOutcome> {
    let email = input.email.trim().to_lowercase();
    // Brute-force throttle per account, before the password is checked (rate limiting area).
    crate::platform::rate_limit::throttle_login(state, &email, &meta).await?;
    let user = user::Entity::find_by_email(&email).one(&state.db).await?;
    let ok = password::verify(user.as_ref().map(|u| u.password_hash.clone()), input.password).await?;
    let user = match user {
        Some(user) if ok => user,
        user => {
            tracing::info!("login failed");
            let reason = if user.is_some() { "wrong_password" } else { "unknown_account" };
            login::record_failure(state, &meta, user.as_ref(), reason).await;
            return Err(invalid_credentials());
        }
    };
    let (tenant, role) = match login::pick_tenant(state, &user).await {
        Ok(picked) => picked,
        Err(err) => {
            login::record_failure(state, &meta, Some(&user), err.code()).await;
            return Err(err);
        }
    };
    if mfa::required_for(&user) {
        return Ok(LoginOutcome::MfaRequired(mfa::challenge(state, &user, TenantId::from_uuid(tenant.id))?));
    }
    Ok(LoginOutcome::Session(login::finish(state, user, tenant, role, &meta, "password").await?))
}

/// What a correct password gets: a session, or (2FA on) a challenge for the second step.
pub enum LoginOutcome {
    Session(SessionOut),
    MfaRequired(MfaChallengeOut),
}

/// Rotates a refresh token.
#[tracing::instrument(skip_all)]
pub async fn refresh(state: &AppState, token: &str, meta: RequestMeta) -> ApiResult<SessionOut> {
    let txn = db::begin_write(&state.db).await?;
    let owner = match sessions::consume(&txn, token, &meta).await {
        Ok(owner) => owner,
        Err(err) => {
            // A detected reuse revoked the family inside this transaction: keep that.
            txn.commit().await?;
            if err.code() == "refresh_token_reused" {
                state.invalidate_credentials();
            }
            return Err(err);
        }
    };
    let membership = membership::Entity::find_in(owner.tenant_id.uuid())
        .filter(membership::Column::UserId.eq(owner.user_id.uuid()))
        .one(&txn)
        .await?;
    let user = user::Entity::find_by_id(owner.user_id.uuid()).one(&txn).await?;
    let tenant = tenant::Entity::find_by_id(owner.tenant_id.uuid()).one(&txn).await?;
    let (Some(membership), Some(user), Some(tenant)) = (membership, user, tenant) else {
        sessions::revoke_family(&txn, owner.tenant_id, owner.session_id).await?;
        txn.commit().await?;
        return Err(ApiError::unauthorized(
            "invalid_refresh_token",
            "The session's membership no longer exists; log in again.",
        ));
    };
    let role = Role::parse(&membership.role).ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown role")))?;
    let refresh_token = sessions::issue(&txn, &owner, state.settings.refresh_token_ttl_secs, &meta).await?;
    txn.commit().await?;
    session_out(state, &owner, refresh_token, user, tenant, role)
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored (RFC 7009).
#[tracing::instrument(skip_all)]
pub async fn logout(state: &AppState, token: &str, meta: &RequestMeta) -> ApiResult<()> {
    if let Some(owner) = sessions::owner_of(&state.db, token).await? {
        let txn = db::begin_write(&state.db).await?;
        if sessions::revoke_family(&txn, owner.tenant_id, owner.session_id).await? > 0 {
            audit::record(
                &txn,
                meta,
                AuditEvent::new(action::LOGOUT, Some(owner.tenant_id), Actor::User(owner.user_id))
                    .target("session", owner.session_id),
            )
            .await?;
        }
        txn.commit().await?;
        state.invalidate_credentials();
        tracing::info!(tenant_id = %owner.tenant_id, session_id = %owner.session_id, "logged out");
    }
    Ok(())
}

/// Who the caller is.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn me(state: &AppState, ctx: &TenantCtx) -> ApiResult<MeOut> {
    let gone = || ApiError::unauthorized("invalid_token", "The principal of this token no longer exists.");
    match &ctx.principal {
        Principal::ApiKey(key) => {
            // The organisation acted on: the key's own, or a client workspace (X-Tenant-Id).
            let tenant = if ctx.via_agency() {
                let tenant = state.auth.tenant(&state.db, ctx.tenant_id.uuid()).await?.ok_or_else(gone)?;
                (*tenant).clone()
            } else {
                key.tenant.clone()
            };
            Ok(MeOut {
                principal_type: PrincipalType::ApiKey,
                user: None,
                api_key: Some(MeApiKey { id: key.id, name: key.name.clone(), prefix: key.prefix.clone() }),
                organization: organization_out(tenant),
                role: ctx.role,
            })
        }
        Principal::User { user_id, .. } => {
            let (user, tenant) = tokio::try_join!(
                user::Entity::find_by_id(user_id.uuid()).one(&state.db),
                tenant::Entity::find_by_id(ctx.tenant_id.uuid()).one(&state.db),
            )?;
            let (user, tenant) = (user.ok_or_else(gone)?, tenant.ok_or_else(gone)?);
            Ok(MeOut {
                principal_type: PrincipalType::User,
                user: Some(user_out(user)),
                api_key: None,
                organization: organization_out(tenant),
                role: ctx.role,
            })
        }
    }
}

fn session_out(
    state: &AppState,
    owner: &TokenOwner,
    refresh_token: String,
    user: user::Model,
    tenant: tenant::Model,
    role: Role,
) -> ApiResult<SessionOut> {
    Ok(SessionOut {
        access_token: state.jwt.issue(owner.user_id, owner.tenant_id, owner.session_id, role)?,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs(),
        refresh_token,
        refresh_token_expires_in: state.settings.refresh_token_ttl_secs,
        user: user_out(user),
        organization: organization_out(tenant),
        role,
    })
}

// ---- For the organizations capability (invitations, workspace switching). ----

/// Checks an address and the password policy for a new account (as sign-up does); returns the
/// normalised email and the password's hash.
pub async fn new_account_credentials(raw_email: &str, password: String) -> ApiResult<(String, String)> {
    let email = Email::parse("email", raw_email).map_err(|e| ApiError::Validation { errors: vec![e] })?;
    password::check_policy(&password, &email).map_err(|e| ApiError::Validation { errors: vec![e] })?;
    Ok((email.as_str().to_owned(), password::hash(password).await?))
}

/// Starts a new login session for `user` in `tenant` (inside the caller's transaction).
pub async fn start_session<C: sea_orm::ConnectionTrait>(
    state: &AppState,
    db: &C,
    user: user::Model,
    tenant: tenant::Model,
    role: Role,
    meta: &RequestMeta,
) -> ApiResult<SessionOut> {
    let owner = TokenOwner {
        tenant_id: TenantId::from_uuid(tenant.id),
        user_id: UserId::from_uuid(user.id),
        session_id: SessionId::generate(),
    };
    let refresh_token = sessions::issue(db, &owner, state.settings.refresh_token_ttl_secs, meta).await?;
    session_out(state, &owner, refresh_token, user, tenant, role)
}
