//! Authentication. `Authorization: Bearer <token>` carries either a JWT access token or an API
//! key (`cos_…`); the `TenantCtx` extractor resolves either into the tenant and principal a
//! request acts for. Handlers that take a `TenantCtx` are authenticated; the others are public.

pub mod api_keys;
pub mod jwt;
mod role;

use std::sync::Arc;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;

pub use self::{api_keys::ResolvedApiKey, role::Role};
use crate::{
    error::ApiError,
    platform::ids::{SessionId, TenantId, UserId},
    state::AppState,
};

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A person, through a JWT access token of a login session.
    User { user_id: UserId, session_id: SessionId },
    /// An API key.
    ApiKey(Arc<ResolvedApiKey>),
}

/// The tenant a request acts on and who is acting. Every tenant-scoped handler takes one.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    pub tenant_id: TenantId,
    pub principal: Principal,
    pub role: Role,
}

/// The bearer token of a request, if any.
fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
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

impl FromRequest for TenantCtx {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?;
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
            if token.starts_with(api_keys::SECRET_PREFIX) {
                let key = state.api_keys.resolve(&state.db, &token).await?;
                Ok(TenantCtx { tenant_id: key.tenant_id, role: Role::Admin, principal: Principal::ApiKey(key) })
            } else {
                let claims = state.jwt.verify(&token)?;
                Ok(TenantCtx {
                    tenant_id: claims.tenant_id,
                    role: claims.role,
                    principal: Principal::User { user_id: claims.user_id, session_id: claims.session_id },
                })
            }
        })
    }
}
