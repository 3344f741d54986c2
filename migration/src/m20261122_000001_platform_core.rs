//! Platform core: tenants, users, memberships, refresh tokens (sessions) and API keys.
//!
//! Every tenant-owned table has `tenant_id` and its indexes start with it. Two lookups cannot know
//! the tenant beforehand and get a global unique index on a credential hash instead: a presented
//! refresh token and a presented API key. `memberships` is the bridge between global users and
//! tenants, so it is also indexed by `user_id` (login must find a user's organisations).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    TenantId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    TenantId,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    UserAgent,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    TenantId,
    Name,
    Prefix,
    SecretHash,
    CreatedBy,
    LastUsedAt,
    RevokedAt,
    CreatedAt,
}

fn uuid_col(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).uuid().not_null().to_owned()
}

fn ts_col(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}

fn ts_null_col(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
}

fn fk_tenant(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn fk_user(table: impl IntoIden, column: impl IntoIden, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Users::Table, Users::Id).on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(uuid_col(Tenants::Id).primary_key())
                    .col(ColumnDef::new(Tenants::Name).string_len(200).not_null())
                    .col(ts_col(Tenants::CreatedAt))
                    .col(ts_col(Tenants::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid_col(Users::Id).primary_key())
                    .col(ColumnDef::new(Users::Email).string_len(254).not_null().unique_key())
                    .col(ColumnDef::new(Users::PasswordHash).string_len(255).not_null())
                    .col(ColumnDef::new(Users::Name).string_len(200).null())
                    .col(ts_col(Users::CreatedAt))
                    .col(ts_col(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(uuid_col(Memberships::TenantId))
                    .col(uuid_col(Memberships::UserId))
                    .col(ColumnDef::new(Memberships::Role).string_len(16).not_null())
                    .col(ts_col(Memberships::CreatedAt))
                    .primary_key(Index::create().col(Memberships::TenantId).col(Memberships::UserId))
                    .foreign_key(&mut fk_tenant(Memberships::Table, Memberships::TenantId))
                    .foreign_key(&mut fk_user(Memberships::Table, Memberships::UserId, ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_memberships_user")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .col(Memberships::TenantId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(uuid_col(RefreshTokens::Id).primary_key())
                    .col(uuid_col(RefreshTokens::TenantId))
                    .col(uuid_col(RefreshTokens::UserId))
                    .col(uuid_col(RefreshTokens::FamilyId))
                    .col(ColumnDef::new(RefreshTokens::TokenHash).string_len(64).not_null())
                    .col(ts_col(RefreshTokens::ExpiresAt))
                    .col(ts_null_col(RefreshTokens::UsedAt))
                    .col(ts_null_col(RefreshTokens::RevokedAt))
                    .col(ColumnDef::new(RefreshTokens::UserAgent).string_len(512).null())
                    .col(ColumnDef::new(RefreshTokens::Ip).string_len(64).null())
                    .col(ts_col(RefreshTokens::CreatedAt))
                    .foreign_key(&mut fk_tenant(RefreshTokens::Table, RefreshTokens::TenantId))
                    .foreign_key(&mut fk_user(RefreshTokens::Table, RefreshTokens::UserId, ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_refresh_tokens_token_hash")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::TenantId)
                    .col(RefreshTokens::FamilyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid_col(ApiKeys::Id).primary_key())
                    .col(uuid_col(ApiKeys::TenantId))
                    .col(ColumnDef::new(ApiKeys::Name).string_len(100).not_null())
                    .col(ColumnDef::new(ApiKeys::Prefix).string_len(16).not_null())
                    .col(ColumnDef::new(ApiKeys::SecretHash).string_len(64).not_null())
                    .col(ColumnDef::new(ApiKeys::CreatedBy).uuid().null())
                    .col(ts_null_col(ApiKeys::LastUsedAt))
                    .col(ts_null_col(ApiKeys::RevokedAt))
                    .col(ts_col(ApiKeys::CreatedAt))
                    .foreign_key(&mut fk_tenant(ApiKeys::Table, ApiKeys::TenantId))
                    .foreign_key(&mut fk_user(ApiKeys::Table, ApiKeys::CreatedBy, ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_api_keys_secret_hash")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::SecretHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_tenant_id")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::TenantId)
                    .col(ApiKeys::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiKeys::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
