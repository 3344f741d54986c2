//! The import job (`crm.import` on the job engine, queue `crm`): its state lives in the
//! `imports` row (queued → running → completed | failed). Streaming end to end: the stored file
//! is read as a stream and parsed on a blocking thread (`csv` over `SyncIoBridge`), which hands
//! batches of parsed rows to the writer through a channel of two; so memory holds a few batches
//! whatever the file size, and parsing the next batch overlaps writing the current one.
//!
//! Each batch commits together with the import's counters (a checkpoint). When a run is cut off
//! (the worker died, or shut down before the import finished), the engine runs the job again:
//! the file is read from the start, batches already committed are not written again (their
//! counters are kept; their parse errors are written to the new error report again), and the
//! import goes on from the first batch that was not.

use std::{
    cell::Cell,
    io::{self, Read},
    rc::Rc,
    sync::Arc,
};

use actix_web::web::Bytes;
use chrono::Utc;
use entities::{field_definition, import, tenant};
use futures_util::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Query, UpdateStatement},
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    dto::{MatchOn, OnMatch},
    mapping::{self, Columns},
    report::Report,
    rows::{self, Row, RowError},
    writer::{Outcome, Rules, Writer},
};
use crate::{
    crm::values::parse_region,
    events::{self, Event},
    platform::{
        ids::TenantId,
        jobs::{Job, JobContext, JobError},
        storage::FileStore,
    },
};

/// Rows per batch (one transaction each).
pub const BATCH_ROWS: usize = 5000;
/// How often the counters are saved while the import runs (and once at the end).
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// The longest record accepted, bytes (guards memory against an unterminated quote).
const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// A batch handed from the parser to the writer.
struct Batch {
    rows: Vec<Row>,
    errors: Vec<RowError>,
    /// Records read in this batch.
    read: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    read: u64,
    created: u64,
    updated: u64,
    skipped: u64,
    failed: u64,
}

impl Counters {
    /// The job's progress as `GET /v1/jobs` shows it (the import's own counter names).
    fn as_json(self) -> serde_json::Value {
        serde_json::json!({
            "rows_read": self.read,
            "rows_created": self.created,
            "rows_updated": self.updated,
            "rows_skipped": self.skipped,
            "rows_failed": self.failed,
        })
    }
}

/// The reason shown when something other than the file stopped an import (the cause is
/// logged, never returned: it can name tables, constraints or paths).
const INTERNAL: &str = "an internal error stopped the import; try again, and quote the import id if it happens again";

/// Why the file itself stopped an import: safe to show as `failure_reason`.
#[derive(Debug)]
struct FileFailure(String);

impl std::fmt::Display for FileFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FileFailure {}

/// The job: import the file of one `imports` row.
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportJob {
    pub tenant_id: Uuid,
    pub import_id: Uuid,
}

impl Job for ImportJob {
    const KIND: &'static str = "crm.import";
    const QUEUE: &'static str = "crm";
    const MAX_ATTEMPTS: i32 = 3;

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let (db, files) = (&ctx.state.db, &ctx.state.files);
        match execute(&ctx, db, files, self.tenant_id, self.import_id).await {
            Ok(()) => Ok(()),
            // The file itself stopped the import: final, nothing to retry.
            Err(err) if err.downcast_ref::<FileFailure>().is_some() => {
                let reason = err.to_string();
                finish(db, self.tenant_id, self.import_id, "failed", Some(reason), None).await?;
                Ok(())
            }
            // Stopped by the worker's shutdown: the next run resumes, and this one is not an attempt.
            Err(_) if ctx.shutdown.is_cancelled() => Err(JobError::Snooze(std::time::Duration::ZERO)),
            // Anything else may pass (a database restart): retry, and record the failure for
            // good only when the job's last attempt fails.
            Err(err) => {
                tracing::error!(error = ?err, import_id = %self.import_id, attempt = ctx.attempt, "import run failed");
                if ctx.attempt >= Self::MAX_ATTEMPTS {
                    finish(db, self.tenant_id, self.import_id, "failed", Some(INTERNAL.to_owned()), None).await?;
                    return Ok(());
                }
                Err(JobError::Retry(err))
            }
        }
    }
}

async fn execute(
    ctx: &JobContext,
    db: &DatabaseConnection,
    files: &FileStore,
    tenant_id: Uuid,
    import_id: Uuid,
) -> anyhow::Result<()> {
    let Some(job) = import::Entity::find_in(tenant_id).filter(import::Column::Id.eq(import_id)).one(db).await? else {
        return Ok(());
    };
    // A finished import stays finished (the job may run again after its outcome was saved).
    if !matches!(job.status.as_str(), "queued" | "running") {
        return Ok(());
    }
    // A re-run resumes after the batches its predecessor committed.
    let checkpoint = Counters {
        read: u64::try_from(job.rows_read).unwrap_or(0),
        created: u64::try_from(job.rows_created).unwrap_or(0),
        updated: u64::try_from(job.rows_updated).unwrap_or(0),
        skipped: u64::try_from(job.rows_skipped).unwrap_or(0),
        failed: u64::try_from(job.rows_failed).unwrap_or(0),
    };
    let now = Utc::now();
    let stmt = Query::update()
        .table(import::Entity)
        .value(import::Column::Status, "running")
        .value(import::Column::StartedAt, now)
        .value(import::Column::UpdatedAt, now)
        .and_where(import::Column::Id.eq(import_id))
        .and_where(import::Column::TenantId.eq(tenant_id))
        .and_where(import::Column::Status.is_in(["queued", "running"]))
        .to_owned();
    if db.execute(&stmt).await?.rows_affected() == 0 {
        return Ok(());
    }
    let region = tenant::Entity::find_by_id(tenant_id)
        .one(db)
        .await?
        .and_then(|t| t.default_phone_region)
        .and_then(|r| parse_region(&r));
    let defs = field_definition::Entity::find_for_object(tenant_id, "contact").all(db).await?;
    let match_on = MatchOn::from_stored(&job.match_on);
    let on_match = OnMatch::from_stored(&job.on_match);

    let report_key = FileStore::key(tenant_id, "import-errors", import_id, "csv");
    let mut report = Report::create(files, &report_key).await?;
    let source = files.store().get(&object_store::path::Path::from(job.file_key.clone())).await?;
    let bridge = BlockingReader::new(source.into_stream());

    let (tx, mut rx) = mpsc::channel::<Result<Batch, String>>(2);
    let (columns_tx, columns_rx) = tokio::sync::oneshot::channel::<Columns>();
    let mapping = job.mapping.clone();
    let defs = Arc::new(defs);
    let parse_defs = defs.clone();
    let parser = tokio::task::spawn_blocking(move || {
        parse_file(bridge, &mapping, match_on, region, &parse_defs, columns_tx, &tx);
    });

    let mut counters = checkpoint;
    let mut writer: Option<Writer> = None;
    let result = async {
        let columns = columns_rx
            .await
            .map_err(|_| anyhow::Error::new(FileFailure("the file's header row could not be read".into())))?;
        let required = defs.iter().filter(|d| d.required).map(|d| d.key.clone()).collect();
        let rules = Rules::new(tenant_id, match_on, on_match, &columns, required);
        let writer = writer.insert(Writer::open(db, rules).await?);
        let mut last_reported = std::time::Instant::now();
        let mut seen: u64 = 0;
        while let Some(batch) = rx.recv().await {
            let batch = batch.map_err(|e| anyhow::Error::new(FileFailure(e)))?;
            report.write(&batch.errors).await?;
            seen += batch.read;
            if seen <= checkpoint.read {
                // Committed by an earlier run: counted already, not written again.
                continue;
            }
            let mut next = counters;
            next.read += batch.read;
            next.failed += distinct_rows(&batch.errors);
            let outcome = writer
                .write(
                    batch.rows,
                    Box::new(move |o: &Outcome| {
                        let mut after = next;
                        after.failed += distinct_rows(&o.errors);
                        after.created += o.created;
                        after.updated += o.updated;
                        after.skipped += o.skipped;
                        progress_statement(tenant_id, import_id, after)
                    }),
                )
                .await?;
            report.write(&outcome.errors).await?;
            next.failed += distinct_rows(&outcome.errors);
            next.created += outcome.created;
            next.updated += outcome.updated;
            next.skipped += outcome.skipped;
            counters = next;
            if last_reported.elapsed() >= PROGRESS_EVERY {
                ctx.set_progress(counters.as_json()).await?;
                last_reported = std::time::Instant::now();
            }
            if ctx.shutdown.is_cancelled() {
                // The worker is stopping: the committed batches are kept, the next run resumes.
                anyhow::bail!("the worker shut down; the import resumes on the next run");
            }
        }
        anyhow::Ok(())
    }
    .await;
    drop(rx);
    let _ = parser.await;
    if let Some(writer) = writer {
        writer.close().await;
    }
    // The report of the rows handled so far is kept, even when the import failed.
    let finished = report.finish().await;
    let report_key = finished.is_ok().then(|| report_key.to_string());
    ctx.set_progress(counters.as_json()).await?;
    let result = result.and(finished);
    if result.as_ref().is_err_and(|e| e.downcast_ref::<FileFailure>().is_none()) {
        // Not the file's fault (the database, the file store): the job is retried and resumes
        // from the last checkpoint; the cause is never shown as `failure_reason`.
        return result;
    }
    match result {
        Ok(()) => finish(db, tenant_id, import_id, "completed", None, report_key).await,
        Err(err) => {
            tracing::warn!(error = ?err, import_id = %import_id, "import failed");
            finish(db, tenant_id, import_id, "failed", Some(err.to_string()), report_key).await
        }
    }
}

fn distinct_rows(errors: &[RowError]) -> u64 {
    let mut n = 0;
    let mut last = None;
    for e in errors {
        if last != Some(e.row) {
            n += 1;
            last = Some(e.row);
        }
    }
    n
}

/// Records the counters on the import (run inside each batch's transaction: the checkpoint).
fn progress_statement(tenant_id: Uuid, import_id: Uuid, c: Counters) -> UpdateStatement {
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Query::update()
        .table(import::Entity)
        .value(import::Column::RowsRead, as_i64(c.read))
        .value(import::Column::RowsCreated, as_i64(c.created))
        .value(import::Column::RowsUpdated, as_i64(c.updated))
        .value(import::Column::RowsSkipped, as_i64(c.skipped))
        .value(import::Column::RowsFailed, as_i64(c.failed))
        .value(import::Column::UpdatedAt, Utc::now())
        .and_where(import::Column::Id.eq(import_id))
        .and_where(import::Column::TenantId.eq(tenant_id))
        .to_owned()
}

async fn finish(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    import_id: Uuid,
    status: &str,
    reason: Option<String>,
    report_key: Option<String>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut stmt = Query::update()
        .table(import::Entity)
        .value(import::Column::Status, status)
        .value(import::Column::FailureReason, reason)
        .value(import::Column::FinishedAt, now)
        .value(import::Column::UpdatedAt, now)
        .and_where(import::Column::Id.eq(import_id))
        .and_where(import::Column::TenantId.eq(tenant_id))
        .and_where(import::Column::Status.is_in(["queued", "running"]))
        .to_owned();
    if let Some(key) = report_key {
        stmt.value(import::Column::ErrorReportKey, key);
    }
    // The outcome and its event commit together; an import already finished gets neither again.
    let txn = db.begin().await?;
    if txn.execute(&stmt).await?.rows_affected() == 1
        && let Some(model) =
            import::Entity::find_in(tenant_id).filter(import::Column::Id.eq(import_id)).one(&txn).await?
    {
        let data = (&model).into();
        let event = if status == "completed" { Event::import_completed(&data) } else { Event::import_failed(&data) };
        events::append(&txn, TenantId::from_uuid(tenant_id), event).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    txn.commit().await?;
    Ok(())
}

/// The stored file as a blocking `Read` for the parser thread: chunks of the object-store stream
/// are awaited on the runtime (`Handle::block_on`, legal on a `spawn_blocking` thread).
struct BlockingReader {
    handle: tokio::runtime::Handle,
    stream: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>,
    chunk: Bytes,
}

impl BlockingReader {
    fn new(stream: futures_util::stream::BoxStream<'static, object_store::Result<Bytes>>) -> Self {
        Self { handle: tokio::runtime::Handle::current(), stream, chunk: Bytes::new() }
    }
}

impl Read for BlockingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.handle.block_on(self.stream.try_next()) {
                Ok(Some(chunk)) => self.chunk = chunk,
                Ok(None) => return Ok(0),
                Err(e) => return Err(io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk = self.chunk.slice(n..);
        Ok(n)
    }
}

/// A reader that fails once a record grows past `MAX_RECORD_BYTES` (an unterminated quote
/// would otherwise make the CSV parser buffer the rest of the file).
struct Bounded<R> {
    inner: R,
    read: u64,
    limit: Rc<Cell<u64>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read > self.limit.get() {
            return Err(io::Error::other(format!(
                "a row is longer than {} bytes (an unterminated quote?)",
                MAX_RECORD_BYTES
            )));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The blocking parser: header, then records in batches sent to the writer.
fn parse_file(
    input: impl Read,
    mapping: &serde_json::Value,
    match_on: MatchOn,
    region: Option<phonenumber::country::Id>,
    defs: &[field_definition::Model],
    columns_tx: tokio::sync::oneshot::Sender<Columns>,
    tx: &mpsc::Sender<Result<Batch, String>>,
) {
    let limit = Rc::new(Cell::new(MAX_RECORD_BYTES));
    let bounded = Bounded { inner: input, read: 0, limit: limit.clone() };
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(bounded);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_owned()).collect(),
        Err(e) => {
            let _ = tx.blocking_send(Err(format!("the header row could not be read: {e}")));
            return;
        }
    };
    let Some(columns) = mapping::from_stored(mapping, &headers) else {
        let _ = tx.blocking_send(Err("the stored mapping does not fit the file".into()));
        return;
    };
    let ctx = rows::Context { columns: &columns, match_on, region, defs };
    let _ = columns_tx.send(columns.clone());
    // Records are read here and normalised on two threads (phone parsing dominates), half a
    // batch each, so that parsing keeps up with the writer on a two-core machine.
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Vec<(u64, csv::StringRecord)>>(1);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Parsed>(1);
        let ctx = &ctx;
        scope.spawn(move || {
            for records in work_rx {
                if done_tx.send(parse_all(ctx, &records)).is_err() {
                    break;
                }
            }
        });
        let helper = Helper { work: work_tx, done: done_rx };
        let mut raw: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(BATCH_ROWS);
        let mut pending_errors: Vec<RowError> = Vec::new();
        let mut read: u64 = 0;
        // The line a record starts on: its row number in a spreadsheet (the header is row 1).
        let mut row: u64 = 1;
        loop {
            limit.set(reader.position().byte() + MAX_RECORD_BYTES + 64 * 1024);
            let mut record = csv::StringRecord::new();
            let more = match reader.read_record(&mut record) {
                Ok(more) => more,
                Err(e) => match e.kind() {
                    csv::ErrorKind::Utf8 { pos, .. } => {
                        row = pos.as_ref().map_or(row + 1, csv::Position::line);
                        read += 1;
                        pending_errors.push(RowError {
                            row,
                            column: String::new(),
                            code: "invalid_utf8",
                            reason: "is not valid UTF-8 text".into(),
                        });
                        continue;
                    }
                    _ => {
                        let _ = tx.blocking_send(Err(format!("reading the file failed after row {row}: {e}")));
                        return;
                    }
                },
            };
            if !more {
                break;
            }
            row = record.position().map_or(row + 1, csv::Position::line);
            if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) && columns.width > 1 {
                continue; // a blank line: not a row
            }
            read += 1;
            raw.push((row, record));
            if raw.len() >= BATCH_ROWS {
                let full = std::mem::replace(&mut raw, Vec::with_capacity(BATCH_ROWS));
                let batch = normalise(ctx, &helper, full, std::mem::take(&mut pending_errors), read);
                read = 0;
                let failed = batch.is_err();
                if tx.blocking_send(batch).is_err() || failed {
                    return;
                }
            }
        }
        if read > 0 {
            let _ = tx.blocking_send(normalise(ctx, &helper, raw, pending_errors, read));
        }
    });
}

type Parsed = (Vec<Row>, Vec<RowError>);

/// The second parser thread of an import: takes half of each batch.
struct Helper {
    work: std::sync::mpsc::SyncSender<Vec<(u64, csv::StringRecord)>>,
    done: std::sync::mpsc::Receiver<Parsed>,
}

fn parse_all(ctx: &rows::Context<'_>, records: &[(u64, csv::StringRecord)]) -> Parsed {
    let mut parsed = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for (row, record) in records {
        match rows::parse(ctx, *row, record) {
            Ok(p) => parsed.push(p),
            Err(e) => errors.extend(e),
        }
    }
    (parsed, errors)
}

/// Parses a batch on two threads (the second half on the helper thread), keeping file order.
fn normalise(
    ctx: &rows::Context<'_>,
    helper: &Helper,
    mut raw: Vec<(u64, csv::StringRecord)>,
    mut errors: Vec<RowError>,
    read: u64,
) -> Result<Batch, String> {
    let lost = || "the second parser thread stopped unexpectedly".to_owned();
    let second = raw.split_off(raw.len() / 2);
    helper.work.send(second).map_err(|_| lost())?;
    let (mut rows, first_errors) = parse_all(ctx, &raw);
    drop(raw);
    let (second_rows, second_errors) = helper.done.recv().map_err(|_| lost())?;
    rows.extend(second_rows);
    errors.extend(first_errors);
    errors.extend(second_errors);
    Ok(Batch { rows, errors, read })
}
