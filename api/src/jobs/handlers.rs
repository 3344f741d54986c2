//! HTTP handlers of `/v1/jobs` (the organisation's background operations; `jobs:read`).

use actix_web::{get, web};

use super::{
    dto::{JobList, JobOut, JobQuery},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        ids::JobId,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Jobs, Access::Read);

/// List background jobs
///
/// The organisation's background operations (imports, exports, …), oldest first, with their
/// status and progress. Filter by `status` and `type`. Needs `jobs:read`.
#[utoipa::path(
    operation_id = "list_jobs",
    tag = "jobs",
    security(("bearer" = [])),
    params(JobQuery),
    responses(
        (status = 200, description = "A page of jobs.", body = JobList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/jobs")]
pub async fn list_jobs(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<JobQuery>,
) -> ApiResult<web::Json<JobList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, query.0).await?))
}

/// Get a background job
///
/// One background operation with its status, attempts and progress. Needs `jobs:read`.
#[utoipa::path(
    operation_id = "get_job",
    tag = "jobs",
    security(("bearer" = [])),
    params(("id" = JobId, Path, description = "The job's id (`job_…`).")),
    responses(
        (status = 200, description = "The job.", body = JobOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/jobs/{id}")]
pub async fn get_job(state: web::Data<AppState>, ctx: TenantCtx, id: web::Path<JobId>) -> ApiResult<web::Json<JobOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}
