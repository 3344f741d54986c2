//! HTTP handlers for one contact: create, get, update, delete, and its tags. Reading needs
//! `contacts:read`; everything else needs `contacts:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{ContactIn, ContactOut, ContactPatch, ContactTagsIn},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedJson,
        ids::{ContactId, TagId},
    },
    state::AppState,
};

pub const READ: Scope = Scope::new(Resource::Contacts, Access::Read);
pub const WRITE: Scope = Scope::new(Resource::Contacts, Access::Write);

/// Create a contact
///
/// Creates a contact. Every field is optional. `email` is unique per organisation ignoring
/// case, `phone` is stored in E.164 and unique per organisation (409 `email_taken` /
/// `phone_taken`). A phone without `+` is read in the organisation's `default_phone_region`.
/// `custom_fields` are checked against the contact field definitions, `company_id` must be a
/// company of this organisation (`unknown_company`) and `tags` must exist (`unknown_tag`; they
/// are not created on the fly). Setting a consent status records when it was set. Needs
/// `contacts:write`.
#[utoipa::path(
    operation_id = "create_contact",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = ContactIn,
    responses(
        (status = 201, description = "The contact.", body = ContactOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<ContactIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// Get a contact
///
/// Returns one contact with its tags, custom fields and consent. A contact of another
/// organisation answers 404. Needs `contacts:read`.
#[utoipa::path(
    operation_id = "get_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`).")),
    responses(
        (status = 200, description = "The contact.", body = ContactOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
) -> ApiResult<web::Json<ContactOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a contact
///
/// Changes a contact: a field left out is kept, a field sent as `null` is cleared, a value
/// replaces it. `custom_fields` merges: the keys sent are set, a key sent as `null` is removed,
/// other keys are kept. `tags` replaces the contact's tags. `consent.<channel>` sets that
/// channel's status (an explicit change may opt a contact back in). Uniqueness and checks are
/// as on create. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "update_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`).")),
    request_body = ContactPatch,
    responses(
        (status = 200, description = "The updated contact.", body = ContactOut),
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
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
    body: ValidatedJson<ContactPatch>,
) -> ApiResult<web::Json<ContactOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a contact
///
/// Deletes a contact with its tag links, notes and segment memberships. Needs
/// `contacts:write`.
#[utoipa::path(
    operation_id = "delete_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`).")),
    responses(
        (status = 204, description = "The contact is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add tags to a contact
///
/// Adds existing tags (by id `tag_…` or by name, ignoring case) to the contact; tags it
/// already carries are kept. An unknown tag is refused (422 `unknown_tag`): create it first with
/// `POST /v1/tags`. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "add_contact_tags",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`).")),
    request_body = ContactTagsIn,
    responses(
        (status = 200, description = "The contact, with its tags.", body = ContactOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts/{id}/tags")]
pub async fn add_contact_tags(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
    body: ValidatedJson<ContactTagsIn>,
) -> ApiResult<web::Json<ContactOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::add_tags(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Remove a tag from a contact
///
/// Removes one tag from the contact. Removing a tag the contact does not carry succeeds; a
/// contact or tag that does not exist in this organisation answers 404. Needs
/// `contacts:write`.
#[utoipa::path(
    operation_id = "remove_contact_tag",
    tag = "contacts",
    security(("bearer" = [])),
    params(
        ("id" = ContactId, Path, description = "The contact's id (`con_…`)."),
        ("tag_id" = TagId, Path, description = "The tag's id (`tag_…`)."),
    ),
    responses(
        (status = 204, description = "The contact no longer carries the tag."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/contacts/{id}/tags/{tag_id}")]
pub async fn remove_contact_tag(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    path: web::Path<(ContactId, TagId)>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    let (id, tag_id) = path.into_inner();
    service::remove_tag(&state, &ctx, id, tag_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
