//! `OperatorCtx`: the extractor of `/v1/admin/*`. It accepts only a user access token (verified,
//! session live, through `authenticate`) whose user is a platform operator. A request without
//! credentials gets the usual `401 missing_credentials` (like every authenticated operation in
//! the published spec); anything else — a bad token, an API key, a user who is not an operator —
//! gets exactly the 404 problem an unknown path gets, so operator endpoints are invisible to
//! tenant principals.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use entities::user;
use futures_util::future::LocalBoxFuture;
use sea_orm::EntityTrait;

use super::{Principal, api_keys::SECRET_PREFIX, authenticate, bearer};
use crate::{
    error::ApiError,
    platform::ids::{SessionId, TenantId, UserId},
    state::AppState,
};

/// A platform operator, authenticated.
#[derive(Debug, Clone)]
pub struct OperatorCtx {
    pub user_id: UserId,
    pub session_id: SessionId,
    /// The tenant of the operator's login session (normally the "Platform operators" tenant).
    pub home_tenant_id: TenantId,
    pub email: String,
}

/// The answer to everyone who is not an operator: the router's own 404.
fn invisible(req: &HttpRequest) -> ApiError {
    ApiError::NotFound { detail: format!("No route matches {} {}.", req.method(), req.path()) }
}

impl FromRequest for OperatorCtx {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let missing = req.headers().get(actix_web::http::header::AUTHORIZATION).is_none();
        let token = bearer(req).ok().filter(|t| !t.starts_with(SECRET_PREFIX));
        let ip = req.peer_addr().map(|a| a.ip().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let not_found = invisible(req);
        Box::pin(async move {
            if missing {
                return Err(ApiError::unauthorized(
                    "missing_credentials",
                    "Send `Authorization: Bearer <access token or API key>`.",
                ));
            }
            let (Some(token), Some(state)) = (token, state) else { return Err(not_found) };
            let Ok(ctx) = authenticate(&state, &token, None, ip).await else { return Err(not_found) };
            let Principal::User { user_id, session_id } = ctx.principal else { return Err(not_found) };
            let user = user::Entity::find_by_id(user_id.uuid()).one(&state.db).await?;
            match user {
                Some(u) if u.is_operator => {
                    Ok(OperatorCtx { user_id, session_id, home_tenant_id: ctx.home_tenant_id, email: u.email })
                }
                _ => Err(not_found),
            }
        })
    }
}
