//! On PostgreSQL, the `C` collation for the contact columns that `q=` searches by prefix
//! (`first_name_key`, `last_name_key`, `email_key`, `phone`), so that `LIKE 'ada%'` is a range of
//! their btree indexes whatever the database's collation (nothing on SQLite).
//!
//! Under any other collation (even `C.UTF-8` before PostgreSQL 17) PostgreSQL cannot use a btree
//! for `LIKE`, and a rare prefix read every contact of the tenant: 101 ms for 100,000 contacts,
//! 0.07 ms with this. The keys are lower-cased copies kept for matching and sorting; `C` orders
//! them by code point, as SQLite's `BINARY` already does, so both backends sort names the same
//! way. Changing a column's type drops its statistics, hence the `ANALYZE`.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The prefix-searched contact columns and their types.
const PREFIX_COLUMNS: [(&str, &str); 4] = [
    ("first_name_key", "varchar(100)"),
    ("last_name_key", "varchar(100)"),
    ("email_key", "varchar(254)"),
    ("phone", "varchar(16)"),
];

async fn set_collation(manager: &SchemaManager<'_>, collation: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for (column, sql_type) in PREFIX_COLUMNS {
        db.execute_unprepared(&format!(
            r#"ALTER TABLE contacts ALTER COLUMN {column} TYPE {sql_type} COLLATE "{collation}""#
        ))
        .await?;
    }
    db.execute_unprepared("ANALYZE contacts").await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_collation(manager, "C").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_collation(manager, "default").await
    }
}
