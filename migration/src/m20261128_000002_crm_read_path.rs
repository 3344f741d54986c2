//! The contact list's read path (issue 5 performance):
//!
//! - `tenant_generations`: a counter per tenant that every write bumps, so that cached contact
//!   lists can be checked for freshness with one primary-key read (`platform/generation.rs`);
//! - PostgreSQL extended statistics on the CRM link tables (nothing on SQLite).
//!
//! A tag (or a static segment) belongs to one tenant, so `tag_id` determines `tenant_id`. Without
//! telling the planner, it multiplies the two selectivities as if they were independent and
//! estimates `tenant_id = $1 AND tag_id = $2` at ~1/100 of the real row count; for `tags[any]:`
//! filters it then sorted every tagged contact of the tenant instead of walking an index in
//! page order (90 ms instead of 0.3 ms per page, `docs/PERFORMANCE.md`, issue 5).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATISTICS: [(&str, &str, &str); 2] = [
    ("stx_contact_tags_tenant_tag", "contact_tags", "tenant_id, tag_id"),
    ("stx_segment_members_tenant_segment", "segment_members", "tenant_id, segment_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("tenant_generations"))
                    .col(ColumnDef::new(Alias::new("tenant_id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Alias::new("generation")).big_integer().not_null().default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenant_generations_tenant")
                            .from(Alias::new("tenant_generations"), Alias::new("tenant_id"))
                            .to(Alias::new("tenants"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (name, table, columns) in STATISTICS {
            db.execute_unprepared(&format!(
                "CREATE STATISTICS {name} (dependencies, ndistinct) ON {columns} FROM {table}"
            ))
            .await?;
            db.execute_unprepared(&format!("ANALYZE {table}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("tenant_generations")).to_owned()).await?;
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (name, _, _) in STATISTICS {
            db.execute_unprepared(&format!("DROP STATISTICS IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
