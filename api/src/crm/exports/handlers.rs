//! HTTP handlers for exports. Listing and following exports needs `exports:read`; starting one
//! and downloading its file needs `exports:write` (viewers hold neither: an export copies the
//! whole contact base out).

use actix_web::{
    HttpResponse, get,
    http::header::{self, ContentDisposition, DispositionParam, DispositionType},
    post, web,
};

use super::{
    dto::{ExportIn, ExportList, ExportOut, XlsxFile},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::ExportId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Exports, Access::Read);
const WRITE: Scope = Scope::new(Resource::Exports, Access::Write);

/// Export contacts
///
/// Starts exporting the organisation's contacts as CSV or XLSX, in the background: every
/// contact, those matching `filter` (the language of `GET /v1/contacts?filter=`; a bad filter
/// is a 422 `invalid_filter` on `filter`), those of a segment (`segment_id`; 404 when it is not
/// the organisation's), or both. Answers 202 with the export `queued`; follow it with
/// `GET /v1/exports/{id}` and download the file from its `download_url` once `completed`.
/// Columns are those the import accepts, so the file imports back as it is. Needs
/// `exports:write`.
#[utoipa::path(
    operation_id = "create_export",
    tag = "exports",
    security(("bearer" = [])),
    request_body = ExportIn,
    responses(
        (status = 202, description = "The export, queued.", body = ExportOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/exports")]
pub async fn create_export(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<ExportIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Accepted().json(service::create(&state, &ctx, body.0).await?))
}

/// List exports
///
/// Lists the organisation's exports, oldest first, with cursor pagination. Needs
/// `exports:read`.
#[utoipa::path(
    operation_id = "list_exports",
    tag = "exports",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of exports.", body = ExportList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/exports")]
pub async fn list_exports(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ExportList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get an export
///
/// Returns one export with its progress: `status` (`queued`, `running`, `completed`,
/// `failed`), `rows_written`, its start and finish times, `failure_reason` when it failed and
/// `download_url` once it is completed. Needs `exports:read`.
#[utoipa::path(
    operation_id = "get_export",
    tag = "exports",
    security(("bearer" = [])),
    params(("id" = ExportId, Path, description = "The export's id (`exp_…`).")),
    responses(
        (status = 200, description = "The export.", body = ExportOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/exports/{id}")]
pub async fn get_export(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ExportId>,
) -> ApiResult<web::Json<ExportOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Download an export's file
///
/// Streams the file of a completed export as an attachment named `contacts-<id>.csv` (or
/// `.xlsx`): CSV as `text/csv; charset=utf-8`, XLSX as
/// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`. Before the export is
/// completed (or when it failed) the answer is 409 `export_not_ready`. Needs `exports:write`.
#[utoipa::path(
    operation_id = "download_export",
    tag = "exports",
    security(("bearer" = [])),
    params(("id" = ExportId, Path, description = "The export's id (`exp_…`).")),
    responses(
        (status = 200, description = "The file.", content(
            (String = "text/csv"),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[get("/exports/{id}/download")]
pub async fn download_export(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ExportId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    let file = service::download(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file.filename)],
        })
        .no_chunking(file.size)
        .streaming(file.body))
}
