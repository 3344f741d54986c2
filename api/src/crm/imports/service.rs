//! Import rules: an upload becomes a `queued` import row and a background job; progress and the
//! error report are read back through the tenant-scoped finder.

use actix_web::HttpRequest;
use actix_web::web;
use chrono::Utc;
use entities::{field_definition, import};
use futures_util::{Stream, TryStreamExt};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;

use super::{
    dto::{ImportList, ImportOut},
    job, mapping,
    upload::{self, Upload},
};
use crate::{
    error::{ApiError, ApiResult},
    platform::{
        auth::TenantCtx,
        ids::ImportId,
        jobs::{self, Clock, NewJob, clock::SystemClock},
        pagination::{ListParams, fetch_page},
        storage::FileStore,
    },
    state::AppState,
};

/// Receives the upload, checks its header row against the mapping, records the import and
/// starts the job.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(
    state: &web::Data<AppState>,
    ctx: &TenantCtx,
    req: &HttpRequest,
    payload: web::Payload,
) -> ApiResult<ImportOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let id = Uuid::now_v7();
    let key = FileStore::key(tenant_id, "imports", id, "csv");
    let upload = upload::receive(state, req, payload, &key).await?;
    match record(state, ctx, id, &key, upload).await {
        Ok(model) => {
            jobs::wake();
            Ok(model.into())
        }
        Err(err) => {
            let _ = state.files.store().delete(&key).await;
            Err(err)
        }
    }
}

async fn record(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    key: &object_store::path::Path,
    upload: Upload,
) -> ApiResult<import::Model> {
    let tenant_id = ctx.tenant_id.uuid();
    let defs = field_definition::Entity::find_for_object(tenant_id, "contact").all(&state.db).await?;
    let match_on = upload.options.match_on.unwrap_or_default();
    let on_match = upload.options.on_match.unwrap_or_default();
    let columns = mapping::resolve(&upload.headers, upload.options.mapping.as_ref(), match_on, &defs)
        .map_err(|errors| ApiError::Validation { errors })?;
    let mapping = serde_json::to_value(columns.as_mapping()).map_err(ApiError::internal)?;
    let now = Utc::now();
    let row = import::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        status: Set("queued".into()),
        filename: Set(upload.filename),
        file_key: Set(key.to_string()),
        file_size: Set(i64::try_from(upload.size).unwrap_or(i64::MAX)),
        mapping: Set(mapping),
        match_on: Set(match_on.as_str().into()),
        on_match: Set(on_match.as_str().into()),
        rows_read: Set(0),
        rows_created: Set(0),
        rows_updated: Set(0),
        rows_skipped: Set(0),
        rows_failed: Set(0),
        error_report_key: Set(None),
        failure_reason: Set(None),
        created_by: Set(ctx.principal.user_id().map(|u| u.uuid())),
        created_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
        updated_at: Set(now),
    };
    // The import and its job commit together: no import without a job, no job without an import.
    let txn = state.db.begin().await?;
    let model = row.insert(&txn).await?;
    let job = NewJob::of(&job::ImportJob { tenant_id, import_id: id })
        .map_err(ApiError::internal)?
        .tenant(tenant_id)
        .subject(id);
    jobs::enqueue(&txn, SystemClock.now_ms(), job).await?;
    txn.commit().await?;
    Ok(model)
}

async fn find(state: &AppState, ctx: &TenantCtx, id: ImportId) -> ApiResult<import::Model> {
    import::Entity::find_in(ctx.tenant_id.uuid())
        .filter(import::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("import"))
}

pub async fn get(state: &AppState, ctx: &TenantCtx, id: ImportId) -> ApiResult<ImportOut> {
    Ok(find(state, ctx, id).await?.into())
}

pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<ImportList> {
    let page = fetch_page(
        &state.db,
        import::Entity::find_in(ctx.tenant_id.uuid()),
        import::Column::Id,
        |m| m.id,
        params.page_request()?,
    )
    .await?;
    Ok(page.map(ImportOut::from).into())
}

/// The error report as a byte stream: 409 while the import has not finished, 404 when it has
/// none (it failed before reading the file).
pub async fn error_report(
    state: &AppState,
    ctx: &TenantCtx,
    id: ImportId,
) -> ApiResult<impl Stream<Item = Result<web::Bytes, std::io::Error>> + use<>> {
    let model = find(state, ctx, id).await?;
    if matches!(model.status.as_str(), "queued" | "running") {
        return Err(ApiError::conflict(
            "import_not_finished",
            "The error report is ready when the import has finished; poll GET /v1/imports/{id} until its status is completed or failed.",
        ));
    }
    let Some(key) = model.error_report_key else {
        return Err(ApiError::NotFound {
            detail: "This import has no error report (it failed before reading the file).".into(),
        });
    };
    let got = state.files.store().get(&object_store::path::Path::from(key)).await.map_err(|e| match e {
        object_store::Error::NotFound { .. } => {
            ApiError::NotFound { detail: "This import's error report is no longer stored.".into() }
        }
        other => ApiError::internal(other),
    })?;
    Ok(got.into_stream().map_err(std::io::Error::other))
}
