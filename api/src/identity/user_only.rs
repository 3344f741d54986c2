//! `/v1/me/*` operations about the person themselves (their password, 2FA, sessions) need a user
//! principal: an API key acts for an organisation, not for a person.

use crate::{
    error::{ApiError, ApiResult},
    platform::{
        auth::{Principal, TenantCtx},
        ids::{SessionId, UserId},
    },
};

/// The calling user and their session, or 403 `user_principal_required`.
pub fn user_of(ctx: &TenantCtx) -> ApiResult<(UserId, SessionId)> {
    match &ctx.principal {
        Principal::User { user_id, session_id } => Ok((*user_id, *session_id)),
        Principal::ApiKey(_) => Err(ApiError::forbidden(
            "user_principal_required",
            "This operation acts on a person's account: call it with a user's access token, not an API key.",
        )),
    }
}
