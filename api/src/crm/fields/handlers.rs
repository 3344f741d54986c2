//! HTTP handlers for custom field definitions. Reading needs `fields:read`; creating, changing
//! and deleting need `fields:write` (owners and admins).

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{CustomFieldIn, CustomFieldList, CustomFieldOut, CustomFieldPatch, CustomFieldQuery},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::FieldId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Fields, Access::Read);
const WRITE: Scope = Scope::new(Resource::Fields, Access::Write);

/// Create a custom field
///
/// Defines a typed custom field on contacts, companies or products. Values are then sent in the
/// object's `custom_fields` under `key` and checked against the definition. `key` is unique per
/// organisation and object (409 `field_key_taken`); an organisation has at most 200 fields per
/// kind of object (422 `too_many_fields`). Needs `fields:write`.
#[utoipa::path(
    operation_id = "create_custom_field",
    tag = "custom-fields",
    security(("bearer" = [])),
    request_body = CustomFieldIn,
    responses(
        (status = 201, description = "The definition.", body = CustomFieldOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/custom-fields")]
pub async fn create_custom_field(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<CustomFieldIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List custom fields
///
/// Lists the organisation's custom field definitions, oldest first, with cursor pagination;
/// `object` keeps those of one kind of object. Needs `fields:read`.
#[utoipa::path(
    operation_id = "list_custom_fields",
    tag = "custom-fields",
    security(("bearer" = [])),
    params(CustomFieldQuery),
    responses(
        (status = 200, description = "A page of definitions.", body = CustomFieldList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/custom-fields")]
pub async fn list_custom_fields(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<CustomFieldQuery>,
) -> ApiResult<web::Json<CustomFieldList>> {
    ctx.require(READ)?;
    let query = query.0;
    let params = ListParams { limit: query.limit, cursor: query.cursor };
    Ok(web::Json(service::list(&state, &ctx, query.object, &params).await?))
}

/// Get a custom field
///
/// Returns one custom field definition. A definition of another organisation answers 404.
/// Needs `fields:read`.
#[utoipa::path(
    operation_id = "get_custom_field",
    tag = "custom-fields",
    security(("bearer" = [])),
    params(("id" = FieldId, Path, description = "The definition's id (`fld_…`).")),
    responses(
        (status = 200, description = "The definition.", body = CustomFieldOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/custom-fields/{id}")]
pub async fn get_custom_field(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<FieldId>,
) -> ApiResult<web::Json<CustomFieldOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a custom field
///
/// Changes a definition's `label`, `required`, `type` or `options` (`key` and `object` cannot
/// change). A new type, or a `select` field losing options, is refused with 409
/// `field_type_incompatible` while any stored value does not fit; the problem names one such
/// object. Making a field required applies to later writes only. Needs `fields:write`.
#[utoipa::path(
    operation_id = "update_custom_field",
    tag = "custom-fields",
    security(("bearer" = [])),
    params(("id" = FieldId, Path, description = "The definition's id (`fld_…`).")),
    request_body = CustomFieldPatch,
    responses(
        (status = 200, description = "The updated definition.", body = CustomFieldOut),
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
#[patch("/custom-fields/{id}")]
pub async fn update_custom_field(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<FieldId>,
    body: ValidatedJson<CustomFieldPatch>,
) -> ApiResult<web::Json<CustomFieldOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a custom field
///
/// Deletes a definition and, in the same transaction, removes its key from the `custom_fields`
/// of every object of that kind (their `updated_at` changes). Needs `fields:write`.
#[utoipa::path(
    operation_id = "delete_custom_field",
    tag = "custom-fields",
    security(("bearer" = [])),
    params(("id" = FieldId, Path, description = "The definition's id (`fld_…`).")),
    responses(
        (status = 204, description = "The definition and its values are deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/custom-fields/{id}")]
pub async fn delete_custom_field(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<FieldId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
