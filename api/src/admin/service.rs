//! Operator rules: searching organisations, suspension, the sandbox mailbox, and making
//! operators (the CLI). Operators act across tenants, so these queries are deliberately global.

use chrono::{SubsecRound, Utc};
use entities::{membership, refresh_token, sandbox_email, tenant, user};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde_json::json;

use super::dto::{AdminOrganizationList, AdminOrganizationOut, SandboxEmailList, SandboxEmailOut};
use crate::{
    audit::{self, Actor, AuditEvent, action, dto::SortOrder, service::fetch_page_ordered},
    error::{ApiError, ApiResult},
    identity::{email::Email, password},
    platform::{
        auth::operator::OperatorCtx,
        db::begin_write,
        ids::{TenantId, UserId},
        pagination::PageRequest,
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// The name of the tenant operators belong to.
pub const PLATFORM_TENANT_NAME: &str = "Platform operators";

fn escape_like(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// Organisations, oldest first: all, those whose name contains `q` (case-insensitive), or the one
/// whose id is `q`.
pub async fn list_organizations(
    state: &AppState,
    q: Option<&str>,
    page: PageRequest,
) -> ApiResult<AdminOrganizationList> {
    let mut select = tenant::Entity::find();
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        select = match TenantId::parse(q) {
            Ok(id) => select.filter(tenant::Column::Id.eq(id.uuid())),
            Err(_) => {
                let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
                select.filter(
                    Expr::expr(Func::lower(Expr::col(tenant::Column::Name))).like(LikeExpr::new(pattern).escape('\\')),
                )
            }
        };
    }
    let page = fetch_page_ordered(&state.db, select, tenant::Column::Id, |m| m.id, page, SortOrder::Asc).await?;
    Ok(page.map(AdminOrganizationOut::from).into())
}

/// One organisation.
pub async fn get_organization(state: &AppState, id: TenantId) -> ApiResult<AdminOrganizationOut> {
    tenant::Entity::find_by_id(id.uuid())
        .one(&state.db)
        .await?
        .map(AdminOrganizationOut::from)
        .ok_or_else(|| ApiError::not_found("organisation"))
}

/// Suspends (`Some(reason)`) or reactivates (`None`) an organisation. Its tokens and keys are
/// refused (403 `organization_suspended`) from the next request on; repeating is a no-op.
pub async fn set_suspended(
    state: &AppState,
    op: &OperatorCtx,
    meta: &RequestMeta,
    id: TenantId,
    reason: Option<String>,
) -> ApiResult<AdminOrganizationOut> {
    let txn = begin_write(&state.db).await?;
    let org =
        tenant::Entity::find_by_id(id.uuid()).one(&txn).await?.ok_or_else(|| ApiError::not_found("organisation"))?;
    if org.kind == "platform" {
        return Err(ApiError::Unprocessable {
            code: "platform_organization",
            detail: "The platform operators' organisation cannot be suspended.".into(),
        });
    }
    let suspend = reason.is_some();
    if org.suspended_at.is_some() == suspend {
        return Ok(org.into());
    }
    let now = Utc::now().trunc_subsecs(6);
    let suspended_at = suspend.then_some(now);
    tenant::Entity::update_many()
        .col_expr(tenant::Column::SuspendedAt, Expr::value(suspended_at))
        .col_expr(tenant::Column::UpdatedAt, Expr::value(now))
        .filter(tenant::Column::Id.eq(org.id))
        .exec(&txn)
        .await?;
    let (act, metadata) = match &reason {
        Some(reason) => (action::ORGANIZATION_SUSPENDED, json!({ "reason": reason.trim() })),
        None => (action::ORGANIZATION_UNSUSPENDED, json!({})),
    };
    audit::record(
        &txn,
        meta,
        AuditEvent::new(act, Some(id), Actor::Operator(op.user_id)).target("organization", id).metadata(metadata),
    )
    .await?;
    txn.commit().await?;
    state.invalidate_credentials();
    tracing::info!(organization_id = %id, suspended = suspend, operator = %op.user_id, "organisation suspension changed");
    Ok(tenant::Model { suspended_at, updated_at: now, ..org }.into())
}

/// Sandbox messages, newest first, optionally to one address.
pub async fn list_sandbox_emails(state: &AppState, to: Option<&str>, page: PageRequest) -> ApiResult<SandboxEmailList> {
    let mut select = sandbox_email::Entity::find();
    if let Some(to) = to.map(str::trim).filter(|t| !t.is_empty()) {
        select =
            select.filter(Expr::expr(Func::lower(Expr::col(sandbox_email::Column::ToAddress))).eq(to.to_lowercase()));
    }
    let page =
        fetch_page_ordered(&state.db, select, sandbox_email::Column::Id, |m| m.id, page, SortOrder::Desc).await?;
    Ok(page.map(SandboxEmailOut::from).into())
}

/// What `create_operator` did.
#[derive(Debug)]
pub struct CreatedOperator {
    pub user_id: UserId,
    pub platform_tenant_id: TenantId,
    /// Whether the user already existed (and was made an operator).
    pub existing_user: bool,
}

/// Makes `email` a platform operator (the `campaign-os admin create-operator` command): creates
/// the user (email verified) with `password`, or promotes an existing user, and gives them an
/// owner membership in the "Platform operators" tenant (created once) so that the normal login
/// works. For an existing user a given password replaces theirs and ends their sessions; an
/// existing user whose address is not verified needs one (so that whoever registered the
/// address cannot become an operator).
pub async fn create_operator(
    db: &DatabaseConnection,
    raw_email: &str,
    new_password: Option<String>,
) -> anyhow::Result<CreatedOperator> {
    let email = Email::parse("email", raw_email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
    if let Some(pw) = &new_password {
        password::check_policy(pw, &email).map_err(|e| anyhow::anyhow!("password: {}", e.message))?;
    }
    let password_hash = match new_password {
        Some(pw) => Some(password::hash(pw).await?),
        None => None,
    };
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let existing = user::Entity::find_by_email(email.as_str()).one(&txn).await?;
    let existing_user = existing.is_some();
    let user_id = match existing {
        Some(u) => {
            if password_hash.is_none() && u.email_verified_at.is_none() {
                anyhow::bail!(
                    "{} exists but has not verified the address; give a new password with --password-stdin",
                    email.as_str()
                );
            }
            let mut update = user::Entity::update_many()
                .col_expr(user::Column::IsOperator, Expr::value(true))
                .col_expr(user::Column::EmailVerifiedAt, Expr::value(u.email_verified_at.unwrap_or(now)))
                .col_expr(user::Column::UpdatedAt, Expr::value(now));
            if let Some(hash) = &password_hash {
                update = update.col_expr(user::Column::PasswordHash, Expr::value(hash.clone()));
            }
            update.filter(user::Column::Id.eq(u.id)).exec(&txn).await?;
            if password_hash.is_some() {
                refresh_token::Entity::update_many()
                    .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
                    .filter(refresh_token::Column::UserId.eq(u.id))
                    .filter(refresh_token::Column::RevokedAt.is_null())
                    .exec(&txn)
                    .await?;
            }
            u.id
        }
        None => {
            let Some(hash) = password_hash else {
                anyhow::bail!("a new operator needs a password: pass --password-stdin and write it to standard input");
            };
            let row = user::Model {
                id: UserId::generate().uuid(),
                email: email.as_str().to_owned(),
                password_hash: hash,
                name: None,
                email_verified_at: Some(now),
                is_operator: true,
                totp_secret: None,
                totp_pending_secret: None,
                totp_enabled_at: None,
                totp_last_step: None,
                created_at: now,
                updated_at: now,
            };
            user::Entity::insert(user::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
            row.id
        }
    };
    let platform = tenant::Entity::find()
        .filter(tenant::Column::Kind.eq("platform"))
        .order_by_asc(tenant::Column::Id)
        .one(&txn)
        .await?;
    let platform_id = match platform {
        Some(t) => t.id,
        None => {
            let row = tenant::Model {
                default_phone_region: None,
                id: TenantId::generate().uuid(),
                name: PLATFORM_TENANT_NAME.to_owned(),
                kind: "platform".to_owned(),
                parent_id: None,
                suspended_at: None,
                seat_limit: None,
                created_at: now,
                updated_at: now,
            };
            tenant::Entity::insert(tenant::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
            row.id
        }
    };
    let member =
        membership::Entity::find_in(platform_id).filter(membership::Column::UserId.eq(user_id)).one(&txn).await?;
    match member {
        Some(m) if m.role == "owner" => {}
        Some(_) => {
            membership::Entity::update_many()
                .col_expr(membership::Column::Role, Expr::value("owner"))
                .filter(membership::Column::TenantId.eq(platform_id))
                .filter(membership::Column::UserId.eq(user_id))
                .exec(&txn)
                .await?;
        }
        None => {
            let row = membership::Model { tenant_id: platform_id, user_id, role: "owner".into(), created_at: now };
            membership::Entity::insert(membership::ActiveModel::from(row)).exec_without_returning(&txn).await?;
        }
    }
    let (user_id, platform_tenant_id) = (UserId::from_uuid(user_id), TenantId::from_uuid(platform_id));
    audit::record(
        &txn,
        &RequestMeta::default(),
        AuditEvent::new(action::OPERATOR_CREATED, Some(platform_tenant_id), Actor::Anonymous)
            .target("user", user_id)
            .metadata(json!({ "email": email.as_str(), "existing_user": existing_user, "via": "cli" })),
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedOperator { user_id, platform_tenant_id, existing_user })
}
