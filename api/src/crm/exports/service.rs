//! Export rules: a new export checks its filter and segment at once (so that mistakes are
//! reported to the caller, not as a failed job), is stored `queued` together with its job
//! (`crm.export`, one transaction). The file of a completed export is streamed from storage.

use actix_web::web::Bytes;
use chrono::{SubsecRound, Utc};
use entities::export;
use futures_util::{StreamExt, stream::BoxStream};
use object_store::path::Path as ObjectPath;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::{
    dto::{ExportFormat, ExportIn, ExportList, ExportOut, ExportStatus},
    job,
};
use crate::{
    crm::filter::{contact_condition_in_body, segment_condition},
    error::{ApiError, ApiResult},
    platform::{
        auth::TenantCtx,
        ids::ExportId,
        jobs::{self, Clock, NewJob, clock::SystemClock},
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
};

/// Creates an export and starts its job.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: ExportIn) -> ApiResult<ExportOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let filter = input.filter.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty());
    if let Some(filter) = &filter {
        contact_condition_in_body(&state.db, tenant_id, filter, "filter").await?;
    }
    if let Some(segment_id) = input.segment_id {
        segment_condition(&state.db, tenant_id, segment_id.uuid()).await?;
    }
    let now = Utc::now().trunc_subsecs(6);
    let row = export::Model {
        id: ExportId::generate().uuid(),
        tenant_id,
        status: ExportStatus::QUEUED.to_owned(),
        format: input.format.as_str().to_owned(),
        filter,
        segment_id: input.segment_id.map(|s| s.uuid()),
        rows_written: 0,
        file_key: None,
        failure_reason: None,
        created_by: ctx.principal.user_id().map(|u| u.uuid()),
        created_at: now,
        started_at: None,
        finished_at: None,
        updated_at: now,
    };
    // The export and its job commit together.
    let job = NewJob::of(&job::ExportJob { tenant_id, export_id: row.id })
        .map_err(ApiError::internal)?
        .tenant(tenant_id)
        .subject(row.id);
    let txn = state.db.begin().await?;
    export::Entity::insert(export::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
    jobs::enqueue(&txn, SystemClock.now_ms(), job).await?;
    txn.commit().await?;
    jobs::wake();
    tracing::info!(export_id = %ExportId::from_uuid(row.id), format = %row.format, "export queued");
    Ok(row.into())
}

/// Lists exports, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<ExportList> {
    let page = fetch_page(
        &state.db,
        export::Entity::find_in(ctx.tenant_id.uuid()),
        export::Column::Id,
        |m| m.id,
        params.page_request()?,
    )
    .await?;
    Ok(page.map(ExportOut::from).into())
}

async fn find(state: &AppState, ctx: &TenantCtx, id: ExportId) -> ApiResult<export::Model> {
    export::Entity::find_in(ctx.tenant_id.uuid())
        .filter(export::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("export"))
}

/// One export.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: ExportId) -> ApiResult<ExportOut> {
    find(state, ctx, id).await.map(ExportOut::from)
}

/// The file of a completed export, as a stream.
pub struct Download {
    pub filename: String,
    pub content_type: &'static str,
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

/// Opens the file of a completed export (409 `export_not_ready` before that).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn download(state: &AppState, ctx: &TenantCtx, id: ExportId) -> ApiResult<Download> {
    let row = find(state, ctx, id).await?;
    let key = match (ExportStatus::from_stored(&row.status), &row.file_key) {
        (ExportStatus::Completed, Some(key)) => ObjectPath::from(key.as_str()),
        _ => {
            return Err(ApiError::conflict(
                "export_not_ready",
                format!("The export is `{}`: its file can be downloaded once its status is `completed`.", row.status),
            ));
        }
    };
    let file = state.files.store().get(&key).await.map_err(ApiError::internal)?;
    let format = ExportFormat::from_stored(&row.format);
    Ok(Download {
        filename: format!("contacts-{id}.{}", format.extension()),
        content_type: format.content_type(),
        size: file.meta.size,
        body: file.into_stream().boxed(),
    })
}
