//! The export job. Until the job engine lands it runs on a tokio task, with its state in the
//! `exports` table: `queued` → `running` (`rows_written` updated after every page) →
//! `completed` (the file stored under `<tenant>/exports/<id>.<ext>`) or `failed` (with a
//! reason). A process that stops mid-export leaves it `running`; at the next start-up
//! [`fail_interrupted`] marks it failed ("interrupted by a restart") rather than losing it.
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
    sea_query::Expr,
};
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
    platform::{ids::ExportId, storage::FileStore},
    state::AppState,
};

/// Contacts read (and rows written) per page.
pub const PAGE_SIZE: u64 = 1000;
/// The size of each chunk copied to storage (also the multipart part size).
const UPLOAD_CHUNK: usize = 5 * 1024 * 1024;
/// The failure reason of an export cut off by a restart.
pub const INTERRUPTED: &str = "interrupted by a restart";
/// The failure reason of an unexpected error (the cause is logged).
const INTERNAL: &str = "an internal error stopped the export; try again, and quote the export id if it happens again";

/// Why a job stopped: a reason the user can act on, or an internal error (logged, not shown).
#[derive(Debug)]
pub enum JobError {
    User(String),
    Internal(anyhow::Error),
}

impl JobError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }
}

impl From<DbErr> for JobError {
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

/// Starts the job on a tokio task.
pub fn spawn(env: JobEnv, job: export::Model) {
    tokio::spawn(async move {
        let id = ExportId::from_uuid(job.id);
        let reason = match run(&env, &job).await {
            Ok(()) => return,
            Err(JobError::User(reason)) => reason,
            Err(JobError::Internal(err)) => {
                tracing::error!(export_id = %id, error = ?err, "export failed");
                INTERNAL.to_owned()
            }
        };
        tracing::info!(export_id = %id, reason, "export failed");
        if let Err(err) = finish_failed(&env.db, job.tenant_id, job.id, &reason).await {
            tracing::error!(export_id = %id, error = ?err, "could not mark the export failed");
        }
    });
}

async fn run(env: &JobEnv, job: &export::Model) -> Result<(), JobError> {
    let db = &env.db;
    let (tenant_id, id) = (job.tenant_id, job.id);
    let now = Utc::now().trunc_subsecs(6);
    let started = export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::RUNNING))
        .col_expr(export::Column::StartedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.eq(ExportStatus::QUEUED))
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
    std::fs::create_dir_all(&env.work_dir).map_err(JobError::internal)?;
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
        Ok::<i64, JobError>(written)
    };
    let read = read.await;
    writer.await.map_err(JobError::internal)??;
    let written = read?;

    let key = FileStore::key(tenant_id, "exports", id, format.extension());
    upload(&env.files, &key, &temp.0).await?;
    finish_completed(db, tenant_id, id, &key, written).await?;
    tracing::info!(export_id = %ExportId::from_uuid(id), rows = written, "export completed");
    Ok(())
}

/// The contacts to export: the filter and the segment, if any (both compiled when the job
/// starts, so a dynamic segment is evaluated then).
async fn condition<C: ConnectionTrait>(db: &C, job: &export::Model) -> Result<Condition, JobError> {
    let mut condition = Condition::all();
    if let Some(filter) = &job.filter {
        let compiled = Compiler::new(db, job.tenant_id).compile_text(filter).await.map_err(|e| match e {
            CompileError::Invalid(e) => JobError::User(format!("the filter no longer applies: {e}")),
            CompileError::Api(e) => JobError::internal(e),
        })?;
        condition = condition.add(compiled);
    }
    if let Some(segment_id) = job.segment_id {
        let members = segment_condition(db, job.tenant_id, segment_id).await.map_err(|e| match e {
            ApiError::NotFound { .. } => JobError::User("the segment was deleted before the export ran".into()),
            ApiError::BadRequest { detail, .. } => {
                JobError::User(format!("the segment's filter no longer applies: {detail}"))
            }
            other => JobError::internal(other),
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
async fn upload(files: &FileStore, key: &ObjectPath, path: &Path) -> Result<(), JobError> {
    let upload = files.store().put_multipart(key).await.map_err(JobError::internal)?;
    let mut out = WriteMultipart::new_with_chunk_size(upload, UPLOAD_CHUNK);
    let mut file = File::open(path).map_err(JobError::internal)?;
    let copied: Result<(), JobError> = async {
        loop {
            let (back, buf) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; UPLOAD_CHUNK];
                let n = read_chunk(&mut file, &mut buf)?;
                buf.truncate(n);
                Ok::<_, io::Error>((file, buf))
            })
            .await
            .map_err(JobError::internal)?
            .map_err(JobError::internal)?;
            file = back;
            if buf.is_empty() {
                return Ok(());
            }
            out.wait_for_capacity(2).await.map_err(JobError::internal)?;
            out.write(&buf);
        }
    }
    .await;
    match copied {
        Ok(()) => out.finish().await.map(|_| ()).map_err(JobError::internal),
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

async fn finish_completed<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    id: Uuid,
    key: &ObjectPath,
    rows: i64,
) -> Result<(), DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::COMPLETED))
        .col_expr(export::Column::FileKey, Expr::value(key.to_string()))
        .col_expr(export::Column::RowsWritten, Expr::value(rows))
        .col_expr(export::Column::FinishedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.eq(ExportStatus::RUNNING))
        .exec(db)
        .await
        .map(|_| ())
}

async fn finish_failed<C: ConnectionTrait>(db: &C, tenant_id: Uuid, id: Uuid, reason: &str) -> Result<(), DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    export::Entity::update_in(tenant_id)
        .col_expr(export::Column::Status, Expr::value(ExportStatus::FAILED))
        .col_expr(export::Column::FailureReason, Expr::value(reason))
        .col_expr(export::Column::FinishedAt, Expr::value(now))
        .col_expr(export::Column::UpdatedAt, Expr::value(now))
        .filter(export::Column::Id.eq(id))
        .filter(export::Column::Status.is_in([ExportStatus::QUEUED, ExportStatus::RUNNING]))
        .exec(db)
        .await
        .map(|_| ())
}

/// Marks exports left `queued` or `running` by a previous process as failed ("interrupted by a
/// restart"). Called once at start-up, before the server accepts requests.
pub async fn fail_interrupted(db: &DatabaseConnection) -> anyhow::Result<u64> {
    let unfinished = export::Entity::find_unfinished().all(db).await?;
    let mut n = 0;
    for job in unfinished {
        finish_failed(db, job.tenant_id, job.id, INTERRUPTED).await?;
        n += 1;
    }
    if n > 0 {
        tracing::warn!(exports = n, "marked exports interrupted by a restart as failed");
    }
    Ok(n)
}
