//! Database connections. SQLite (the embedded default) is opened with WAL, foreign keys, a busy
//! timeout and `synchronous=NORMAL`, its directory created if missing; PostgreSQL through a
//! plain pool. Both run the same migrations.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use sea_orm::sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode, SqlxPostgresConnector,
    SqlxSqliteConnector, TransactionOptions, TransactionTrait,
};

use crate::config::Settings;

/// Opens the configured database.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url.as_str();
    if settings.is_sqlite() {
        let options = SqliteConnectOptions::from_str(url)
            .context("key `database_url`: not a valid sqlite: URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database directory {}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.database_max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the SQLite database at {url}"))?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else {
        // No parallel query for API connections: every statement here is an index range of one
        // tenant with a small limit, and on a small machine a Gather node's worker start-up
        // (5–15 ms) cost more than the whole query; with it on, PostgreSQL picked parallel plans
        // for tag filters that ran 50× slower (`docs/PERFORMANCE.md`, issue 5).
        let options = PgConnectOptions::from_str(url)
            .context("key `database_url`: not a valid postgres:// URL")?
            .options([("max_parallel_workers_per_gather", "0")]);
        let pool = PgPoolOptions::new()
            .max_connections(settings.database_max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("cannot connect to PostgreSQL (check `database_url`)")?;
        Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
    }
}

/// On Postgres, a small pool for the job engine's own statements (claims, outcomes, lease
/// renewals) with `synchronous_commit = off`: their commits do not wait for the WAL flush. That
/// cannot break the engine's guarantees: a commit lost in a database crash only puts a job back
/// to an earlier state (pending, or running under a lease that will run out), so it runs again —
/// the at-least-once contract handlers are written for — and a handler's own (synchronous) commit
/// flushes the WAL up to it, claim included. Enqueueing is not affected: it runs in the caller's
/// transaction. On SQLite, `None` (the shared pool is used).
pub async fn connect_for_jobs(settings: &Settings) -> anyhow::Result<Option<DatabaseConnection>> {
    if settings.is_sqlite() {
        return Ok(None);
    }
    let options = PgConnectOptions::from_str(&settings.database_url)
        .context("key `database_url`: not a valid postgres:// URL")?
        .options([("synchronous_commit", "off")]);
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("cannot connect to PostgreSQL (check `database_url`)")?;
    Ok(Some(SqlxPostgresConnector::from_sqlx_postgres_pool(pool)))
}

/// The pool's (size, idle) counts, for metrics.
pub fn pool_stats(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}

/// Begins a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`: it takes the
/// write lock up front (waiting up to the busy timeout) instead of failing with `SQLITE_BUSY`
/// when a read transaction later tries to upgrade while another connection writes. Every
/// read-then-write transaction must start here. PostgreSQL ignores the option.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A `LIKE … ESCAPE '\'` pattern matching values that start with `prefix` taken literally
/// (`%`, `_` and `\` in it are escaped).
pub fn like_prefix(prefix: &str) -> sea_orm::sea_query::LikeExpr {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')
}
