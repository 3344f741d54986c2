//! Schema migrations. SeaQuery DSL only, so that SQLite (the embedded default) and PostgreSQL
//! run the same migrations.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_platform_core;
mod m20261122_000002_access;
mod m20261128_000001_crm;
mod m20261128_000002_crm_read_path;
mod m20261128_000003_contact_prefix_collation;
mod m20261128_000004_jobs;
mod m20261128_000005_events;
mod m20261128_000006_webhook_endpoints;
mod m20261128_000007_webhook_delivery;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_platform_core::Migration),
            Box::new(m20261122_000002_access::Migration),
            Box::new(m20261128_000001_crm::Migration),
            Box::new(m20261128_000002_crm_read_path::Migration),
            Box::new(m20261128_000003_contact_prefix_collation::Migration),
            Box::new(m20261128_000004_jobs::Migration),
            Box::new(m20261128_000005_events::Migration),
            Box::new(m20261128_000006_webhook_endpoints::Migration),
            Box::new(m20261128_000007_webhook_delivery::Migration),
        ]
    }
}
