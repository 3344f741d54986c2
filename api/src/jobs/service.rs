//! Reading the organisation's jobs, and the operators' dead-job handling.

use entities::job;
use sea_orm::{ColumnTrait, QueryFilter};

use super::dto::{AdminJobList, AdminJobOut, AdminJobQuery, JobList, JobOut, JobQuery, JobStatus, StoredStatus};
use crate::{
    audit::service::page_request,
    error::{ApiError, ApiResult},
    platform::{
        auth::TenantCtx,
        ids::JobId,
        jobs::{Clock, clock::SystemClock, store},
        pagination::fetch_page,
    },
    state::AppState,
};

/// The organisation's jobs, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, q: JobQuery) -> ApiResult<JobList> {
    let mut select = job::Entity::find_in(ctx.tenant_id.uuid());
    if let Some(status) = q.status {
        select = select.filter(job::Column::Status.eq(status.stored()));
        select = match status {
            JobStatus::Queued => select.filter(job::Column::Attempts.eq(0)),
            JobStatus::Retrying => select.filter(job::Column::Attempts.gt(0)),
            _ => select,
        };
    }
    if let Some(kind) = q.kind {
        select = select.filter(job::Column::Kind.eq(kind));
    }
    let page = fetch_page(&state.db, select, job::Column::Id, |m| m.id, page_request(q.limit, q.cursor)?).await?;
    Ok(page.map(JobOut::from).into())
}

/// One of the organisation's jobs (another organisation's is 404).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: JobId) -> ApiResult<JobOut> {
    job::Entity::find_in(ctx.tenant_id.uuid())
        .filter(job::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .map(JobOut::from)
        .ok_or_else(|| ApiError::not_found("job"))
}

/// Operators: jobs of every organisation, dead ones by default.
pub async fn admin_list(state: &AppState, q: AdminJobQuery) -> ApiResult<AdminJobList> {
    let status = q.state.unwrap_or(StoredStatus::Dead);
    let mut select = job::Entity::find_all_tenants().filter(job::Column::Status.eq(status.as_str()));
    if let Some(queue) = q.queue {
        select = select.filter(job::Column::Queue.eq(queue));
    }
    if let Some(kind) = q.kind {
        select = select.filter(job::Column::Kind.eq(kind));
    }
    let page = fetch_page(&state.db, select, job::Column::Id, |m| m.id, page_request(q.limit, q.cursor)?).await?;
    Ok(page.map(AdminJobOut::from).into())
}

async fn admin_find(state: &AppState, id: JobId) -> ApiResult<job::Model> {
    job::Entity::find_all_tenants()
        .filter(job::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))
}

fn not_dead() -> ApiError {
    ApiError::conflict("job_not_dead", "Only a dead job can be retried or discarded; this one is not dead.")
}

/// Operators: a dead job runs again, with its attempts starting over.
pub async fn admin_retry(state: &AppState, id: JobId) -> ApiResult<AdminJobOut> {
    if !store::retry_dead(&state.db, id.uuid(), SystemClock.now_ms()).await? {
        admin_find(state, id).await?;
        return Err(not_dead());
    }
    crate::platform::jobs::wake();
    Ok(admin_find(state, id).await?.into())
}

/// Operators: deletes a dead job.
pub async fn admin_discard(state: &AppState, id: JobId) -> ApiResult<()> {
    if !store::discard_dead(&state.db, id.uuid()).await? {
        admin_find(state, id).await?;
        return Err(not_dead());
    }
    Ok(())
}
