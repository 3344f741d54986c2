//! Recording audit events. Every security-relevant change writes one, in the same transaction as
//! the change where there is one; failures (a refused login) are recorded on their own. The
//! action names are defined once here and listed in `docs/access-control.md`.

use chrono::Utc;
use entities::audit_event;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;

use crate::{
    error::ApiResult,
    platform::{
        auth::{Principal, TenantCtx},
        ids::{ApiKeyId, TenantId, UserId},
        request_meta::RequestMeta,
    },
};

/// Every audit action.
pub mod action {
    pub const SIGNUP: &str = "auth.signup";
    pub const LOGIN_SUCCEEDED: &str = "auth.login.succeeded";
    pub const LOGIN_FAILED: &str = "auth.login.failed";
    pub const LOGIN_THROTTLED: &str = "auth.login.throttled";
    pub const LOGOUT: &str = "auth.logout";
    pub const REFRESH_TOKEN_REUSED: &str = "auth.refresh_token.reused";
    pub const SWITCHED_ORGANIZATION: &str = "auth.organization.switched";
    pub const SESSION_REVOKED: &str = "auth.session.revoked";
    pub const EMAIL_VERIFIED: &str = "auth.email.verified";
    pub const PASSWORD_RESET_REQUESTED: &str = "auth.password_reset.requested";
    pub const PASSWORD_RESET: &str = "auth.password_reset.completed";
    pub const MFA_ENROLLED: &str = "auth.mfa.enrolled";
    pub const MFA_ENABLED: &str = "auth.mfa.enabled";
    pub const MFA_DISABLED: &str = "auth.mfa.disabled";
    pub const MFA_FAILED: &str = "auth.mfa.failed";
    pub const MFA_RECOVERY_CODE_USED: &str = "auth.mfa.recovery_code_used";
    pub const MFA_RECOVERY_CODES_REGENERATED: &str = "auth.mfa.recovery_codes_regenerated";
    pub const API_KEY_CREATED: &str = "api_key.created";
    pub const API_KEY_ROTATED: &str = "api_key.rotated";
    pub const API_KEY_REVOKED: &str = "api_key.revoked";
    pub const ORGANIZATION_UPDATED: &str = "organization.updated";
    pub const MEMBER_ROLE_CHANGED: &str = "member.role_changed";
    pub const MEMBER_REMOVED: &str = "member.removed";
    pub const MEMBER_JOINED: &str = "member.joined";
    pub const INVITATION_CREATED: &str = "invitation.created";
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    pub const INVITATION_ACCEPTED: &str = "invitation.accepted";
    pub const CLIENT_CREATED: &str = "client.created";
    pub const ORGANIZATION_SUSPENDED: &str = "organization.suspended";
    pub const ORGANIZATION_UNSUSPENDED: &str = "organization.unsuspended";
    pub const OPERATOR_CREATED: &str = "operator.created";
    /// A `403`: the caller's role or the key's scopes do not allow the operation.
    pub const ACCESS_DENIED: &str = "access.denied";
}

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    User(UserId),
    ApiKey(ApiKeyId),
    Operator(UserId),
    Anonymous,
}

impl Actor {
    pub fn of(ctx: &TenantCtx) -> Self {
        match &ctx.principal {
            Principal::User { user_id, .. } => Self::User(*user_id),
            Principal::ApiKey(key) => Self::ApiKey(key.id),
        }
    }

    fn parts(&self) -> (&'static str, Option<String>) {
        match self {
            Self::User(id) => ("user", Some(id.to_string())),
            Self::ApiKey(id) => ("api_key", Some(id.to_string())),
            Self::Operator(id) => ("operator", Some(id.to_string())),
            Self::Anonymous => ("anonymous", None),
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub tenant_id: Option<TenantId>,
    pub actor: Actor,
    pub action: &'static str,
    pub target: Option<(&'static str, String)>,
    pub metadata: Option<Value>,
}

impl AuditEvent {
    pub fn new(action: &'static str, tenant_id: Option<TenantId>, actor: Actor) -> Self {
        Self { tenant_id, actor, action, target: None, metadata: None }
    }

    /// An event by the request's principal in the tenant it acts on.
    pub fn by(ctx: &TenantCtx, action: &'static str) -> Self {
        Self::new(action, Some(ctx.tenant_id), Actor::of(ctx))
    }

    /// What the event is about: a type (`api_key`, `user`, `invitation`…) and its prefixed id.
    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    /// Details (never secrets).
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// Writes an event.
pub async fn record<C: ConnectionTrait>(db: &C, meta: &RequestMeta, event: AuditEvent) -> ApiResult<()> {
    let (actor_type, actor_id) = event.actor.parts();
    let (target_type, target_id) = match event.target {
        Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
        None => (None, None),
    };
    let row = audit_event::Model {
        id: uuid::Uuid::now_v7(),
        tenant_id: event.tenant_id.map(TenantId::uuid),
        actor_type: actor_type.to_owned(),
        actor_id,
        action: event.action.to_owned(),
        target_type,
        target_id,
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        request_id: meta.request_id.clone(),
        metadata: event.metadata.map(|m| m.to_string()),
        created_at: Utc::now(),
    };
    audit_event::Entity::insert(audit_event::ActiveModel::from(row)).exec_without_returning(db).await?;
    Ok(())
}
