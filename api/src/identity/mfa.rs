//! TOTP two-factor authentication of the calling user (enrol, confirm, disable, recovery codes)
//! and the second step of a login.
//!
//! Attempt limits live in process memory (moka): a login challenge dies after
//! `MAX_FAILURES_PER_CHALLENGE` wrong codes, and a user with `MAX_FAILURES_PER_USER` wrong codes
//! in `USER_WINDOW` (across challenges and the `/v1/me/mfa/*` operations) gets 429 until the
//! window ends. With several replicas each keeps its own counts; the per-IP rate limit on the
//! auth endpoints bounds the total.

use std::{
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

use chrono::Utc;
use entities::{recovery_code, user};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    dto::{MfaChallengeOut, MfaLoginIn, RecoveryCodesOut, SessionOut, TotpEnrolmentOut},
    login, totp,
    user_only::user_of,
};
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        auth::{TenantCtx, jwt::MFA_CHALLENGE_TTL_SECS},
        crypto::sha256_hex,
        db,
        ids::{TenantId, UserId},
        request_meta::RequestMeta,
    },
    state::AppState,
};

pub const MAX_FAILURES_PER_CHALLENGE: u32 = 5;
pub const MAX_FAILURES_PER_USER: u32 = 10;
pub const USER_WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
struct ChallengeState {
    failures: u32,
    used: bool,
}

static CHALLENGES: LazyLock<moka::sync::Cache<String, Arc<Mutex<ChallengeState>>>> = LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(Duration::from_secs(MFA_CHALLENGE_TTL_SECS + 60))
        .build()
});

static USER_FAILURES: LazyLock<moka::sync::Cache<Uuid, Arc<Mutex<u32>>>> =
    LazyLock::new(|| moka::sync::Cache::builder().max_capacity(100_000).time_to_live(USER_WINDOW).build());

/// Which second factor was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    RecoveryCode,
}

impl Factor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

fn invalid_code_me() -> ApiError {
    ApiError::Unprocessable { code: "invalid_mfa_code", detail: "The code is wrong, expired or already used.".into() }
}

fn invalid_code_login() -> ApiError {
    ApiError::unauthorized("invalid_mfa_code", "The code is wrong, expired or already used.")
}

fn invalid_challenge() -> ApiError {
    ApiError::unauthorized("invalid_mfa_challenge", "The MFA challenge is invalid, used or expired; log in again.")
}

fn user_gone() -> ApiError {
    ApiError::unauthorized("invalid_token", "The principal of this token no longer exists.")
}

fn lock_of<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// 429 while the user has too many recent wrong codes.
fn check_user_lock(user_id: Uuid) -> ApiResult<()> {
    if let Some(count) = USER_FAILURES.get(&user_id)
        && *lock_of(&count) >= MAX_FAILURES_PER_USER
    {
        return Err(ApiError::TooManyRequests {
            code: "too_many_mfa_attempts",
            detail: "Too many wrong two-factor codes; wait a few minutes and try again.".into(),
            retry_after_secs: USER_WINDOW.as_secs(),
        });
    }
    Ok(())
}

fn count_user_failure(user_id: Uuid) {
    let count = USER_FAILURES.get_with(user_id, || Arc::new(Mutex::new(0)));
    *lock_of(&count) += 1;
}

async fn record_failure(
    meta: &RequestMeta,
    db: &impl ConnectionTrait,
    tenant: Option<TenantId>,
    user_id: UserId,
    actor: Actor,
    context: &str,
) {
    let event = AuditEvent::new(action::MFA_FAILED, tenant, actor)
        .target("user", user_id)
        .metadata(serde_json::json!({ "context": context }));
    if let Err(e) = audit::record(db, meta, event).await {
        tracing::warn!(error = %e, "could not record a failed 2FA code");
    }
}

/// Checks `code` against the user's enabled TOTP secret (and, if `allow_recovery`, their unused
/// recovery codes) and consumes it inside `txn`: the TOTP step is recorded (never accepted
/// again) or the recovery code marked used. `None` when the code does not match.
async fn redeem<C: ConnectionTrait>(
    state: &AppState,
    txn: &C,
    user: &user::Model,
    code: &str,
    allow_recovery: bool,
) -> ApiResult<Option<Factor>> {
    let now = Utc::now();
    if totp::is_totp_code(code) {
        let Some(sealed) = &user.totp_secret else { return Ok(None) };
        let secret = totp::open(&state.keys, sealed)?;
        let now_unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let Some(step) = totp::matching_step(&secret, code, now_unix, user.totp_last_step)? else { return Ok(None) };
        // Only if no concurrent request already accepted this step or a later one.
        let claimed = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(user.id))
            .filter(Condition::any().add(user::Column::TotpLastStep.is_null()).add(user::Column::TotpLastStep.lt(step)))
            .exec(txn)
            .await?
            .rows_affected
            == 1;
        return Ok(claimed.then_some(Factor::Totp));
    }
    if !allow_recovery {
        return Ok(None);
    }
    let Some(hash) = totp::recovery_code_hash(code) else { return Ok(None) };
    let Some(row) = recovery_code::Entity::find_for_user(user.id)
        .filter(recovery_code::Column::CodeHash.eq(hash))
        .filter(recovery_code::Column::UsedAt.is_null())
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let claimed = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::Id.eq(row.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected
        == 1;
    Ok(claimed.then_some(Factor::RecoveryCode))
}

/// Replaces the user's recovery codes with ten new ones; returns them in display form.
async fn replace_recovery_codes<C: ConnectionTrait>(txn: &C, user_id: Uuid) -> ApiResult<Vec<String>> {
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(txn).await?;
    let codes = totp::new_recovery_codes();
    let now = Utc::now();
    let rows = codes.iter().map(|code| recovery_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        code_hash: Set(totp::recovery_code_hash(code).unwrap_or_else(|| sha256_hex(code))),
        used_at: Set(None),
        created_at: Set(now),
    });
    recovery_code::Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(codes)
}

async fn load_user<C: ConnectionTrait>(db: &C, user_id: UserId) -> ApiResult<user::Model> {
    user::Entity::find_by_id(user_id.uuid()).one(db).await?.ok_or_else(user_gone)
}

fn already_enabled() -> ApiError {
    ApiError::conflict("mfa_already_enabled", "Two-factor authentication is already on; disable it first.")
}

fn not_enabled() -> ApiError {
    ApiError::conflict("mfa_not_enabled", "Two-factor authentication is not on.")
}

/// Starts enrolment: a new secret, kept sealed as pending until confirmed with a code.
#[tracing::instrument(skip_all)]
pub async fn enrol(state: &AppState, ctx: &TenantCtx, meta: &RequestMeta) -> ApiResult<TotpEnrolmentOut> {
    let (user_id, _) = user_of(ctx)?;
    let txn = db::begin_write(&state.db).await?;
    let user = load_user(&txn, user_id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let enrolment = totp::enrol(&state.keys, &user.email)?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpPendingSecret, Expr::value(enrolment.sealed))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, meta, AuditEvent::by(ctx, action::MFA_ENROLLED).target("user", user_id)).await?;
    txn.commit().await?;
    Ok(TotpEnrolmentOut { secret: enrolment.secret_base32, otpauth_uri: enrolment.otpauth_uri })
}

/// Confirms enrolment with a code from the app: 2FA is on, and ten recovery codes are returned
/// (the only time they are shown).
#[tracing::instrument(skip_all)]
pub async fn confirm(state: &AppState, ctx: &TenantCtx, code: &str, meta: &RequestMeta) -> ApiResult<RecoveryCodesOut> {
    let (user_id, _) = user_of(ctx)?;
    check_user_lock(user_id.uuid())?;
    let txn = db::begin_write(&state.db).await?;
    let user = load_user(&txn, user_id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(already_enabled());
    }
    let Some(pending) = &user.totp_pending_secret else {
        return Err(ApiError::conflict(
            "mfa_not_enrolled",
            "Start with POST /v1/me/mfa/totp to get a secret, then confirm it with a code.",
        ));
    };
    let secret = totp::open(&state.keys, pending)?;
    let now = Utc::now();
    let Some(step) = totp::matching_step(&secret, code, u64::try_from(now.timestamp()).unwrap_or(0), None)? else {
        drop(txn);
        count_user_failure(user_id.uuid());
        record_failure(meta, &state.db, Some(ctx.tenant_id), user_id, Actor::of(ctx), "confirm").await;
        return Err(invalid_code_me());
    };
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(pending.clone()))
        .col_expr(user::Column::TotpPendingSecret, Expr::value(Option::<String>::None))
        .col_expr(user::Column::TotpEnabledAt, Expr::value(now))
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let codes = replace_recovery_codes(&txn, user.id).await?;
    audit::record(&txn, meta, AuditEvent::by(ctx, action::MFA_ENABLED).target("user", user_id)).await?;
    txn.commit().await?;
    tracing::info!(%user_id, "2FA enabled");
    Ok(RecoveryCodesOut { recovery_codes: codes })
}

/// Checks a code (TOTP or recovery) for an operation on the caller's 2FA; counts failures.
async fn require_code<C: ConnectionTrait>(
    state: &AppState,
    txn: C,
    ctx: &TenantCtx,
    user: &user::Model,
    code: &str,
    meta: &RequestMeta,
    context: &str,
) -> ApiResult<(C, Factor)> {
    match redeem(state, &txn, user, code, true).await? {
        Some(factor) => Ok((txn, factor)),
        None => {
            drop(txn);
            let user_id = UserId::from_uuid(user.id);
            count_user_failure(user.id);
            record_failure(meta, &state.db, Some(ctx.tenant_id), user_id, Actor::of(ctx), context).await;
            Err(invalid_code_me())
        }
    }
}

/// Turns 2FA off; needs a current TOTP code or an unused recovery code.
#[tracing::instrument(skip_all)]
pub async fn disable(state: &AppState, ctx: &TenantCtx, code: &str, meta: &RequestMeta) -> ApiResult<()> {
    let (user_id, _) = user_of(ctx)?;
    check_user_lock(user_id.uuid())?;
    let txn = db::begin_write(&state.db).await?;
    let user = load_user(&txn, user_id).await?;
    if user.totp_enabled_at.is_none() {
        return Err(not_enabled());
    }
    let (txn, factor) = require_code(state, txn, ctx, &user, code, meta, "disable").await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(Option::<String>::None))
        .col_expr(user::Column::TotpPendingSecret, Expr::value(Option::<String>::None))
        .col_expr(user::Column::TotpEnabledAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user.id)).exec(&txn).await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::MFA_DISABLED)
            .target("user", user_id)
            .metadata(serde_json::json!({ "method": factor.as_str() })),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(%user_id, "2FA disabled");
    Ok(())
}

/// Replaces the recovery codes with ten new ones; needs a current TOTP code or a recovery code.
#[tracing::instrument(skip_all)]
pub async fn regenerate_recovery_codes(
    state: &AppState,
    ctx: &TenantCtx,
    code: &str,
    meta: &RequestMeta,
) -> ApiResult<RecoveryCodesOut> {
    let (user_id, _) = user_of(ctx)?;
    check_user_lock(user_id.uuid())?;
    let txn = db::begin_write(&state.db).await?;
    let user = load_user(&txn, user_id).await?;
    if user.totp_enabled_at.is_none() {
        return Err(not_enabled());
    }
    let (txn, factor) = require_code(state, txn, ctx, &user, code, meta, "recovery_codes").await?;
    let codes = replace_recovery_codes(&txn, user.id).await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::MFA_RECOVERY_CODES_REGENERATED)
            .target("user", user_id)
            .metadata(serde_json::json!({ "method": factor.as_str() })),
    )
    .await?;
    txn.commit().await?;
    Ok(RecoveryCodesOut { recovery_codes: codes })
}

/// Whether a login of `user` needs a second factor.
pub fn required_for(user: &user::Model) -> bool {
    user.totp_enabled_at.is_some() && user.totp_secret.is_some()
}

/// The challenge a login answers with when 2FA is on.
pub fn challenge(state: &AppState, user: &user::Model, tenant_id: TenantId) -> ApiResult<MfaChallengeOut> {
    let (challenge_token, _) = state.jwt.issue_mfa_challenge(UserId::from_uuid(user.id), tenant_id)?;
    Ok(MfaChallengeOut {
        challenge_token,
        expires_in: MFA_CHALLENGE_TTL_SECS,
        methods: vec![Factor::Totp.as_str().into(), Factor::RecoveryCode.as_str().into()],
    })
}

/// Completes a login with a second factor: the challenge must be valid, unused and not dead
/// (five wrong codes), and the code a fresh TOTP code or an unused recovery code.
#[tracing::instrument(skip_all)]
pub async fn complete_login(state: &AppState, input: MfaLoginIn, meta: &RequestMeta) -> ApiResult<SessionOut> {
    let claims = state.jwt.verify_mfa_challenge(&input.challenge_token)?;
    let challenge =
        CHALLENGES.get_with(claims.challenge_id.clone(), || Arc::new(Mutex::new(ChallengeState::default())));
    {
        let c = lock_of(&challenge);
        if c.used || c.failures >= MAX_FAILURES_PER_CHALLENGE {
            return Err(invalid_challenge());
        }
    }
    check_user_lock(claims.user_id.uuid())?;
    let txn = db::begin_write(&state.db).await?;
    let user = user::Entity::find_by_id(claims.user_id.uuid()).one(&txn).await?.ok_or_else(invalid_challenge)?;
    if !required_for(&user) {
        return Err(invalid_challenge());
    }
    let Some(factor) = redeem(state, &txn, &user, &input.code, true).await? else {
        drop(txn);
        lock_of(&challenge).failures += 1;
        count_user_failure(user.id);
        record_failure(meta, &state.db, Some(claims.tenant_id), claims.user_id, Actor::Anonymous, "login").await;
        return Err(invalid_code_login());
    };
    // Single use: of two concurrent completions, one wins.
    {
        let mut c = lock_of(&challenge);
        if c.used {
            return Err(invalid_challenge());
        }
        c.used = true;
    }
    let (tenant, role) = login::tenant_for(state, &user, claims.tenant_id).await?;
    if factor == Factor::RecoveryCode {
        let remaining = recovery_code::Entity::find_for_user(user.id)
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&txn)
            .await?;
        audit::record(
            &txn,
            meta,
            AuditEvent::new(action::MFA_RECOVERY_CODE_USED, Some(claims.tenant_id), Actor::User(claims.user_id))
                .target("user", claims.user_id)
                .metadata(serde_json::json!({ "remaining": remaining })),
        )
        .await?;
    }
    let out = login::finish_in(state, &txn, user, tenant, role, meta, factor.as_str()).await?;
    txn.commit().await?;
    Ok(out)
}
