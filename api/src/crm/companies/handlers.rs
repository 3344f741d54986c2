//! HTTP handlers for companies. Reading needs `companies:read`; creating, changing and deleting
//! need `companies:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{CompanyIn, CompanyList, CompanyOut, CompanyPatch, CompanyQuery},
    service,
};
use crate::{
    crm::contacts::dto::ContactList,
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::CompanyId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Companies, Access::Read);
const WRITE: Scope = Scope::new(Resource::Companies, Access::Write);

/// Create a company
///
/// Creates a company. `domain` is stored lower-case and is unique in the organisation (409
/// `domain_taken`); `custom_fields` are checked against the organisation's `company` custom
/// fields. Needs `companies:write`.
#[utoipa::path(
    operation_id = "create_company",
    tag = "companies",
    security(("bearer" = [])),
    request_body = CompanyIn,
    responses(
        (status = 201, description = "The company.", body = CompanyOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/companies")]
pub async fn create_company(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<CompanyIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List companies
///
/// Lists the organisation's companies, oldest first, with cursor pagination; `q` keeps those
/// whose name starts with it, ignoring case. Needs `companies:read`.
#[utoipa::path(
    operation_id = "list_companies",
    tag = "companies",
    security(("bearer" = [])),
    params(CompanyQuery),
    responses(
        (status = 200, description = "A page of companies.", body = CompanyList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/companies")]
pub async fn list_companies(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<CompanyQuery>,
) -> ApiResult<web::Json<CompanyList>> {
    ctx.require(READ)?;
    let query = query.0;
    let params = ListParams { limit: query.limit, cursor: query.cursor };
    Ok(web::Json(service::list(&state, &ctx, query.q.as_deref(), &params).await?))
}

/// Get a company
///
/// Returns one company. A company of another organisation answers 404. Needs
/// `companies:read`.
#[utoipa::path(
    operation_id = "get_company",
    tag = "companies",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`).")),
    responses(
        (status = 200, description = "The company.", body = CompanyOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/companies/{id}")]
pub async fn get_company(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
) -> ApiResult<web::Json<CompanyOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// List a company's contacts
///
/// Lists the contacts linked to the company, oldest first, with cursor pagination, in the same
/// form as `list_contacts`. A company of another organisation answers 404. Needs
/// `companies:read` and `contacts:read`.
#[utoipa::path(
    operation_id = "list_company_contacts",
    tag = "companies",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`)."), ListParams),
    responses(
        (status = 200, description = "A page of the company's contacts.", body = ContactList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/companies/{id}/contacts")]
pub async fn list_company_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ContactList>> {
    ctx.require(READ)?;
    ctx.require(Scope::new(Resource::Contacts, Access::Read))?;
    Ok(web::Json(service::list_contacts(&state, &ctx, id.into_inner(), &query).await?))
}

/// Update a company
///
/// Changes a company. Omitted fields stay as they are; `domain: null` removes the domain. In
/// `custom_fields` only the keys sent change, and a key sent as null is removed. Needs
/// `companies:write`.
#[utoipa::path(
    operation_id = "update_company",
    tag = "companies",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`).")),
    request_body = CompanyPatch,
    responses(
        (status = 200, description = "The updated company.", body = CompanyOut),
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
#[patch("/companies/{id}")]
pub async fn update_company(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
    body: ValidatedJson<CompanyPatch>,
) -> ApiResult<web::Json<CompanyOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a company
///
/// Deletes a company and its notes. Its contacts are kept, without a company. Needs
/// `companies:write`.
#[utoipa::path(
    operation_id = "delete_company",
    tag = "companies",
    security(("bearer" = [])),
    params(("id" = CompanyId, Path, description = "The company's id (`com_…`).")),
    responses(
        (status = 204, description = "The company is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/companies/{id}")]
pub async fn delete_company(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<CompanyId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
