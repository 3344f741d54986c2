//! Outbound webhooks: `webhook_endpoints`, the URLs an organisation's events are delivered to.
//!
//! The signing secrets are stored sealed (AES-256-GCM under a server key, base64 text), never in
//! clear. A rotation keeps the previous secret, also sealed, until `previous_secret_expires_at`.
//! The only index starts with `tenant_id`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(t("webhook_endpoints"))
                    .col(ColumnDef::new(t("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(t("tenant_id")).uuid().not_null())
                    .col(ColumnDef::new(t("url")).string_len(2048).not_null())
                    .col(ColumnDef::new(t("description")).text().null())
                    // A JSON array of event type names; empty means every event type.
                    .col(ColumnDef::new(t("event_types")).json_binary().not_null())
                    .col(ColumnDef::new(t("enabled")).boolean().not_null().default(true))
                    // `manual`, `failing` or `gone` while disabled; null while enabled.
                    .col(ColumnDef::new(t("disabled_reason")).string_len(32).null())
                    .col(ColumnDef::new(t("rate_limit_per_second")).integer().null())
                    .col(ColumnDef::new(t("secret")).text().not_null())
                    .col(ColumnDef::new(t("previous_secret")).text().null())
                    .col(ColumnDef::new(t("previous_secret_expires_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(t("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(t("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(t("webhook_endpoints"), t("tenant_id"))
                            .to(t("tenants"), t("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_endpoints_tenant")
                    .table(t("webhook_endpoints"))
                    .col(t("tenant_id"))
                    .col(t("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(t("webhook_endpoints")).to_owned()).await
    }
}
