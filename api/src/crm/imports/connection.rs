//! The database connection an import writes through. On SQLite it is a connection of its own,
//! opened for the import and closed after it, with a larger page cache:
//!
//! * SQLite drops a connection's page cache whenever another connection has written (WAL mode
//!   checks this at the start of every transaction). Batches written through the shared pool
//!   land on a different pooled connection each time, so every batch started cold and re-read
//!   the index pages it touches from the OS (`pread` and its copies were a large part of the
//!   ~30 % kernel time of the SQLite thread). One connection keeps them warm from batch to
//!   batch (progress counters go through it too).
//! * A pooled connection keeps its prepared statements (and their memory) for the life of the
//!   process, and each has its own worker thread (so its own malloc arena): spreading the large
//!   import statements over the pool left memory behind on every connection. Closing the
//!   import's connection returns all of it.
//!
//! PostgreSQL keeps the shared pool: its cache is shared by all connections.

use sea_orm::{DatabaseConnection, DbBackend, SqlxSqliteConnector, sqlx::sqlite::SqlitePoolOptions};

/// The page cache of the import's SQLite connection, KiB (SQLite's default is 2,000 KiB):
/// the upper levels and hot leaves of the contact indexes. Measured at 1M rows: 16 MiB and
/// 32 MiB import at the same rate (11,428 / 11,530 rows/s); at 250k rows 2 MiB was ~12 %
/// slower than 32 MiB. 16 MiB keeps the peak RSS further under the 150 MB budget.
pub const SQLITE_CACHE_KIB: i64 = 16 * 1024;

/// The WAL size, in pages, at which the import's connection copies the WAL back into the
/// database (SQLite's default is 1,000). A checkpoint after nearly every batch of 5,000 rows
/// (each dirties thousands of index pages) cost a quarter of the write time in `COMMIT`;
/// fewer, larger checkpoints write each hot page once for several batches. The WAL file may
/// grow to ~40 MB during an import.
pub const SQLITE_CHECKPOINT_PAGES: u32 = 10_000;

/// The connection of one import: `db` itself on PostgreSQL, a dedicated SQLite connection
/// otherwise. Call [`ImportConnection::close`] when the import ends.
pub struct ImportConnection {
    db: DatabaseConnection,
    dedicated: bool,
}

impl ImportConnection {
    pub async fn open(db: &DatabaseConnection) -> anyhow::Result<Self> {
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(Self { db: db.clone(), dedicated: false });
        }
        let options = (*db.get_sqlite_connection_pool().connect_options())
            .clone()
            .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
            .pragma("wal_autocheckpoint", SQLITE_CHECKPOINT_PAGES.to_string());
        let pool = SqlitePoolOptions::new().min_connections(0).max_connections(1).connect_with(options).await?;
        Ok(Self { db: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool), dedicated: true })
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes a dedicated connection (its page cache, statements and worker thread go with it).
    pub async fn close(self) {
        if self.dedicated {
            let _ = self.db.close().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

    use super::*;

    async fn pragma(db: &DatabaseConnection, name: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}")))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<i64>("", name).ok());
        row.unwrap_or_else(|| panic!("PRAGMA {name} returned nothing"))
    }

    #[tokio::test]
    async fn sqlite_imports_write_through_their_own_tuned_connection_to_the_same_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Database::connect(&url).await.unwrap_or_else(|e| panic!("connect: {e}"));
        db.execute_unprepared("CREATE TABLE t (x INTEGER)").await.unwrap_or_else(|e| panic!("create: {e}"));

        let conn = ImportConnection::open(&db).await.unwrap_or_else(|e| panic!("open: {e}"));
        assert_eq!(pragma(conn.db(), "cache_size").await, -SQLITE_CACHE_KIB);
        assert_eq!(pragma(conn.db(), "wal_autocheckpoint").await, i64::from(SQLITE_CHECKPOINT_PAGES));
        conn.db().execute_unprepared("INSERT INTO t VALUES (1)").await.unwrap_or_else(|e| panic!("insert: {e}"));
        conn.close().await;

        // The write is visible through the shared pool, whose connections keep their defaults.
        let n = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT count(*) AS n FROM t"))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<i64>("", "n").ok());
        assert_eq!(n, Some(1));
        assert_ne!(pragma(&db, "cache_size").await, -SQLITE_CACHE_KIB);
    }
}
