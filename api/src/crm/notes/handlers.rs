//! HTTP handlers for notes. Contact notes need `contacts:read` / `contacts:write`, company notes
//! `companies:read` / `companies:write`; on `/notes/{id}` the scope follows the note's parent,
//! so it is checked once the note is found.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{NoteIn, NoteList, NoteOut, NotePatch},
    service::{self, Parent},
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::{CompanyId, ContactId, NoteId},
        pagination::ListParams,
    },
    state::AppState,
};

/// Add a note to a contact
///
/// Adds a note to the contact, authored by the caller (the user, or the API key). A contact of
/// another organisation answers 404. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "create_contact_note",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`).")),
    request_body = NoteIn,
    responses(
        (status = 201, description = "The note.", body = NoteOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts/{id}/notes")]
pub async fn create_contact_note(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
    body: ValidatedJson<NoteIn>,
) -> ApiResult<HttpResponse> {
    let parent = Parent::Contact(id.into_inner());
    ctx.require(parent.scope(Access::Write))?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, parent, body.0).await?))
}

/// List a contact's notes
///
/// Lists the notes on the contact, oldest first, with cursor pagination. A contact of another
/// organisation answers 404. Needs `contacts:read`.
#[utoipa::path(
    operation_id = "list_contact_notes",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = ContactId, Path, description = "The contact's id (`con_…`)."), ListParams),
    responses(
        (status = 200, description = "A page of notes.", body = NoteList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/contacts/{id}/notes")]
pub async fn list_contact_notes(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ContactId>,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<NoteList>> {
    let parent = Parent::Contact(id.into_inner());
    ctx.require(parent.scope(Access::Read))?;
    Ok(web::Json(service::list(&state, &ctx, parent, &query).await?))
}

/// Add a note to a company
///
/// Adds a note to the company, authored by the caller (the user, or the API key). A company of
/// another organisation answers 404. Needs `companies:write`.
#[utoipa::path(
    operation_id = "create_company_note",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`).")),
    request_body = NoteIn,
    responses(
        (status = 201, description = "The note.", body = NoteOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/companies/{id}/notes")]
pub async fn create_company_note(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
    body: ValidatedJson<NoteIn>,
) -> ApiResult<HttpResponse> {
    let parent = Parent::Company(id.into_inner());
    ctx.require(parent.scope(Access::Write))?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, parent, body.0).await?))
}

/// List a company's notes
///
/// Lists the notes on the company, oldest first, with cursor pagination. A company of another
/// organisation answers 404. Needs `companies:read`.
#[utoipa::path(
    operation_id = "list_company_notes",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`)."), ListParams),
    responses(
        (status = 200, description = "A page of notes.", body = NoteList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/companies/{id}/notes")]
pub async fn list_company_notes(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<NoteList>> {
    let parent = Parent::Company(id.into_inner());
    ctx.require(parent.scope(Access::Read))?;
    Ok(web::Json(service::list(&state, &ctx, parent, &query).await?))
}

/// Get a note
///
/// Returns one note. A note of another organisation answers 404. Needs `contacts:read` for a
/// contact's note, `companies:read` for a company's.
#[utoipa::path(
    operation_id = "get_note",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = NoteId, Path, description = "The note's id (`note_…`).")),
    responses(
        (status = 200, description = "The note.", body = NoteOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/notes/{id}")]
pub async fn get_note(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<NoteId>,
) -> ApiResult<web::Json<NoteOut>> {
    // The scope (contacts:read or companies:read) depends on the note; the service checks it.
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Edit a note
///
/// Replaces a note's text; `updated_at` records the edit and the author stays the original
/// one. Anyone who may write the note's parent may edit it: `contacts:write` for a contact's
/// note, `companies:write` for a company's.
#[utoipa::path(
    operation_id = "update_note",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = NoteId, Path, description = "The note's id (`note_…`).")),
    request_body = NotePatch,
    responses(
        (status = 200, description = "The updated note.", body = NoteOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/notes/{id}")]
pub async fn update_note(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<NoteId>,
    body: ValidatedJson<NotePatch>,
) -> ApiResult<web::Json<NoteOut>> {
    // The scope (contacts:write or companies:write) depends on the note; the service checks it.
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a note
///
/// Deletes a note. Anyone who may write the note's parent may delete it: `contacts:write` for
/// a contact's note, `companies:write` for a company's.
#[utoipa::path(
    operation_id = "delete_note",
    tag = "notes",
    security(("bearer" = [])),
    params(("id" = NoteId, Path, description = "The note's id (`note_…`).")),
    responses(
        (status = 204, description = "The note is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/notes/{id}")]
pub async fn delete_note(state: web::Data<AppState>, ctx: TenantCtx, id: web::Path<NoteId>) -> ApiResult<HttpResponse> {
    // The scope (contacts:write or companies:write) depends on the note; the service checks it.
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
