//! HTTP handlers for segments. Reading needs `segments:read` (and `contacts:read` to list a
//! segment's contacts); creating, changing, deleting and changing members need
//! `segments:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{
        SegmentCountOut, SegmentIn, SegmentList, SegmentMembersIn, SegmentMembersOut, SegmentOut, SegmentPatch,
        SegmentPreviewIn,
    },
    service,
};
use crate::{
    crm::contacts::{dto::ContactList, list::ContactListParams},
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::SegmentId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Segments, Access::Read);
const WRITE: Scope = Scope::new(Resource::Segments, Access::Write);
const CONTACTS_READ: Scope = Scope::new(Resource::Contacts, Access::Read);

/// Create a segment
///
/// Creates a segment. A `dynamic` segment saves a `filter` (the filter language of
/// `GET /v1/contacts`), evaluated whenever it is read; it may reference other segments
/// (`segment[eq]:seg_…`, up to 3 levels, never itself). A `static` segment has no filter; add
/// members with `POST /v1/segments/{id}/members`. A bad filter is 422 with an `invalid_filter`
/// field error naming the position. Needs `segments:write`.
#[utoipa::path(
    operation_id = "create_segment",
    tag = "segments",
    security(("bearer" = [])),
    request_body = SegmentIn,
    responses(
        (status = 201, description = "The segment.", body = SegmentOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/segments")]
pub async fn create_segment(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<SegmentIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List segments
///
/// Lists the organisation's segments in creation order, with cursor pagination. Needs
/// `segments:read`.
#[utoipa::path(
    operation_id = "list_segments",
    tag = "segments",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of segments.", body = SegmentList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/segments")]
pub async fn list_segments(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<SegmentList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Count the contacts matching a filter
///
/// Counts the organisation's contacts that match `filter`, without saving anything: the
/// preview of a dynamic segment. `*` counts every contact. A bad filter is 422 with an
/// `invalid_filter` field error naming the position. Needs `segments:read`.
#[utoipa::path(
    operation_id = "preview_segment",
    tag = "segments",
    security(("bearer" = [])),
    request_body = SegmentPreviewIn,
    responses(
        (status = 200, description = "How many contacts match.", body = SegmentCountOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/segments/preview")]
pub async fn preview_segment(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<SegmentPreviewIn>,
) -> ApiResult<web::Json<SegmentCountOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::preview(&state, &ctx, body.0).await?))
}

/// Get a segment
///
/// Returns one of the organisation's segments. Needs `segments:read`.
#[utoipa::path(
    operation_id = "get_segment",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    responses(
        (status = 200, description = "The segment.", body = SegmentOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/segments/{id}")]
pub async fn get_segment(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
) -> ApiResult<web::Json<SegmentOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a segment
///
/// Renames a segment or, for a dynamic segment, replaces its filter (checked as on create;
/// null is refused). A static segment has no filter (422 `not_allowed`); the kind cannot
/// change. Needs `segments:write`.
#[utoipa::path(
    operation_id = "update_segment",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    request_body = SegmentPatch,
    responses(
        (status = 200, description = "The segment.", body = SegmentOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/segments/{id}")]
pub async fn update_segment(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
    body: ValidatedJson<SegmentPatch>,
) -> ApiResult<web::Json<SegmentOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a segment
///
/// Deletes a segment (and a static segment's member list; the contacts stay). Filters of
/// other segments that reference it then match nothing for that reference. Needs
/// `segments:write`.
#[utoipa::path(
    operation_id = "delete_segment",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    responses(
        (status = 204, description = "The segment is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/segments/{id}")]
pub async fn delete_segment(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// List a segment's contacts
///
/// Lists the contacts in a segment: a static segment's members, or the contacts matching a
/// dynamic segment's filter now. Takes the parameters of `GET /v1/contacts` (`q`, `filter` to
/// narrow further, `sort`, `limit`, `cursor`). Needs `segments:read` and `contacts:read`.
#[utoipa::path(
    operation_id = "list_segment_contacts",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`)."), ContactListParams),
    responses(
        (status = 200, description = "A page of contacts.", body = ContactList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/segments/{id}/contacts")]
pub async fn list_segment_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
    query: ValidatedQuery<ContactListParams>,
) -> ApiResult<web::Json<ContactList>> {
    ctx.require(READ)?;
    ctx.require(CONTACTS_READ)?;
    Ok(web::Json(service::contacts(&state, &ctx, id.into_inner(), &query).await?))
}

/// Count a segment's contacts
///
/// Counts the contacts in a segment (for a dynamic segment, those matching its filter now).
/// Needs `segments:read`.
#[utoipa::path(
    operation_id = "count_segment_contacts",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    responses(
        (status = 200, description = "How many contacts are in the segment.", body = SegmentCountOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/segments/{id}/count")]
pub async fn count_segment_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
) -> ApiResult<web::Json<SegmentCountOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::count(&state, &ctx, id.into_inner()).await?))
}

/// Add contacts to a static segment
///
/// Adds 1 to 1,000 contacts to a static segment in one transaction, with a result per id:
/// `added`, `already_member`, or `not_found` (no such contact in the organisation). A dynamic
/// segment's members come from its filter: 409 `segment_is_dynamic`. Needs `segments:write`.
#[utoipa::path(
    operation_id = "add_segment_members",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    request_body = SegmentMembersIn,
    responses(
        (status = 200, description = "A result per contact id.", body = SegmentMembersOut),
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
#[post("/segments/{id}/members")]
pub async fn add_segment_members(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
    body: ValidatedJson<SegmentMembersIn>,
) -> ApiResult<web::Json<SegmentMembersOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::add_members(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Remove contacts from a static segment
///
/// Removes 1 to 1,000 contacts from a static segment in one transaction, with a result per id:
/// `removed`, `not_member`, or `not_found`. The contacts themselves stay. A dynamic segment is
/// 409 `segment_is_dynamic`. Needs `segments:write`.
#[utoipa::path(
    operation_id = "remove_segment_members",
    tag = "segments",
    security(("bearer" = [])),
    params(("id" = SegmentId, Path, description = "The segment's id (`seg_…`).")),
    request_body = SegmentMembersIn,
    responses(
        (status = 200, description = "A result per contact id.", body = SegmentMembersOut),
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
#[post("/segments/{id}/members/remove")]
pub async fn remove_segment_members(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<SegmentId>,
    body: ValidatedJson<SegmentMembersIn>,
) -> ApiResult<web::Json<SegmentMembersOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::remove_members(&state, &ctx, id.into_inner(), body.0).await?))
}
