//! CRM and catalog: contacts, companies, custom field definitions, tags, notes, segments,
//! import/export jobs and products, plus a tenant's default phone region.
//!
//! Every index on a tenant-owned table starts with `tenant_id` (see `docs/crm-indexes.md` for
//! the query each one serves). Case-insensitive uniqueness (contact email, company domain, tag
//! name, product SKU) is a unique index over a lower-cased `*_key` column that the service
//! fills, so it is enforced by the database on both backends, races included.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).uuid().not_null().to_owned()
}

fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).uuid().null().to_owned()
}

fn text(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(t(name)).string_len(len).not_null().to_owned()
}

fn text_null(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(t(name)).string_len(len).null().to_owned()
}

fn long_text_null(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).text().null().to_owned()
}

fn ts(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).timestamp_with_time_zone().not_null().to_owned()
}

fn ts_null(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).timestamp_with_time_zone().null().to_owned()
}

fn json(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).json_binary().not_null().to_owned()
}

fn big(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).big_integer().not_null().default(0).to_owned()
}

fn fk(table: &str, column: &str, to: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(t(table), t(column)).to(t(to), t("id")).on_delete(on_delete).to_owned()
}

fn fk_tenant(table: &str) -> ForeignKeyCreateStatement {
    fk(table, "tenant_id", "tenants", ForeignKeyAction::Cascade)
}

async fn create(
    manager: &SchemaManager<'_>,
    table: &str,
    cols: Vec<ColumnDef>,
    fks: Vec<ForeignKeyCreateStatement>,
) -> Result<(), DbErr> {
    let mut stmt = Table::create().table(t(table)).to_owned();
    for mut col in cols {
        stmt.col(&mut col);
    }
    for mut fk in fks {
        stmt.foreign_key(&mut fk);
    }
    manager.create_table(stmt).await
}

async fn index(manager: &SchemaManager<'_>, name: &str, table: &str, cols: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(t(table)).to_owned();
    for col in cols {
        stmt.col(t(col));
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}

const TABLES: [&str; 11] = [
    "exports",
    "imports",
    "segment_members",
    "segments",
    "notes",
    "contact_tags",
    "tags",
    "contacts",
    "companies",
    "field_definitions",
    "products",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // ISO 3166-1 alpha-2 region used to read phone numbers written without a `+` prefix.
        manager
            .alter_table(Table::alter().table(t("tenants")).add_column(text_null("default_phone_region", 2)).to_owned())
            .await?;

        // Custom field definitions: `object` is `contact`, `company` or `product`.
        create(
            manager,
            "field_definitions",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("object", 16),
                text("key", 64),
                text("label", 200),
                text("field_type", 16),
                ColumnDef::new(t("options")).json_binary().null().to_owned(),
                ColumnDef::new(t("required")).boolean().not_null().default(false).to_owned(),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("field_definitions")],
        )
        .await?;
        index(manager, "uq_field_definitions_key", "field_definitions", &["tenant_id", "object", "key"], true).await?;

        create(
            manager,
            "companies",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("name", 200),
                text_null("domain", 253),
                json("custom_fields"),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("companies")],
        )
        .await?;
        index(manager, "idx_companies_tenant", "companies", &["tenant_id", "id"], false).await?;
        index(manager, "uq_companies_domain", "companies", &["tenant_id", "domain"], true).await?;

        create(
            manager,
            "contacts",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text_null("first_name", 100),
                text_null("last_name", 100),
                // Lower-cased copies for prefix search and sorting.
                text_null("first_name_key", 100),
                text_null("last_name_key", 100),
                text_null("email", 254),
                text_null("email_key", 254),
                text_null("phone", 16),
                text_null("timezone", 64),
                text_null("locale", 35),
                uuid_null("company_id"),
                json("custom_fields"),
                text("sms_consent", 16),
                text_null("sms_consent_source", 64),
                ts_null("sms_consent_at"),
                text("email_consent", 16),
                text_null("email_consent_source", 64),
                ts_null("email_consent_at"),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("contacts"), fk("contacts", "company_id", "companies", ForeignKeyAction::SetNull)],
        )
        .await?;
        index(manager, "idx_contacts_tenant", "contacts", &["tenant_id", "id"], false).await?;
        index(manager, "uq_contacts_email", "contacts", &["tenant_id", "email_key"], true).await?;
        index(manager, "uq_contacts_phone", "contacts", &["tenant_id", "phone"], true).await?;
        index(manager, "idx_contacts_created", "contacts", &["tenant_id", "created_at", "id"], false).await?;
        index(manager, "idx_contacts_updated", "contacts", &["tenant_id", "updated_at", "id"], false).await?;
        index(manager, "idx_contacts_first_name", "contacts", &["tenant_id", "first_name_key", "id"], false).await?;
        index(manager, "idx_contacts_last_name", "contacts", &["tenant_id", "last_name_key", "id"], false).await?;
        index(manager, "idx_contacts_company", "contacts", &["tenant_id", "company_id"], false).await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            // Custom-field equality filters compile to `custom_fields @> {...}` on Postgres.
            // (Tenant is not a GIN key column: that needs the btree_gin extension; the planner
            // intersects this index with `idx_contacts_tenant` instead.)
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX idx_contacts_custom_fields ON contacts USING gin (custom_fields jsonb_path_ops)",
                )
                .await?;
        }

        create(
            manager,
            "tags",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("name", 100),
                text("name_key", 100),
                text_null("color", 7),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("tags")],
        )
        .await?;
        index(manager, "uq_tags_name", "tags", &["tenant_id", "name_key"], true).await?;
        index(manager, "idx_tags_tenant", "tags", &["tenant_id", "id"], false).await?;

        create(
            manager,
            "contact_tags",
            vec![uuid("tenant_id"), uuid("contact_id"), uuid("tag_id"), ts("created_at")],
            vec![
                fk("contact_tags", "contact_id", "contacts", ForeignKeyAction::Cascade),
                fk("contact_tags", "tag_id", "tags", ForeignKeyAction::Cascade),
            ],
        )
        .await?;
        index(manager, "uq_contact_tags", "contact_tags", &["tenant_id", "contact_id", "tag_id"], true).await?;
        index(manager, "idx_contact_tags_tag", "contact_tags", &["tenant_id", "tag_id", "contact_id"], false).await?;

        create(
            manager,
            "notes",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                uuid_null("contact_id"),
                uuid_null("company_id"),
                uuid_null("author_user_id"),
                uuid_null("author_api_key_id"),
                ColumnDef::new(t("body")).text().not_null().to_owned(),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![
                fk_tenant("notes"),
                fk("notes", "contact_id", "contacts", ForeignKeyAction::Cascade),
                fk("notes", "company_id", "companies", ForeignKeyAction::Cascade),
            ],
        )
        .await?;
        index(manager, "idx_notes_contact", "notes", &["tenant_id", "contact_id", "id"], false).await?;
        index(manager, "idx_notes_company", "notes", &["tenant_id", "company_id", "id"], false).await?;

        // `kind` is `dynamic` (a saved filter) or `static` (explicit members).
        create(
            manager,
            "segments",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("name", 200),
                text("kind", 16),
                long_text_null("filter"),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("segments")],
        )
        .await?;
        index(manager, "idx_segments_tenant", "segments", &["tenant_id", "id"], false).await?;

        create(
            manager,
            "segment_members",
            vec![uuid("tenant_id"), uuid("segment_id"), uuid("contact_id"), ts("created_at")],
            vec![
                fk("segment_members", "segment_id", "segments", ForeignKeyAction::Cascade),
                fk("segment_members", "contact_id", "contacts", ForeignKeyAction::Cascade),
            ],
        )
        .await?;
        index(manager, "uq_segment_members", "segment_members", &["tenant_id", "segment_id", "contact_id"], true)
            .await?;
        index(manager, "idx_segment_members_contact", "segment_members", &["tenant_id", "contact_id"], false).await?;

        // Import jobs. `status`: queued, running, completed, failed.
        create(
            manager,
            "imports",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("status", 16),
                text("filename", 255),
                text("file_key", 255),
                big("file_size"),
                json("mapping"),
                text("match_on", 16),
                text("on_match", 16),
                big("rows_read"),
                big("rows_created"),
                big("rows_updated"),
                big("rows_skipped"),
                big("rows_failed"),
                text_null("error_report_key", 255),
                long_text_null("failure_reason"),
                uuid_null("created_by"),
                ts("created_at"),
                ts_null("started_at"),
                ts_null("finished_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("imports")],
        )
        .await?;
        index(manager, "idx_imports_tenant", "imports", &["tenant_id", "id"], false).await?;
        index(manager, "idx_imports_status", "imports", &["status"], false).await?;

        // Export jobs. `format`: csv, xlsx.
        create(
            manager,
            "exports",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("status", 16),
                text("format", 8),
                long_text_null("filter"),
                uuid_null("segment_id"),
                big("rows_written"),
                text_null("file_key", 255),
                long_text_null("failure_reason"),
                uuid_null("created_by"),
                ts("created_at"),
                ts_null("started_at"),
                ts_null("finished_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("exports")],
        )
        .await?;
        index(manager, "idx_exports_tenant", "exports", &["tenant_id", "id"], false).await?;
        index(manager, "idx_exports_status", "exports", &["status"], false).await?;

        create(
            manager,
            "products",
            vec![
                uuid("id").primary_key().to_owned(),
                uuid("tenant_id"),
                text("name", 200),
                text("sku", 64),
                text("sku_key", 64),
                ColumnDef::new(t("price_minor")).big_integer().not_null().to_owned(),
                text("currency", 3),
                long_text_null("description"),
                ColumnDef::new(t("active")).boolean().not_null().default(true).to_owned(),
                json("custom_fields"),
                ts("created_at"),
                ts("updated_at"),
            ],
            vec![fk_tenant("products")],
        )
        .await?;
        index(manager, "idx_products_tenant", "products", &["tenant_id", "id"], false).await?;
        index(manager, "uq_products_sku", "products", &["tenant_id", "sku_key"], true).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager.drop_table(Table::drop().table(t(table)).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(t("tenants")).drop_column(t("default_phone_region")).to_owned()).await
    }
}
