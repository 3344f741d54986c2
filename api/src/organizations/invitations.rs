//! Invitations: create (emailed token), list, revoke, and accept by token. Tokens are `inv_` + 40
//! alphanumerics, single use, expiring; only their SHA-256 is stored.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, post, web};
use chrono::{Duration, Utc};
use entities::{invitation, membership, tenant, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, SqlErr, sea_query::Expr};
use serde_json::json;

use super::{
    common::{lock_tenant, require_owner, seat_limit, seats_used},
    dto::{AcceptInvitationIn, InvitationIn, InvitationList, InvitationOut, InvitationStatus},
};
use crate::{
    audit::{self, Actor, AuditEvent, action},
    error::{ApiError, ApiResult, FieldError},
    events::{self, Event},
    identity::{self, SessionOut},
    platform::{
        auth::{self, Access, Principal, Resource, Role, Scope, TenantCtx},
        crypto::{random_alphanumeric, sha256_hex},
        db,
        extract::{ValidatedJson, ValidatedQuery},
        ids::{InvitationId, TenantId, UserId},
        mail::Email,
        pagination::{ListParams, fetch_page},
        request_meta::RequestMeta,
    },
    state::AppState,
};

const TOKEN_PREFIX: &str = "inv_";

/// Invite someone
///
/// Invites an email address to join the organisation with a role and emails them a single-use
/// token (valid for `invitation_ttl_secs`). Only an owner may invite an owner. Answers 409
/// `already_member`, `invitation_pending` (an unexpired invitation for that address exists) or
/// `seat_limit_reached` (members + pending invitations would exceed the seat limit). The token is
/// never part of a response. Needs `invitations:write`.
#[utoipa::path(
    operation_id = "create_invitation",
    tag = "invitations",
    security(("bearer" = [])),
    request_body = InvitationIn,
    responses(
        (status = 201, description = "The invitation (without its token).", body = InvitationOut),
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
#[post("/invitations")]
pub async fn create_invitation(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<InvitationIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(Scope::new(Resource::Invitations, Access::Write))?;
    Ok(HttpResponse::Created().json(create(&state, &ctx, &meta, body.0).await?))
}

/// List invitations
///
/// Lists the organisation's invitations in every status (pending, accepted, revoked, expired),
/// oldest first, with cursor pagination. Needs `invitations:read`.
#[utoipa::path(
    operation_id = "list_invitations",
    tag = "invitations",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of invitations.", body = InvitationList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<InvitationList>> {
    ctx.require(Scope::new(Resource::Invitations, Access::Read))?;
    let page = fetch_page(
        &state.db,
        invitation::Entity::find_in(ctx.tenant_id.uuid()),
        invitation::Column::Id,
        |m| m.id,
        query.page_request()?,
    )
    .await?;
    let now = Utc::now();
    Ok(web::Json(page.map(|m| InvitationOut::of(m, now)).into()))
}

/// Revoke an invitation
///
/// Revokes a pending (or expired) invitation: its token stops working. An accepted or already
/// revoked invitation answers 409 `invitation_not_pending`. Needs `invitations:write`.
#[utoipa::path(
    operation_id = "delete_invitation",
    tag = "invitations",
    security(("bearer" = [])),
    params(("id" = InvitationId, Path, description = "The invitation's id (`inv_…`).")),
    responses(
        (status = 204, description = "The invitation is revoked."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/invitations/{id}")]
pub async fn delete_invitation(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    id: web::Path<InvitationId>,
) -> ApiResult<HttpResponse> {
    ctx.require(Scope::new(Resource::Invitations, Access::Write))?;
    revoke(&state, &ctx, &meta, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accept an invitation
///
/// Joins the invited organisation with the token from the invitation email and returns a login
/// session in it. When the invited address has no account yet, send `password` (and optionally
/// `name`): the account is created with its email verified, and the answer is 201. When it has
/// one, send that user's access token in `Authorization` instead: the answer is 200 (without it,
/// 409 `account_exists`; another user's token gives 403 `invitation_email_mismatch`). An unknown,
/// used, revoked or expired token answers 400 `invalid_invitation`.
#[utoipa::path(
    operation_id = "accept_invitation",
    tag = "invitations",
    security((), ("bearer" = [])),
    request_body = AcceptInvitationIn,
    responses(
        (status = 200, description = "Joined with an existing account; a session in the organisation.", body = SessionOut),
        (status = 201, description = "Account created and joined; a session in the organisation.", body = SessionOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidatedJson<AcceptInvitationIn>,
) -> ApiResult<HttpResponse> {
    let meta = RequestMeta::of(&req);
    // The token is the credential; an access token, if sent, says who is accepting.
    let caller = if req.headers().contains_key(header::AUTHORIZATION) {
        let token = auth::bearer(&req)?;
        let ctx = auth::authenticate(&state, &token, None, meta.ip.clone()).await?;
        match ctx.principal {
            Principal::User { user_id, .. } => Some(user_id),
            Principal::ApiKey(_) => {
                return Err(ApiError::forbidden(
                    "user_principal_required",
                    "Accept an invitation with a user's access token, not an API key.",
                ));
            }
        }
    } else {
        None
    };
    let (created, session) = accept(&state, &meta, body.0, caller).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(session))
}

fn conflict(code: &'static str, detail: &str) -> ApiError {
    ApiError::conflict(code, detail)
}

async fn create(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    input: InvitationIn,
) -> ApiResult<InvitationOut> {
    if input.role == Role::Owner {
        require_owner(ctx, "invite an owner")?;
    }
    let email = input.email.trim().to_lowercase();
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    let tenant = lock_tenant(&txn, ctx.tenant_id.uuid()).await?;
    if let Some(existing) = user::Entity::find_by_email(&email).one(&txn).await? {
        let member =
            membership::Entity::find_in(tenant.id).filter(membership::Column::UserId.eq(existing.id)).one(&txn).await?;
        if member.is_some() {
            return Err(conflict("already_member", "This person is already a member of the organisation."));
        }
    }
    let pending = invitation::Entity::find_pending_in(tenant.id)
        .filter(invitation::Column::Email.eq(&email))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .one(&txn)
        .await?;
    if pending.is_some() {
        return Err(conflict(
            "invitation_pending",
            "A pending invitation for this address exists; revoke it first to send a new one.",
        ));
    }
    let limit = seat_limit(state, &tenant);
    if seats_used(&txn, tenant.id, now).await? >= limit {
        return Err(conflict(
            "seat_limit_reached",
            &format!("The organisation uses all of its {limit} seats (members and pending invitations)."),
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_alphanumeric(40));
    let ttl = i64::try_from(state.settings.invitation_ttl_secs).unwrap_or(i64::MAX / 2);
    let row = invitation::Model {
        id: InvitationId::generate().uuid(),
        tenant_id: tenant.id,
        email: email.clone(),
        role: input.role.as_str().to_owned(),
        token_hash: sha256_hex(&token),
        invited_by: ctx.principal.user_id().map(UserId::uuid),
        expires_at: now + Duration::seconds(ttl),
        accepted_at: None,
        revoked_at: None,
        created_at: now,
    };
    invitation::Entity::insert(invitation::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
    let id = InvitationId::from_uuid(row.id);
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::INVITATION_CREATED)
            .target("invitation", id)
            .metadata(json!({"email": email, "role": input.role.as_str()})),
    )
    .await?;
    let out = InvitationOut::of(row.clone(), now);
    events::append(&txn, ctx.tenant_id, Event::member_invited(&out)).await?;
    txn.commit().await?;
    let link = format!("{}/accept-invitation?token={token}", state.settings.public_url.trim_end_matches('/'));
    let text = format!(
        "You have been invited to join {org} on Campaign OS as {role}.\n\n\
         Accept the invitation: {link}\n\n\
         Or send this token to POST /v1/invitations/accept: {token}\n\n\
         The invitation expires at {expires} (UTC). If you did not expect it, ignore this email.\n",
        org = tenant.name,
        role = input.role.as_str(),
        expires = row.expires_at.format("%Y-%m-%d %H:%M"),
    );
    let subject = format!("You are invited to join {} on Campaign OS", tenant.name);
    state.mailer.send_logged(&state.db, Email { to: email, subject, text }).await;
    tracing::info!(tenant_id = %ctx.tenant_id, invitation_id = %id, "invitation created");
    Ok(out)
}

async fn revoke(state: &AppState, ctx: &TenantCtx, meta: &RequestMeta, id: InvitationId) -> ApiResult<()> {
    let txn = db::begin_write(&state.db).await?;
    let row = invitation::Entity::find_in(ctx.tenant_id.uuid())
        .filter(invitation::Column::Id.eq(id.uuid()))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    let revoked = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(invitation::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(invitation::Column::Id.eq(row.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !revoked {
        return Err(conflict("invitation_not_pending", "The invitation was already accepted or revoked."));
    }
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::INVITATION_REVOKED).target("invitation", id).metadata(json!({"email": row.email})),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(tenant_id = %ctx.tenant_id, invitation_id = %id, "invitation revoked");
    Ok(())
}

fn invalid_invitation() -> ApiError {
    ApiError::bad_request(
        "invalid_invitation",
        "This invitation token is unknown, already used, revoked or expired; ask for a new invitation.",
    )
}

/// The invitation of a token if it can still be accepted.
async fn usable<C: sea_orm::ConnectionTrait>(db: &C, token: &str) -> ApiResult<invitation::Model> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(invalid_invitation());
    }
    let row =
        invitation::Entity::find_by_token_hash(&sha256_hex(token)).one(db).await?.ok_or_else(invalid_invitation)?;
    if InvitationOut::of(row.clone(), Utc::now()).status != InvitationStatus::Pending {
        return Err(invalid_invitation());
    }
    Ok(row)
}

/// Accepts; returns whether an account was created, and the new session.
async fn accept(
    state: &AppState,
    meta: &RequestMeta,
    input: AcceptInvitationIn,
    caller: Option<UserId>,
) -> ApiResult<(bool, SessionOut)> {
    let token = input.token.trim();
    // Checks and password hashing happen before the write transaction (hashing is slow); the
    // transaction re-checks everything.
    let invite = usable(&state.db, token).await?;
    let existing = user::Entity::find_by_email(&invite.email).one(&state.db).await?;
    let mismatch = || {
        ApiError::forbidden(
            "invitation_email_mismatch",
            "This invitation was sent to another email address than the account you are logged in with.",
        )
    };
    let new_credentials = match (&existing, caller) {
        (Some(user), Some(caller)) if user.id == caller.uuid() => None,
        (_, Some(_)) => return Err(mismatch()),
        (Some(_), None) => {
            return Err(conflict(
                "account_exists",
                "An account with the invited address exists: log in and accept with your access token.",
            ));
        }
        (None, None) => {
            let password = input.password.ok_or_else(|| ApiError::Validation {
                errors: vec![FieldError::new("password", "required", "is required to create your account")],
            })?;
            Some(identity::new_account_credentials(&invite.email, password).await?)
        }
    };

    let created = new_credentials.is_some();
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    let invite = usable(&txn, token).await?;
    let tenant = tenant::Entity::find_by_id(invite.tenant_id).one(&txn).await?.ok_or_else(invalid_invitation)?;
    let role = Role::parse(&invite.role).unwrap_or(Role::Viewer);
    let user = match new_credentials {
        None => {
            let user = user::Entity::find_by_email(&invite.email).one(&txn).await?.ok_or_else(mismatch)?;
            let member =
                membership::Entity::find_in(tenant.id).filter(membership::Column::UserId.eq(user.id)).one(&txn).await?;
            if member.is_some() {
                return Err(conflict("already_member", "You are already a member of this organisation."));
            }
            user
        }
        Some((email, password_hash)) => {
            let user = user::Model {
                id: UserId::generate().uuid(),
                email,
                password_hash,
                name: input.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
                // The invitation reached this address: that verifies it.
                email_verified_at: Some(now),
                is_operator: false,
                totp_secret: None,
                totp_pending_secret: None,
                totp_enabled_at: None,
                totp_last_step: None,
                created_at: now,
                updated_at: now,
            };
            if let Err(err) =
                user::Entity::insert(user::ActiveModel::from(user.clone())).exec_without_returning(&txn).await
            {
                return Err(match err.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => conflict(
                        "account_exists",
                        "An account with the invited address exists: log in and accept with your access token.",
                    ),
                    _ => err.into(),
                });
            }
            user
        }
    };
    // Single use: only one acceptance can flip `accepted_at`.
    let claimed = invitation::Entity::update_many()
        .col_expr(invitation::Column::AcceptedAt, Expr::value(now))
        .filter(invitation::Column::TenantId.eq(tenant.id))
        .filter(invitation::Column::Id.eq(invite.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Err(invalid_invitation());
    }
    let member =
        membership::Model { tenant_id: tenant.id, user_id: user.id, role: role.as_str().to_owned(), created_at: now };
    membership::Entity::insert(membership::ActiveModel::from(member.clone())).exec_without_returning(&txn).await?;
    let (tenant_id, user_id) = (TenantId::from_uuid(tenant.id), UserId::from_uuid(user.id));
    let actor = || Actor::User(user_id);
    let invitation_id = InvitationId::from_uuid(invite.id);
    audit::record(
        &txn,
        meta,
        AuditEvent::new(action::INVITATION_ACCEPTED, Some(tenant_id), actor())
            .target("invitation", invitation_id)
            .metadata(json!({"new_account": created})),
    )
    .await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::new(action::MEMBER_JOINED, Some(tenant_id), actor())
            .target("user", user_id)
            .metadata(json!({"role": role.as_str(), "invitation_id": invitation_id.to_string()})),
    )
    .await?;
    events::append(&txn, tenant_id, Event::member_joined(&super::members::member_out(member, Some(&user)))).await?;
    let session = identity::start_session(state, &txn, user, tenant, role, meta).await?;
    txn.commit().await?;
    tracing::info!(tenant_id = %tenant_id, user_id = %user_id, "invitation accepted");
    Ok((created, session))
}
