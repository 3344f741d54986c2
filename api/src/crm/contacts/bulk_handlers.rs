//! HTTP handlers for bulk contact writes (`contacts:write`).

use actix_web::{post, web};

use super::{
    bulk,
    dto::{BulkTagIn, BulkTagOut, BulkUpsertIn, BulkUpsertOut},
    handlers::WRITE,
};
use crate::{error::ApiResult, platform::auth::TenantCtx, platform::extract::ValidatedJson, state::AppState};

/// Create or update contacts in bulk
///
/// Creates or updates 1 to 1,000 contacts in one transaction. With `match_on` (`email` or
/// `phone`), an item whose key matches an existing contact (or an earlier item) is handled by
/// `on_match`: `update` (default) sets the fields the item gives (custom fields merge, tags are
/// added), `skip` leaves the contact alone, `error` reports the item as failed. Without
/// `match_on` every item creates a contact. Each item is checked on its own: an invalid item is
/// `failed` with its field errors and the others are still written. More than 1,000 items is
/// 422 `too_many_items`; the body is limited to 1 MiB, so use `POST /v1/imports` for large
/// volumes. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "bulk_upsert_contacts",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = BulkUpsertIn,
    responses(
        (status = 200, description = "A result per item, with totals.", body = BulkUpsertOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts/bulk")]
pub async fn bulk_upsert_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<BulkUpsertIn>,
) -> ApiResult<web::Json<BulkUpsertOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(bulk::upsert(&state, &ctx, body.0).await?))
}

/// Add and remove tags on contacts in bulk
///
/// Adds the `add` tags to and removes the `remove` tags from 1 to 1,000 contacts in one
/// transaction (removals apply after additions). Tags are named by id or name and must exist
/// (422 `unknown_tag`). Each contact gets a result: `updated`, or `failed` with `not_found`
/// when no such contact exists in this organisation. More than 1,000 contacts is 422
/// `too_many_items`. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "bulk_tag_contacts",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = BulkTagIn,
    responses(
        (status = 200, description = "A result per contact, with totals.", body = BulkTagOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts/tags")]
pub async fn bulk_tag_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<BulkTagIn>,
) -> ApiResult<web::Json<BulkTagOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(bulk::tag(&state, &ctx, body.0).await?))
}
