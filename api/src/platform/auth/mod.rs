//! Authentication and authorisation. `Authorization: Bearer <token>` carries either a JWT access
//! token or an API key (`cos_…`); the `TenantCtx` extractor resolves either into the tenant and
//! principal a request acts for, re-checking on every request (through short-lived snapshots)
//! that the session is live, the tenant is not suspended and the role is current. An agency
//! principal may act on one of its client workspaces with `X-Tenant-Id`. Handlers that take a
//! `TenantCtx` are authenticated and call `ctx.require(scope)`; the others are public.

pub mod api_keys;
pub mod jwt;
pub mod operator;
mod role;
pub mod scopes;
pub mod snapshots;

use std::sync::Arc;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;

pub use self::{
    api_keys::ResolvedApiKey,
    role::Role,
    scopes::{Access, KeyScopes, Resource, Scope},
};
use crate::{
    error::ApiError,
    platform::ids::{ApiKeyId, SessionId, TenantId, UserId},
    state::AppState,
};

/// The header an agency principal sends to act on one of its client workspaces.
pub const TENANT_HEADER: &str = "x-tenant-id";

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A person, through a JWT access token of a login session.
    User { user_id: UserId, session_id: SessionId },
    /// An API key.
    ApiKey(Arc<ResolvedApiKey>),
}

impl Principal {
    /// The user behind the request, if it is a person.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Self::User { user_id, .. } => Some(*user_id),
            Self::ApiKey(_) => None,
        }
    }

    pub fn api_key_id(&self) -> Option<ApiKeyId> {
        match self {
            Self::User { .. } => None,
            Self::ApiKey(key) => Some(key.id),
        }
    }
}

/// The tenant a request acts on and who is acting. Every tenant-scoped handler takes one.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    /// The tenant acted on (a client workspace when `X-Tenant-Id` was used).
    pub tenant_id: TenantId,
    /// The principal's own tenant (the agency when acting on a client).
    pub home_tenant_id: TenantId,
    pub principal: Principal,
    /// The user's role (for an API key: `admin`, narrowed by its scopes).
    pub role: Role,
    /// An API key's scopes; `All` for people (their role decides).
    pub scopes: KeyScopes,
}

impl TenantCtx {
    /// Refuses with 403 unless the principal holds `scope` (role matrix for people, the key's
    /// scopes for API keys).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if !scope.granted_to(self.role) {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                detail: format!("The role `{}` does not allow `{scope}`.", self.role.as_str()),
                required_scope: Some(scope.to_string()),
            });
        }
        if !self.scopes.allows(scope) {
            return Err(ApiError::Forbidden {
                code: "insufficient_scope",
                detail: format!("This API key lacks the `{scope}` scope."),
                required_scope: Some(scope.to_string()),
            });
        }
        Ok(())
    }

    /// Refuses with 403 unless the principal holds at least one of `scopes` (the refusal names the
    /// first). For a resource whose required scope is only known once it is loaded (a note needs
    /// its parent's scope): checked first, a principal holding none of the possible scopes is
    /// refused whether or not the resource exists, so the answer does not tell which ids exist.
    pub fn require_any(&self, scopes: &[Scope]) -> Result<(), ApiError> {
        let mut first_refusal = None;
        for scope in scopes {
            match self.require(*scope) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        match first_refusal {
            Some(ApiError::Forbidden { code, required_scope, .. }) if scopes.len() > 1 => {
                let names: Vec<String> = scopes.iter().map(|s| format!("`{s}`")).collect();
                Err(ApiError::Forbidden {
                    code,
                    detail: format!("This needs one of {}.", names.join(", ")),
                    required_scope,
                })
            }
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    /// Whether the request acts on a client workspace through its agency.
    pub fn via_agency(&self) -> bool {
        self.tenant_id != self.home_tenant_id
    }
}

/// The bearer token of a request, if any.
pub fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("missing_credentials", "Send `Authorization: Bearer <access token or API key>`.")
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("invalid_credentials", "The Authorization header is not valid text."))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "invalid_credentials",
            "Use the Bearer scheme: `Authorization: Bearer <token>`.",
        ));
    }
    Ok(token.trim().to_owned())
}

fn suspended() -> ApiError {
    ApiError::forbidden("organization_suspended", "This organisation is suspended; contact support.")
}

fn no_such_workspace() -> ApiError {
    ApiError::NotFound { detail: "No organisation with this id is accessible to you (X-Tenant-Id).".into() }
}

/// Resolves a request's credentials into a `TenantCtx`.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    target: Option<TenantId>,
    ip: Option<String>,
) -> Result<TenantCtx, ApiError> {
    let (home, principal, role, scopes) = if token.starts_with(api_keys::SECRET_PREFIX) {
        let key = state.api_keys.resolve(&state.db, token, ip).await?;
        let scopes = key.scopes.clone();
        (key.tenant_id, Principal::ApiKey(key), Role::Admin, scopes)
    } else {
        let claims = state.jwt.verify(token)?;
        let role = state
            .auth
            .session_role(&state.db, claims.tenant_id.uuid(), claims.user_id.uuid(), claims.session_id.uuid())
            .await?
            .ok_or_else(|| ApiError::unauthorized("session_revoked", "This session has ended; log in again."))?;
        let principal = Principal::User { user_id: claims.user_id, session_id: claims.session_id };
        (claims.tenant_id, principal, role, KeyScopes::All)
    };
    let home_tenant =
        state.auth.tenant(&state.db, home.uuid()).await?.ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "The organisation of this token no longer exists.")
        })?;
    if home_tenant.suspended_at.is_some() {
        return Err(suspended());
    }
    let tenant_id = match target {
        None => home,
        Some(target) if target == home => home,
        Some(target) => {
            let client = state.auth.tenant(&state.db, target.uuid()).await?.ok_or_else(no_such_workspace)?;
            let allowed_by_key = match &principal {
                Principal::ApiKey(key) => key.allowed_tenants.as_ref().is_none_or(|ids| ids.contains(&target)),
                Principal::User { .. } => true,
            };
            if home_tenant.kind != "agency" || client.parent_id != Some(home.uuid()) || !allowed_by_key {
                return Err(no_such_workspace());
            }
            if client.suspended_at.is_some() {
                return Err(suspended());
            }
            target
        }
    };
    Ok(TenantCtx { tenant_id, home_tenant_id: home, principal, role, scopes })
}

/// The `X-Tenant-Id` header, parsed.
pub fn target_tenant(req: &HttpRequest) -> Result<Option<TenantId>, ApiError> {
    let Some(value) = req.headers().get(TENANT_HEADER) else { return Ok(None) };
    let value = value.to_str().unwrap_or_default();
    TenantId::parse(value)
        .map(Some)
        .map_err(|e| ApiError::bad_request("invalid_tenant_id", format!("X-Tenant-Id: {e}")))
}

impl FromRequest for TenantCtx {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(ctx) = req.extensions().get::<TenantCtx>() {
            let ctx = ctx.clone();
            return Box::pin(async move { Ok(ctx) });
        }
        let token = bearer(req);
        let target = target_tenant(req);
        let ip = req.peer_addr().map(|a| a.ip().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let (token, target) = (token?, target?);
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
            let ctx = authenticate(&state, &token, target, ip).await?;
            req.extensions_mut().insert(ctx.clone());
            Ok(ctx)
        })
    }
}
