//! Outbound webhook delivery (issue 6): what is sent and what happened when it was sent.
//!
//! - `webhook_endpoints.failing_since`: when the endpoint's current run of failed deliveries
//!   began (null after a success); past `webhook_disable_after_secs` the endpoint is disabled.
//! - `webhook_messages`: one row per event that had at least one subscribed endpoint (and per
//!   test message), holding the exact JSON body that is POSTed (text, so the signed bytes never
//!   change). `endpoint_id` is set only for a test message: the one endpoint it is for.
//! - `webhook_attempts`: one row per delivery attempt (status code, latency, response excerpt,
//!   a safe error text).
//!
//! Indexes start with `tenant_id`: messages by id and by type; attempts of a message, of an
//! endpoint, and of an endpoint by status. Attempts have no foreign key to messages: a cascade
//! would need an index on `message_id` alone, and the retention sweep deletes both tables by
//! id range (UUIDv7) instead.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

fn index(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(t(table));
    for c in columns {
        stmt.col(t(c));
    }
    stmt.to_owned()
}

fn tenant_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_tenant"))
        .from(t(table), t("tenant_id"))
        .to(t("tenants"), t("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(t("webhook_endpoints"))
                    .add_column(ColumnDef::new(t("failing_since")).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(t("webhook_messages"))
                    .col(ColumnDef::new(t("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(t("tenant_id")).uuid().not_null())
                    .col(ColumnDef::new(t("event_id")).uuid().null())
                    .col(ColumnDef::new(t("event_type")).string_len(64).not_null())
                    .col(ColumnDef::new(t("endpoint_id")).uuid().null())
                    .col(ColumnDef::new(t("payload")).text().not_null())
                    .col(ColumnDef::new(t("created_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut tenant_fk("webhook_messages"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idx_webhook_messages_tenant", "webhook_messages", &["tenant_id", "id"])).await?;
        manager
            .create_index(index(
                "idx_webhook_messages_tenant_type",
                "webhook_messages",
                &["tenant_id", "event_type", "id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(t("webhook_attempts"))
                    .col(ColumnDef::new(t("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(t("tenant_id")).uuid().not_null())
                    .col(ColumnDef::new(t("message_id")).uuid().not_null())
                    .col(ColumnDef::new(t("endpoint_id")).uuid().not_null())
                    .col(ColumnDef::new(t("attempt")).integer().not_null())
                    // `scheduled` (fan-out and its retries) or `manual` (replay, test).
                    .col(ColumnDef::new(t("trigger")).string_len(16).not_null())
                    .col(ColumnDef::new(t("url")).string_len(2048).not_null())
                    // `succeeded` or `failed`.
                    .col(ColumnDef::new(t("status")).string_len(16).not_null())
                    .col(ColumnDef::new(t("response_status_code")).integer().null())
                    .col(ColumnDef::new(t("response_excerpt")).text().null())
                    .col(ColumnDef::new(t("error")).string_len(200).null())
                    .col(ColumnDef::new(t("latency_ms")).integer().not_null())
                    .col(ColumnDef::new(t("created_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(&mut tenant_fk("webhook_attempts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("idx_webhook_attempts_message", "webhook_attempts", &["tenant_id", "message_id", "id"]))
            .await?;
        manager
            .create_index(index(
                "idx_webhook_attempts_endpoint",
                "webhook_attempts",
                &["tenant_id", "endpoint_id", "id"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_webhook_attempts_endpoint_status",
                "webhook_attempts",
                &["tenant_id", "endpoint_id", "status", "id"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(t("webhook_attempts")).to_owned()).await?;
        manager.drop_table(Table::drop().table(t("webhook_messages")).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(t("webhook_endpoints")).drop_column(t("failing_since")).to_owned())
            .await
    }
}
