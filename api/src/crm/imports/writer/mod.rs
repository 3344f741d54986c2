//! Writing the batches of one import. Each batch is one transaction: the existing contacts the
//! batch touches are read (by email key or phone), rows are resolved in order in memory
//! ([`plan`]: a later duplicate updates or skips what an earlier row created), then contacts,
//! companies, tags and tag links are written, with the import's progress counters (the
//! checkpoint a re-run resumes from) and a bump of the tenant's data generation. An existing
//! `opted_out` consent is guarded in the SQL itself, so an import never re-subscribes anyone even
//! if the contact opted out while the batch was being prepared.
//!
//! Each backend has its writer: [`postgres`] sends a batch as a few set-based statements through
//! the shared pool, [`sqlite`] runs prepared statements on a connection of its own.

mod plan;
mod postgres;
mod sqlite;

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DbBackend, DbErr, sea_query::UpdateStatement};
use uuid::Uuid;

pub use self::plan::Rules;
use super::rows::{Row, RowError};

/// Bounds of the in-memory company and tag caches (cleared when full).
const MAX_CACHE: usize = 100_000;
/// How often a batch is retried after a unique or foreign-key race with another writer.
const RETRIES: usize = 3;

/// Counts of one written batch, and the rows it refused.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub errors: Vec<RowError>,
}

/// Builds the statement that records a batch's outcome on the import; it commits with the
/// batch, so a re-run after a crash knows exactly which batches are written.
pub type Progress = Box<dyn Fn(&Outcome) -> UpdateStatement + Send + Sync>;

/// The writer of one import, on the service's database.
pub enum Writer {
    Postgres(postgres::PgWriter),
    Sqlite(sqlite::SqliteWriter),
}

impl Writer {
    pub async fn open(db: &DatabaseConnection, rules: Rules) -> anyhow::Result<Self> {
        Ok(match db.get_database_backend() {
            DbBackend::Sqlite => Self::Sqlite(sqlite::SqliteWriter::open(db, rules).await?),
            _ => Self::Postgres(postgres::PgWriter::new(db, rules)),
        })
    }

    /// Writes `rows` (possibly none: the counters still move) in one transaction.
    pub async fn write(&mut self, rows: Vec<Row>, progress: Progress) -> Result<Outcome, DbErr> {
        match self {
            Self::Postgres(w) => w.write(&rows, &progress).await,
            Self::Sqlite(w) => w.write(rows, progress).await,
        }
    }

    /// Releases what the writer holds (SQLite: its connection, cache and checkpointer thread).
    pub async fn close(self) {
        if let Self::Sqlite(w) = self {
            w.close().await;
        }
    }
}

/// Rows an import creates by name when a batch names them and they are missing: companies (by
/// domain, named after it) and tags (by lower-cased name). Each writer keeps a cache of their ids.
#[derive(Clone, Copy)]
enum Named {
    Company,
    Tag,
}

impl Named {
    fn table(self) -> &'static str {
        match self {
            Self::Company => "companies",
            Self::Tag => "tags",
        }
    }

    /// The column the batch's key is matched on (unique per tenant).
    fn key(self) -> &'static str {
        match self {
            Self::Company => "domain",
            Self::Tag => "name_key",
        }
    }

    /// The inserted columns: id, tenant, name, key, then `extra_values()`, then the two times.
    fn insert_columns(self) -> String {
        let extra = match self {
            Self::Company => ", custom_fields",
            Self::Tag => "",
        };
        format!("id, tenant_id, name, {}{extra}, created_at, updated_at", self.key())
    }

    fn extra_values(self) -> &'static str {
        match self {
            Self::Company => ", '{}'",
            Self::Tag => "",
        }
    }
}

/// The (key, name) pairs whose ids `cache` lacks. A cache that would grow past [`MAX_CACHE`] is
/// emptied first, and then every pair is missing (the batch needs all of its ids).
fn uncached<'a>(
    cache: &mut HashMap<String, Uuid>,
    pairs: impl Iterator<Item = (&'a String, &'a String)> + Clone,
) -> Vec<(&'a String, &'a String)> {
    let missing: Vec<_> = pairs.clone().filter(|(key, _)| !cache.contains_key(*key)).collect();
    if cache.len() + missing.len() <= MAX_CACHE {
        return missing;
    }
    cache.clear();
    pairs.collect()
}

/// The columns of a written contact, in bind order.
const CONTACT_COLUMNS: [&str; 21] = [
    "id",
    "tenant_id",
    "first_name",
    "last_name",
    "first_name_key",
    "last_name_key",
    "email",
    "email_key",
    "phone",
    "timezone",
    "locale",
    "company_id",
    "custom_fields",
    "sms_consent",
    "sms_consent_source",
    "sms_consent_at",
    "email_consent",
    "email_consent_source",
    "email_consent_at",
    "created_at",
    "updated_at",
];

/// The `SET` list that writes a planned contact over a stored one: every column but `id`,
/// `tenant_id` and `created_at` takes `new_value(index in CONTACT_COLUMNS, column)`, except that
/// a stored `opted_out` (status, source and time) stays.
fn update_set(new_value: impl Fn(usize, &str) -> String, table: &str) -> String {
    let mut parts = Vec::new();
    for (i, col) in CONTACT_COLUMNS.iter().enumerate().skip(2) {
        if *col == "created_at" {
            continue;
        }
        let value = new_value(i, col);
        let guard = ["sms_consent", "email_consent"].into_iter().find(|status| col.starts_with(status));
        parts.push(match guard {
            Some(status) => {
                format!("{col} = CASE WHEN {table}.{status} = 'opted_out' THEN {table}.{col} ELSE {value} END")
            }
            None => format!("{col} = {value}"),
        });
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_is_emptied_and_then_every_pair_of_the_batch_is_missing() {
        let (a, b) = ("a".to_owned(), "b".to_owned());
        let mut cache: HashMap<String, Uuid> = HashMap::from([(a.clone(), Uuid::nil())]);
        let pairs = [(&a, &a), (&b, &b)];
        assert_eq!(uncached(&mut cache, pairs.iter().copied()), vec![(&b, &b)]);
        for i in 0..MAX_CACHE {
            cache.insert(i.to_string(), Uuid::nil());
        }
        cache.insert(a.clone(), Uuid::nil());
        // `a` was cached, but the cache is emptied: the batch needs both ids again.
        assert_eq!(uncached(&mut cache, pairs.iter().copied()), vec![(&a, &a), (&b, &b)]);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_set_list_keeps_a_stored_opt_out_and_the_creation_time() {
        let set = update_set(|_, col| format!("excluded.{col}"), "contacts");
        assert!(set.contains(
            "sms_consent_at = CASE WHEN contacts.sms_consent = 'opted_out' THEN contacts.sms_consent_at ELSE excluded.sms_consent_at END"
        ));
        assert!(set.contains("email = excluded.email"));
        assert!(!set.contains("created_at"));
        assert!(!set.contains("tenant_id"));
        let positional = update_set(|i, _| format!("?{}", i + 1), "contacts");
        assert!(positional.starts_with("first_name = ?3,"));
        assert!(positional.ends_with("updated_at = ?21"));
    }
}
