//! The export job (`crm.export` on the job engine, queue `crm`), with its state in the `exports`
//! table: `queued` → `running` (`rows_written` updated after every page) → `completed` (the
//! file stored under `<tenant>/exports/<id>.<ext>`) or `failed` (with a reason). A run cut off
//! by a crash or a shutdown is run again by the engine and starts the file over.
//!
//! Streaming end to end: contacts are read in keyset pages of [`PAGE_SIZE`] (`id > last`,
//! tenant-scoped), turned into rows, and handed to a blocking writer thread (`sink`) that
//! appends them to a temporary file; the file is then copied to storage in chunks.

use std::{
    fs::File,
    io::{self, Read},
    path::{Path, PathBuf},
};

use chrono::{SubsecRound, Utc};
use entities::{contact, export, field_definition};
use object_store::{WriteMultipart, path::Path as ObjectPath};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    columns,
    dto::{ExportFormat, ExportStatus},
    sink,
};
use crate::{
    crm::filter::{CompileError, Compiler, segment_condition},
    error::ApiError,
    events::{self, Event},
    platform::{
        ids::{ExportId, TenantId},
        jobs::{Job, JobContext, JobError},
        storage::FileStore,
    },
    state::AppState,
};

/// Contacts read (and rows written) per page.
pub const PAGE_SIZE: u64 = 1000;
/// The size of each chunk copied to storage (also the multipart part size).
const UPLOAD_CHUNK: usize = 5 * 1024 * 1024;
/// The failure reason of an unexpected error (the cause is logged).
const INTERNAL: &str = "an internal error stopped the export; try again, and quote the export id if it happens again";

/// Why an export stopped: a reason the user can act on, or an internal error (logged, not shown).
#[derive(Debug)]
pub enum ExportError {
    User(String),
    Internal(anyhow::Error),
}

impl ExportError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }
}

impl From<DbErr> for ExportError {
    fn from(err: DbErr) -> Self {
        Self::internal(err)
    }
}

/// What a job needs from the application state (owned, so that the task can outlive the
/// request that started it).
pub struct JobEnv {
    pub db: DatabaseConnection,
    pub files: FileStore,
    /// Where temporary files are written: `<data_dir>/tmp/exports`.
    pub work_dir: PathBuf,
}

impl JobEnv {
    pub fn from_state(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            files: state.files.clone(),
            work_dir: state.settings.data_dir.join("tmp").join("exports"),
        }
    }
}

/// A local temporary file, removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The job: write the file of one `exports` row.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportJob {
    pub tenant_id: Uuid,
    pub export_id: Uuid,
}

impl Job for ExportJob {
    const KIND: &'static str = "crm.export";
    const QUEUE: &'static str = "crm";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let env = JobEnv::from_state(&ctx.state);
        let id = ExportId::from_uuid(self.export_id);
        let Some(model) =
            export::Entity::find_in(self.tenant_id).filter(export::Column::Id.eq(self.export_id)).one(&env.db).await?
        else {
            return Ok(());
        };
        let reason = match run(&env, &model).await {
            Ok(()) => return Ok(()),
            Err(ExportError::User(reason)) => reason,
            // Possibly passing (a database restart): retried until the last attempt.
            Err(ExportError::Internal(err)) if ctx.attempt < Self::MAX_ATTEMPTS => return Err(JobError::Retry(err)),
            Err(ExportError::Internal(err)) => {
                tracing::error!(export_id = %id, error = ?err, "export failed");
                INTERNAL.to_owned()
            }
        };
        tracing::info!(export_id = %id, reason, "export failed");
        finish_failed(&env.db, self.tenant_id, self.export_id, &reason).await?;
        Ok(())
    }
}

async fn run(env: &JobEnv, job: &export::Model) -> Result<(), ExportError> {
    let db = &env.db;
    let (tenant_id, id) = (job.tenant_id, job.id);
    let now = Utc::now().trunc_subsecs(6);
    let started = export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::RUNNING))
        .col_expr(export::Column::StartedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.is_in([ExportStatus::QUEUED, ExportStatus::RUNNING]))
        .exec(db)
        .await?;
    if started.rows_affected == 0 {
        return Ok(());
    }
    let condition = condition(db, job).await?;
    let defs = field_definition::Entity::find_for_object(tenant_id, "contact")
        .order_by_asc(field_definition::Column::Key)
        .all(db)
        .await?;
    let header = columns::header(&defs);
    let format = ExportFormat::from_stored(&job.format);
    std::fs::create_dir_all(&env.work_dir).map_err(ExportError::internal)?;
    let temp = TempFile(env.work_dir.join(format!("{id}.{}", format.extension())));

    let (tx, rx) = mpsc::channel::<Vec<Vec<String>>>(2);
    let (path, dir) = (temp.0.clone(), env.work_dir.clone());
    let writer = tokio::task::spawn_blocking(move || sink::write(format, &path, &dir, &header, rx));
    let read = async move {
        let mut last: Option<Uuid> = None;
        let mut written: i64 = 0;
        loop {
            let mut select = contact::Entity::find_in(tenant_id)
                .filter(condition.clone())
                .order_by_asc(contact::Column::Id)
                .limit(PAGE_SIZE);
            if let Some(last) = last {
                select = select.filter(contact::Column::Id.gt(last));
            }
            let page = select.all(db).await?;
            let Some(tail) = page.last() else { break };
            last = Some(tail.id);
            let rows = columns::rows(db, tenant_id, &defs, &page).await?;
            if tx.send(rows).await.is_err() {
                break; // The writer stopped; its result says why.
            }
            written += i64::try_from(page.len()).unwrap_or(i64::MAX);
            set_progress(db, tenant_id, id, written).await?;
            if (page.len() as u64) < PAGE_SIZE {
                break;
            }
        }
        Ok::<i64, ExportError>(written)
    };
    let read = read.await;
    writer.await.map_err(ExportError::internal)??;
    let written = read?;

    let key = FileStore::key(tenant_id, "exports", id, format.extension());
    upload(&env.files, &key, &temp.0).await?;
    finish_completed(db, tenant_id, id, &key, written).await?;
    tracing::info!(export_id = %ExportId::from_uuid(id), rows = written, "export completed");
    Ok(())
}

/// The contacts to export: the filter and the segment, if any (both compiled when the job
/// starts, so a dynamic segment is evaluated then).
async fn condition<C: ConnectionTrait>(db: &C, job: &export::Model) -> Result<Condition, ExportError> {
    let mut condition = Condition::all();
    if let Some(filter) = &job.filter {
        let compiled = Compiler::new(db, job.tenant_id).compile_text(filter).await.map_err(|e| match e {
            CompileError::Invalid(e) => ExportError::User(format!("the filter no longer applies: {e}")),
            CompileError::Api(e) => ExportError::internal(e),
        })?;
        condition = condition.add(compiled);
    }
    if let Some(segment_id) = job.segment_id {
        let members = segment_condition(db, job.tenant_id, segment_id).await.map_err(|e| match e {
            ApiError::NotFound { .. } => ExportError::User("the segment was deleted before the export ran".into()),
            ApiError::BadRequest { detail, .. } => {
                ExportError::User(format!("the segment's filter no longer applies: {detail}"))
            }
            other => ExportError::internal(other),
        })?;
        condition = condition.add(members);
    }
    Ok(condition)
}

/// Reads up to `buf.len()` bytes (fewer only at the end of the file).
fn read_chunk(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Copies the local file to storage in chunks (a multipart upload).
async fn upload(files: &FileStore, key: &ObjectPath, path: &Path) -> Result<(), ExportError> {
    let upload = files.store().put_multipart(key).await.map_err(ExportError::internal)?;
    let mut out = WriteMultipart::new_with_chunk_size(upload, UPLOAD_CHUNK);
    let mut file = File::open(path).map_err(ExportError::internal)?;
    let copied: Result<(), ExportError> = async {
        loop {
            let (back, buf) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; UPLOAD_CHUNK];
                let n = read_chunk(&mut file, &mut buf)?;
                buf.truncate(n);
                Ok::<_, io::Error>((file, buf))
            })
            .await
            .map_err(ExportError::internal)?
            .map_err(ExportError::internal)?;
            file = back;
            if buf.is_empty() {
                return Ok(());
            }
            out.wait_for_capacity(2).await.map_err(ExportError::internal)?;
            out.write(&buf);
        }
    }
    .await;
    match copied {
        Ok(()) => out.finish().await.map(|_| ()).map_err(ExportError::internal),
        Err(err) => {
            let _ = out.abort().await;
            Err(err)
        }
    }
}

async fn set_progress<C: ConnectionTrait>(db: &C, tenant_id: Uuid, id: Uuid, rows: i64) -> Result<(), DbErr> {
    export::Entity::update_in(tenant_id)
        .col_expr(export::Column::RowsWritten, Expr::value(rows))
        .col_expr(export::Column::UpdatedAt, Expr::value(Utc::now().trunc_subsecs(6)))
        .filter(export::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

async fn finish_completed(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    id: Uuid,
    key: &ObjectPath,
    rows: i64,
) -> Result<(), DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let update = export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::COMPLETED))
        .col_expr(export::Column::FileKey, Expr::value(key.to_string()))
        .col_expr(export::Column::RowsWritten, Expr::value(rows))
        .col_expr(export::Column::FinishedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.eq(ExportStatus::RUNNING));
    finish_with_event(db, tenant_id, id, update).await
}

async fn finish_failed(db: &DatabaseConnection, tenant_id: Uuid, id: Uuid, reason: &str) -> Result<(), DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let update = export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::FAILED))
        .col_expr(export::Column::FailureReason, Expr::value(reason))
        .col_expr(export::Column::FinishedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.is_in([ExportStatus::QUEUED, ExportStatus::RUNNING]));
    finish_with_event(db, tenant_id, id, update).await
}

/// Runs the finishing update and, when it moved the export, appends `export.completed` or
/// `export.failed` in the same transaction.
async fn finish_with_event(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    id: Uuid,
    update: sea_orm::UpdateMany<export::Entity>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    if update.exec(&txn).await?.rows_affected == 1
        && let Some(model) = export::Entity::find_in(tenant_id).filter(export::Column::Id.eq(id)).one(&txn).await?
    {
        let data = (&model).into();
        let event = if model.status == ExportStatus::COMPLETED {
            Event::export_completed(&data)
        } else {
            Event::export_failed(&data)
        };
        events::append(&txn, TenantId::from_uuid(tenant_id), event).await.map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    txn.commit().await
}
