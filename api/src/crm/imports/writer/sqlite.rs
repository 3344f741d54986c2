//! The import writer on SQLite: a connection of its own (rusqlite, on the same database file)
//! with prepared statements, driven from a blocking thread, one `BEGIN IMMEDIATE` transaction
//! per batch.
//!
//! Why not the shared pool: through sqlx every statement is a message to the connection's worker
//! thread and every bound value a clone, so the SQLite thread sat idle a third of the time while
//! the async side built statements, and the pool's page caches went cold whenever another
//! connection wrote. Here each contact is one execution of a cached statement on a warm page
//! cache, and nothing is built per row but the bound values. Values are written exactly as sqlx
//! writes them (UUIDs as 16-byte blobs, times as RFC 3339 text, JSON as text), so the service
//! reads what the import wrote.
//!
//! Checkpoints: the connection never checkpoints while it writes a batch below
//! [`CHECKPOINT_BACKSTOP_PAGES`]; a [`Checkpointer`] thread with a connection of its own copies the
//! WAL back into the database in the background (`PASSIVE`: it never blocks the writer), so the
//! copy and its `fsync` run beside the import instead of inside its commits.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::Duration,
};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use entities::contact;
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params_from_iter, types::Value as SqlValue};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, sea_query::Value};
use uuid::Uuid;

use super::{
    CONTACT_COLUMNS, Named, Outcome, Progress, RETRIES,
    plan::{self, Planned, Rules},
    uncached,
};
use crate::crm::imports::rows::Row;

/// The page cache of the import's connection, KiB (SQLite's default is 2,000 KiB): the upper
/// levels and hot leaves of the contact indexes. Each contact lands on random leaves of the email
/// and phone indexes, so the cache decides how many of them are re-read: at 1M rows (release
/// build, 3–4 runs each) 16 MiB imported 21.0–25.3k rows/s at 132–140 MB peak RSS, 24 MiB
/// 24.4–25.3k at 142–149 MB, 32 MiB 26.7–28.1k at 150–158 MB (over the 150 MB budget).
pub const SQLITE_CACHE_KIB: i64 = 24 * 1024;

/// The WAL size, in pages, at which the writer checkpoints by itself, should the background
/// checkpointer fall behind (SQLite's default is 1,000).
pub const CHECKPOINT_BACKSTOP_PAGES: u32 = 50_000;

/// How often the background checkpointer copies the WAL back.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// How long a statement waits for another connection's write lock (the pool's is the same).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Writes the batches of one import, on a thread of its own that owns the connection (so its
/// page cache and statements live in one thread's memory, and go with it).
pub struct SqliteWriter {
    jobs: Option<std::sync::mpsc::SyncSender<Job>>,
    thread: Option<JoinHandle<()>>,
    checkpointer: Checkpointer,
}

struct Job {
    rows: Vec<Row>,
    progress: Progress,
    reply: tokio::sync::oneshot::Sender<Result<Outcome, DbErr>>,
}

struct State {
    conn: Connection,
    rules: Rules,
    companies: HashMap<String, Uuid>,
    tags: HashMap<String, Uuid>,
}

impl SqliteWriter {
    pub async fn open(db: &DatabaseConnection, rules: Rules) -> anyhow::Result<Self> {
        let target = Target::of(db);
        let for_checkpoints = target.clone();
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(1);
        let (opened_tx, opened) = tokio::sync::oneshot::channel::<rusqlite::Result<()>>();
        let thread = std::thread::Builder::new().name("import-writer".into()).spawn(move || {
            let conn = match target.open(true) {
                Ok(conn) => {
                    let _ = opened_tx.send(Ok(()));
                    conn
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
            };
            let mut state = State { conn, rules, companies: HashMap::new(), tags: HashMap::new() };
            while let Ok(job) = queue.recv() {
                let _ = job.reply.send(state.write(&job.rows, &job.progress));
            }
        })?;
        let mut writer = Self { jobs: Some(jobs), thread: Some(thread), checkpointer: Checkpointer::idle() };
        match opened.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                writer.close_ref().await;
                return Err(e.into());
            }
            Err(_) => {
                writer.close_ref().await;
                anyhow::bail!("the import writer thread stopped while opening the database");
            }
        }
        writer.checkpointer = Checkpointer::start(for_checkpoints)?;
        Ok(writer)
    }

    /// Writes `rows` in one transaction with the progress statement and a bump of the tenant's
    /// data generation; retried when a company or tag the writer remembered was deleted meanwhile.
    pub async fn write(&mut self, rows: Vec<Row>, progress: Progress) -> Result<Outcome, DbErr> {
        let stopped = || DbErr::Custom("the import writer thread stopped".into());
        let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        // Never blocks: one job at a time, and the last one was answered.
        jobs.send(Job { rows, progress, reply }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    pub async fn close(mut self) {
        self.close_ref().await;
    }

    async fn close_ref(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        self.checkpointer.stop().await;
    }
}

impl State {
    fn write(&mut self, rows: &[Row], progress: &Progress) -> Result<Outcome, DbErr> {
        let mut attempt = 0;
        loop {
            match self.write_once(rows, progress) {
                Ok(outcome) => return Ok(outcome),
                Err(err) => {
                    let constraint = matches!(
                        &err,
                        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation
                    );
                    attempt += 1;
                    if !constraint || attempt > RETRIES {
                        return Err(db_err(err));
                    }
                    self.companies.clear();
                    self.tags.clear();
                }
            }
        }
    }

    fn write_once(&mut self, rows: &[Row], progress: &Progress) -> rusqlite::Result<Outcome> {
        let Self { conn, rules, companies, tags } = self;
        let tenant_id = rules.tenant_id;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = Utc::now();
        let (domains, emails, phones) = plan::keys(rows);
        resolve(&tx, companies, tenant_id, Named::Company, domains.iter().map(|d| (d, d)), now)?;
        let existing = existing(&tx, tenant_id, &emails, &phones)?;
        let plan = rules.plan(rows, existing, companies, now);
        resolve(&tx, tags, tenant_id, Named::Tag, plan.tag_names.iter(), now)?;
        write_contacts(&tx, &plan.contacts)?;
        insert_links(&tx, tenant_id, &plan.tag_links(tags), now)?;
        execute_built(&tx, &DbBackend::Sqlite.build(&progress(&plan.outcome)))?;
        execute_built(&tx, &crate::platform::generation::bump_statement(tenant_id, DbBackend::Sqlite))?;
        tx.commit()?;
        Ok(plan.outcome)
    }
}

/// The database file (or shared in-memory database) the service's pool is connected to.
#[derive(Clone)]
struct Target {
    path: PathBuf,
    in_memory: bool,
}

impl Target {
    fn of(db: &DatabaseConnection) -> Self {
        let options = db.get_sqlite_connection_pool().connect_options();
        let path = options.get_filename().to_path_buf();
        // sqlx names a shared in-memory database `file:sqlx-in-memory-N`.
        let in_memory = path.to_string_lossy().starts_with("file:");
        Self { path, in_memory }
    }

    fn open(&self, writer: bool) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if self.in_memory {
            let uri = format!("{}?mode=memory&cache=shared", self.path.to_string_lossy());
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_SHARED_CACHE)?
        } else {
            Connection::open_with_flags(&self.path, flags)?
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        if writer {
            conn.pragma_update(None, "cache_size", -SQLITE_CACHE_KIB)?;
            conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_BACKSTOP_PAGES)?;
            conn.set_prepared_statement_cache_capacity(32);
        } else {
            // The checkpointer reads nothing through the cache.
            conn.pragma_update(None, "cache_size", 16)?;
        }
        Ok(conn)
    }
}

/// A thread that checkpoints the WAL every [`CHECKPOINT_EVERY`] while an import writes.
struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    fn idle() -> Self {
        Self { stop: Arc::new(AtomicBool::new(true)), thread: None }
    }

    fn start(target: Target) -> anyhow::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        if target.in_memory {
            return Ok(Self { stop, thread: None });
        }
        let flag = stop.clone();
        let thread = std::thread::Builder::new().name("import-checkpoint".into()).spawn(move || {
            let conn = match target.open(false) {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "import checkpointer could not open the database");
                    return;
                }
            };
            while !flag.load(Ordering::Relaxed) {
                std::thread::park_timeout(CHECKPOINT_EVERY);
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::debug!(error = %e, "import checkpoint skipped");
                }
            }
        })?;
        Ok(Self { stop, thread: Some(thread) })
    }

    async fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for Checkpointer {
    /// A writer dropped without `close` (a panic) still stops its checkpointer.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = &self.thread {
            thread.thread().unpark();
        }
    }
}

fn db_err(err: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("import write failed: {err}"))
}

/// Runs a statement built by sea-query for SQLite (progress counters, the generation bump).
fn execute_built(conn: &Connection, stmt: &sea_orm::Statement) -> rusqlite::Result<usize> {
    let values: Vec<SqlValue> = stmt.values.iter().flat_map(|v| v.0.iter()).map(to_sql).collect();
    conn.prepare_cached(&stmt.sql)?.execute(params_from_iter(values))
}

/// A sea-query value as SQLite stores it through sqlx.
fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Bool(v) => v.map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b))),
        Value::Int(v) => v.map_or(SqlValue::Null, |n| SqlValue::Integer(i64::from(n))),
        Value::BigInt(v) => v.map_or(SqlValue::Null, SqlValue::Integer),
        Value::String(v) => v.clone().map_or(SqlValue::Null, SqlValue::Text),
        Value::Uuid(v) => v.map_or(SqlValue::Null, |u| SqlValue::Blob(u.as_bytes().to_vec())),
        Value::ChronoDateTimeUtc(v) => v.map_or(SqlValue::Null, |t| SqlValue::Text(ts(t))),
        Value::Json(v) => v.as_ref().map_or(SqlValue::Null, |j| SqlValue::Text(j.to_string())),
        other => unreachable!("the import writer binds no {other:?}"),
    }
}

/// A time as sqlx writes it to SQLite.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn read_uuid(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let bytes: Vec<u8> = row.get(i)?;
    // sqlx writes 16 bytes; a UUID written as text by hand is read too.
    let text = || std::str::from_utf8(&bytes).ok().and_then(|s| Uuid::parse_str(s).ok());
    Uuid::from_slice(&bytes)
        .ok()
        .or_else(text)
        .ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, "not a UUID".into()))
}

fn read_uuid_opt(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    match row.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => read_uuid(row, i).map(Some),
    }
}

fn read_ts_opt(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let Some(text): Option<String> = row.get(i)? else { return Ok(None) };
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc()))
        .map(Some)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn read_ts(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    read_ts_opt(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(i, "time".into(), rusqlite::types::Type::Null))
}

/// A contact row selected as `CONTACT_COLUMNS`.
fn read_contact(row: &rusqlite::Row<'_>) -> rusqlite::Result<contact::Model> {
    let custom: String = row.get(12)?;
    Ok(contact::Model {
        id: read_uuid(row, 0)?,
        tenant_id: read_uuid(row, 1)?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        first_name_key: row.get(4)?,
        last_name_key: row.get(5)?,
        email: row.get(6)?,
        email_key: row.get(7)?,
        phone: row.get(8)?,
        timezone: row.get(9)?,
        locale: row.get(10)?,
        company_id: read_uuid_opt(row, 11)?,
        custom_fields: serde_json::from_str(&custom)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, Box::new(e)))?,
        sms_consent: row.get(13)?,
        sms_consent_source: row.get(14)?,
        sms_consent_at: read_ts_opt(row, 15)?,
        email_consent: row.get(16)?,
        email_consent_source: row.get(17)?,
        email_consent_at: read_ts_opt(row, 18)?,
        created_at: read_ts(row, 19)?,
        updated_at: read_ts(row, 20)?,
    })
}

/// The existing contacts holding one of `emails` (lower-cased) or `phones`: one statement per key
/// kind, the keys as one JSON array (SQLite probes the index once per key).
fn existing(
    conn: &Connection,
    tenant_id: Uuid,
    emails: &[String],
    phones: &[String],
) -> rusqlite::Result<Vec<contact::Model>> {
    let columns = CONTACT_COLUMNS.join(", ");
    let mut found: Vec<contact::Model> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (column, keys) in [("email_key", emails), ("phone", phones)] {
        if keys.is_empty() {
            continue;
        }
        let keys = serde_json::to_string(keys).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {columns} FROM contacts WHERE tenant_id = ?1 AND {column} IN (SELECT value FROM json_each(?2))"
        ))?;
        let mut rows = stmt.query(rusqlite::params![tenant_id.as_bytes(), keys])?;
        while let Some(row) = rows.next()? {
            let model = read_contact(row)?;
            if seen.insert(model.id) {
                found.push(model);
            }
        }
    }
    Ok(found)
}

/// Inserts the batch's new contacts and updates the existing ones it changed. An `opted_out`
/// consent stored meanwhile stays (the same guard as the PostgreSQL upsert).
fn write_contacts(conn: &Connection, contacts: &[Planned]) -> rusqlite::Result<()> {
    let placeholders = (1..=CONTACT_COLUMNS.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let mut insert =
        conn.prepare_cached(&format!("INSERT INTO contacts ({}) VALUES ({placeholders})", CONTACT_COLUMNS.join(", ")))?;
    let mut update = conn.prepare_cached(&format!(
        "UPDATE contacts SET {} WHERE id = ?1 AND tenant_id = ?2",
        super::update_set(|i, _| format!("?{}", i + 1), "contacts")
    ))?;
    // Most times in a batch are its `now`: formatted once.
    let mut formatted: Option<(DateTime<Utc>, String)> = None;
    let mut ts_of = |t: DateTime<Utc>| -> String {
        match &formatted {
            Some((at, text)) if *at == t => text.clone(),
            _ => {
                let text = ts(t);
                formatted = Some((t, text.clone()));
                text
            }
        }
    };
    for Planned { model: m, existed } in contacts {
        let custom = m.custom_fields.to_string();
        let params = rusqlite::params![
            m.id.as_bytes(),
            m.tenant_id.as_bytes(),
            m.first_name,
            m.last_name,
            m.first_name_key,
            m.last_name_key,
            m.email,
            m.email_key,
            m.phone,
            m.timezone,
            m.locale,
            m.company_id.as_ref().map(Uuid::as_bytes),
            custom,
            m.sms_consent,
            m.sms_consent_source,
            m.sms_consent_at.map(&mut ts_of),
            m.email_consent,
            m.email_consent_source,
            m.email_consent_at.map(&mut ts_of),
            ts_of(m.created_at),
            ts_of(m.updated_at),
        ];
        if *existed {
            update.execute(params)?;
        } else {
            insert.execute(params)?;
        }
    }
    Ok(())
}

fn insert_links(
    conn: &Connection,
    tenant_id: Uuid,
    links: &[(Uuid, Uuid)],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    if links.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO contact_tags (tenant_id, contact_id, tag_id, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (tenant_id, contact_id, tag_id) DO NOTHING",
    )?;
    let now = ts(now);
    for (contact_id, tag_id) in links {
        stmt.execute(rusqlite::params![tenant_id.as_bytes(), contact_id.as_bytes(), tag_id.as_bytes(), now])?;
    }
    Ok(())
}

/// Fills `cache` with the ids of the `(key, name)` pairs, creating the missing rows.
fn resolve<'a>(
    conn: &Connection,
    cache: &mut HashMap<String, Uuid>,
    tenant_id: Uuid,
    named: Named,
    pairs: impl Iterator<Item = (&'a String, &'a String)> + Clone,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let missing = uncached(cache, pairs);
    if missing.is_empty() {
        return Ok(());
    }
    let (table, key) = (named.table(), named.key());
    let mut find = conn.prepare_cached(&format!("SELECT id FROM {table} WHERE tenant_id = ?1 AND {key} = ?2"))?;
    let mut insert = conn.prepare_cached(&format!(
        "INSERT INTO {table} ({}) VALUES (?1, ?2, ?3, ?4{}, ?5, ?5)",
        named.insert_columns(),
        named.extra_values()
    ))?;
    let now = ts(now);
    for (key, name) in missing {
        let id = match find.query_row(rusqlite::params![tenant_id.as_bytes(), key], |r| read_uuid(r, 0)) {
            Ok(id) => id,
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                let id = Uuid::now_v7();
                insert.execute(rusqlite::params![id.as_bytes(), tenant_id.as_bytes(), name, key, now])?;
                id
            }
            Err(e) => return Err(e),
        };
        cache.insert(key.clone(), id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_sqlx_writes_them_and_read_back() {
        let t = DateTime::parse_from_rfc3339("2026-12-07T01:02:03.456789Z").map(|t| t.with_timezone(&Utc));
        let t = t.unwrap_or_else(|e| panic!("parse: {e}"));
        assert_eq!(ts(t), "2026-12-07T01:02:03.456789+00:00");
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("open: {e}"));
        let back = conn.query_row("SELECT ?1", [ts(t)], |r| read_ts(r, 0)).unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(back, t);
        let naive = conn
            .query_row("SELECT '2026-12-07 01:02:03.5'", [], |r| read_ts(r, 0))
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(ts(naive), "2026-12-07T01:02:03.500+00:00");
    }

    #[test]
    fn the_writer_connection_is_tuned_and_the_checkpointer_copies_the_wal_back() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("t.db");
        let setup = Connection::open(&path).unwrap_or_else(|e| panic!("open: {e}"));
        setup
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .unwrap_or_else(|e| panic!("setup: {e}"));
        let target = Target { path, in_memory: false };
        let writer = target.open(true).unwrap_or_else(|e| panic!("writer: {e}"));
        let pragma = |name: &str| -> i64 {
            writer.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        assert_eq!(pragma("cache_size"), -SQLITE_CACHE_KIB);
        assert_eq!(pragma("wal_autocheckpoint"), i64::from(CHECKPOINT_BACKSTOP_PAGES));
        assert_eq!(pragma("foreign_keys"), 1);

        let db_file = target.path.clone();
        let pages_in_file = || std::fs::metadata(&db_file).map(|m| m.len() / 4096).unwrap_or(0);
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap_or_else(|e| panic!("insert: {e}"));
        // Both pages (schema, table) are still only in the WAL: nothing has checkpointed.
        assert!(pages_in_file() < 2);
        let mut checkpointer = Checkpointer::start(target).unwrap_or_else(|e| panic!("checkpointer: {e}"));
        let backfilled = (0..40).any(|_| {
            std::thread::sleep(CHECKPOINT_EVERY / 2);
            pages_in_file() >= 2
        });
        assert!(backfilled);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap_or_else(|e| panic!("rt: {e}"));
        runtime.block_on(checkpointer.stop());
    }

    #[test]
    fn sea_query_values_bind_as_sqlx_binds_them() {
        let id = Uuid::now_v7();
        assert_eq!(to_sql(&Value::Uuid(Some(id))), SqlValue::Blob(id.as_bytes().to_vec()));
        assert_eq!(to_sql(&Value::BigInt(Some(7))), SqlValue::Integer(7));
        assert_eq!(to_sql(&Value::String(None)), SqlValue::Null);
        let json = serde_json::Value::Object(serde_json::Map::new());
        assert_eq!(to_sql(&Value::Json(Some(Box::new(json)))), SqlValue::Text("{}".into()));
    }
}
