//! Operator endpoints for the job queue: list jobs (dead ones by default), retry or discard a
//! dead job. Like every `/v1/admin/*` route, invisible (404) to anyone but operators: each
//! handler takes `OperatorCtx` first and extracts its path and query only after it.

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, web};

use super::{
    dto::{AdminJobList, AdminJobOut, AdminJobQuery},
    service,
};
use crate::{
    platform::{auth::operator::OperatorCtx, extract::ValidatedQuery, ids::JobId},
    state::AppState,
};

/// List jobs (operators)
///
/// Jobs of every organisation and the platform's own, in one stored state (`dead` by default:
/// the jobs whose attempts ran out), oldest first, with their payload and last error.
/// Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_list_jobs",
    tag = "admin",
    security(("bearer" = [])),
    params(AdminJobQuery),
    responses(
        (status = 200, description = "A page of jobs.", body = AdminJobList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/admin/jobs")]
pub async fn admin_list_jobs(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AdminJobList>> {
    let q = ValidatedQuery::<AdminJobQuery>::extract(&req).await?.0;
    Ok(web::Json(service::admin_list(&state, q).await?))
}

/// Retry a dead job (operators)
///
/// Puts a dead job back in its queue, due now, with its attempts starting over. A job that is
/// not dead is 409 `job_not_dead`. Operator-only: anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_retry_job",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = JobId, Path, description = "The job's id (`job_…`).")),
    responses(
        (status = 200, description = "The job, pending again.", body = AdminJobOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/admin/jobs/{id}/retry")]
pub async fn admin_retry_job(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<web::Json<AdminJobOut>> {
    let id = web::Path::<JobId>::extract(&req).await?.into_inner();
    Ok(web::Json(service::admin_retry(&state, id).await?))
}

/// Discard a dead job (operators)
///
/// Deletes a dead job for good. A job that is not dead is 409 `job_not_dead`. Operator-only:
/// anyone else gets 404.
#[utoipa::path(
    operation_id = "admin_discard_job",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = JobId, Path, description = "The job's id (`job_…`).")),
    responses(
        (status = 204, description = "The job is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/admin/jobs/{id}")]
pub async fn admin_discard_job(
    _op: OperatorCtx,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> actix_web::Result<HttpResponse> {
    let id = web::Path::<JobId>::extract(&req).await?.into_inner();
    service::admin_discard(&state, id).await?;
    Ok(HttpResponse::NoContent().finish())
}
