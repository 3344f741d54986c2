//! HTTP handlers for contact imports. Starting an import needs `imports:write`; reading
//! imports and error reports needs `imports:read`.

use actix_web::{HttpRequest, HttpResponse, get, http::header, post, web};

use super::{
    dto::{ImportList, ImportOut, ImportUpload},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        ids::ImportId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Imports, Access::Read);
const WRITE: Scope = Scope::new(Resource::Imports, Access::Write);

/// Import contacts from a CSV file
///
/// Uploads a CSV (`multipart/form-data`: a `file` part and an optional `options` part holding
/// JSON) and starts importing it in the background; the answer is `202` with the import in
/// status `queued`. Poll `GET /v1/imports/{id}` for progress. The file is streamed to storage
/// and may be up to the server's `import_max_bytes` (512 MiB by default; larger is 413). Rows
/// are matched on `match_on` (email or phone) and either update the contact (`upsert`) or are
/// skipped (`skip`); an import never changes an `opted_out` consent. Bad rows are listed in an
/// error report instead of stopping the import. The header row is checked at once: unknown
/// columns (without a mapping), unknown custom fields and a missing match column are 422.
/// Multipart requests are not deduplicated by `Idempotency-Key`. Needs `imports:write`.
#[utoipa::path(
    operation_id = "create_import",
    tag = "imports",
    security(("bearer" = [])),
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "The import, queued.", body = ImportOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    let import = service::create(&state, &ctx, &req, payload).await?;
    Ok(HttpResponse::Accepted().insert_header((header::LOCATION, format!("/v1/imports/{}", import.id))).json(import))
}

/// List imports
///
/// Lists the organisation's imports, oldest first, with cursor pagination. Needs
/// `imports:read`.
#[utoipa::path(
    operation_id = "list_imports",
    tag = "imports",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of imports.", body = ImportList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ImportList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get an import
///
/// Returns one import with its progress: `status` (`queued`, `running`, `completed`,
/// `failed`), the row counters (updated after every batch of rows), `failure_reason` when the
/// whole import failed, and `error_report_url` once it has finished with failed rows. Needs
/// `imports:read`.
#[utoipa::path(
    operation_id = "get_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path, description = "The import's id (`imp_…`).")),
    responses(
        (status = 200, description = "The import.", body = ImportOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ImportId>,
) -> ApiResult<web::Json<ImportOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Download an import's error report
///
/// Streams the error report of a finished import as CSV with the columns `row` (the row number
/// as a spreadsheet shows it; the header is row 1), `column` (the CSV header of the offending
/// column, empty for the whole row), `code` (stable, e.g. `invalid_email`) and `reason`. An
/// import without failed rows has a report with the header line only. While the import is
/// queued or running the answer is 409 `import_not_finished`; an import that failed before
/// reading its file has no report (404). Needs `imports:read`.
#[utoipa::path(
    operation_id = "download_import_errors",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path, description = "The import's id (`imp_…`).")),
    responses(
        (status = 200, description = "The error report (CSV).", content_type = "text/csv", body = String,
            example = "row,column,code,reason\n7,Email,invalid_email,is not a valid email address\n"),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[get("/imports/{id}/errors")]
pub async fn download_import_errors(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ImportId>,
) -> ApiResult<HttpResponse> {
    ctx.require(READ)?;
    let id = id.into_inner();
    let stream = service::error_report(&state, &ctx, id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}-errors.csv\"")))
        .streaming(stream))
}
