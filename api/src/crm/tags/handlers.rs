//! HTTP handlers for tags. Reading needs `tags:read`; creating, renaming and deleting need
//! `tags:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{TagIn, TagList, TagOut, TagPatch},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::TagId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Tags, Access::Read);
const WRITE: Scope = Scope::new(Resource::Tags, Access::Write);

/// Create a tag
///
/// Creates a tag that can then be put on contacts. Names are unique in the organisation
/// regardless of case: a second `vip` next to `VIP` answers 409 `tag_name_taken`. Needs
/// `tags:write`.
#[utoipa::path(
    operation_id = "create_tag",
    tag = "tags",
    security(("bearer" = [])),
    request_body = TagIn,
    responses(
        (status = 201, description = "The tag.", body = TagOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<TagIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List tags
///
/// Lists the organisation's tags, oldest first, with cursor pagination. Needs `tags:read`.
#[utoipa::path(
    operation_id = "list_tags",
    tag = "tags",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of tags.", body = TagList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<TagList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get a tag
///
/// Returns one tag. A tag of another organisation answers 404. Needs `tags:read`.
#[utoipa::path(
    operation_id = "get_tag",
    tag = "tags",
    security(("bearer" = [])),
    params(("id" = TagId, Path, description = "The tag's id (`tag_…`).")),
    responses(
        (status = 200, description = "The tag.", body = TagOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/tags/{id}")]
pub async fn get_tag(state: web::Data<AppState>, ctx: TenantCtx, id: web::Path<TagId>) -> ApiResult<web::Json<TagOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a tag
///
/// Renames or recolours a tag. Omitted fields stay as they are; `color: null` removes the
/// colour. Contacts keep the tag under its new name. Needs `tags:write`.
#[utoipa::path(
    operation_id = "update_tag",
    tag = "tags",
    security(("bearer" = [])),
    params(("id" = TagId, Path, description = "The tag's id (`tag_…`).")),
    request_body = TagPatch,
    responses(
        (status = 200, description = "The updated tag.", body = TagOut),
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
#[patch("/tags/{id}")]
pub async fn update_tag(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<TagId>,
    body: ValidatedJson<TagPatch>,
) -> ApiResult<web::Json<TagOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a tag
///
/// Deletes a tag and takes it off every contact that had it. Needs `tags:write`.
#[utoipa::path(
    operation_id = "delete_tag",
    tag = "tags",
    security(("bearer" = [])),
    params(("id" = TagId, Path, description = "The tag's id (`tag_…`).")),
    responses(
        (status = 204, description = "The tag is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/tags/{id}")]
pub async fn delete_tag(state: web::Data<AppState>, ctx: TenantCtx, id: web::Path<TagId>) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
