//! Access: agencies and suspension on tenants, verification/2FA/operator flags on users, scoped and
//! rotating API keys, invitations, email tokens, recovery codes, the audit log, the sandbox
//! mailbox and stored idempotent responses.
//!
//! SQLite cannot add several columns in one `ALTER TABLE`, so each column is its own statement.
//! Credential lookups (invitation/email tokens, recovery codes, idempotency scopes) are by a hash
//! with a unique index; every tenant-owned index starts with `tenant_id`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Kind,
    ParentId,
    SuspendedAt,
    SeatLimit,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    IsOperator,
    TotpSecret,
    TotpPendingSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Scopes,
    ExpiresAt,
    AllowedTenantIds,
    LastUsedIp,
    PreviousSecretHash,
    PreviousExpiresAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TenantId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    ActorType,
    ActorId,
    Action,
    TargetType,
    TargetId,
    Ip,
    UserAgent,
    RequestId,
    Metadata,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SandboxEmails {
    Table,
    Id,
    ToAddress,
    Subject,
    BodyText,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    ScopeHash,
    RequestMac,
    State,
    ResponseStatus,
    ResponseContentType,
    ResponseBody,
    LockedUntil,
    ExpiresAt,
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

fn fk_user(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

async fn add_column(manager: &SchemaManager<'_>, table: impl IntoIden, col: ColumnDef) -> Result<(), DbErr> {
    manager.alter_table(Table::alter().table(table).add_column(col).to_owned()).await
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Tenants: `standard`, `agency`, `client` (a child of an agency) or `platform` (operators).
        add_column(
            manager,
            Tenants::Table,
            ColumnDef::new(Tenants::Kind).string_len(16).not_null().default("standard").to_owned(),
        )
        .await?;
        add_column(manager, Tenants::Table, ColumnDef::new(Tenants::ParentId).uuid().null().to_owned()).await?;
        add_column(manager, Tenants::Table, ts_null_col(Tenants::SuspendedAt)).await?;
        add_column(manager, Tenants::Table, ColumnDef::new(Tenants::SeatLimit).integer().null().to_owned()).await?;
        index(manager, "idx_tenants_parent", Tenants::Table, &["parent_id", "id"], false).await?;

        add_column(manager, Users::Table, ts_null_col(Users::EmailVerifiedAt)).await?;
        add_column(
            manager,
            Users::Table,
            ColumnDef::new(Users::IsOperator).boolean().not_null().default(false).to_owned(),
        )
        .await?;
        add_column(manager, Users::Table, ColumnDef::new(Users::TotpSecret).string_len(255).null().to_owned()).await?;
        add_column(manager, Users::Table, ColumnDef::new(Users::TotpPendingSecret).string_len(255).null().to_owned())
            .await?;
        add_column(manager, Users::Table, ts_null_col(Users::TotpEnabledAt)).await?;
        add_column(manager, Users::Table, ColumnDef::new(Users::TotpLastStep).big_integer().null().to_owned()).await?;

        // Space-separated scope list; empty = the key's full role (`admin`) rights.
        add_column(
            manager,
            ApiKeys::Table,
            ColumnDef::new(ApiKeys::Scopes).string_len(2000).not_null().default("").to_owned(),
        )
        .await?;
        add_column(manager, ApiKeys::Table, ts_null_col(ApiKeys::ExpiresAt)).await?;
        // Space-separated client tenant UUIDs an agency key is restricted to; NULL = all clients.
        add_column(
            manager,
            ApiKeys::Table,
            ColumnDef::new(ApiKeys::AllowedTenantIds).string_len(4000).null().to_owned(),
        )
        .await?;
        add_column(manager, ApiKeys::Table, ColumnDef::new(ApiKeys::LastUsedIp).string_len(64).null().to_owned())
            .await?;
        add_column(
            manager,
            ApiKeys::Table,
            ColumnDef::new(ApiKeys::PreviousSecretHash).string_len(64).null().to_owned(),
        )
        .await?;
        add_column(manager, ApiKeys::Table, ts_null_col(ApiKeys::PreviousExpiresAt)).await?;
        index(manager, "idx_api_keys_previous_secret_hash", ApiKeys::Table, &["previous_secret_hash"], false).await?;

        index(manager, "idx_refresh_tokens_user", RefreshTokens::Table, &["user_id", "family_id"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(uuid_col(Invitations::Id).primary_key())
                    .col(uuid_col(Invitations::TenantId))
                    .col(ColumnDef::new(Invitations::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Invitations::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Invitations::TokenHash).string_len(64).not_null())
                    .col(ColumnDef::new(Invitations::InvitedBy).uuid().null())
                    .col(ts_col(Invitations::ExpiresAt))
                    .col(ts_null_col(Invitations::AcceptedAt))
                    .col(ts_null_col(Invitations::RevokedAt))
                    .col(ts_col(Invitations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "uq_invitations_token_hash", Invitations::Table, &["token_hash"], true).await?;
        index(manager, "idx_invitations_tenant", Invitations::Table, &["tenant_id", "id"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(uuid_col(EmailTokens::Id).primary_key())
                    .col(uuid_col(EmailTokens::UserId))
                    .col(ColumnDef::new(EmailTokens::Purpose).string_len(32).not_null())
                    .col(ColumnDef::new(EmailTokens::TokenHash).string_len(64).not_null())
                    .col(ts_col(EmailTokens::ExpiresAt))
                    .col(ts_null_col(EmailTokens::UsedAt))
                    .col(ts_col(EmailTokens::CreatedAt))
                    .foreign_key(&mut fk_user(EmailTokens::Table, EmailTokens::UserId))
                    .to_owned(),
            )
            .await?;
        index(manager, "uq_email_tokens_token_hash", EmailTokens::Table, &["token_hash"], true).await?;
        index(manager, "idx_email_tokens_user", EmailTokens::Table, &["user_id", "purpose"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(uuid_col(RecoveryCodes::Id).primary_key())
                    .col(uuid_col(RecoveryCodes::UserId))
                    .col(ColumnDef::new(RecoveryCodes::CodeHash).string_len(64).not_null())
                    .col(ts_null_col(RecoveryCodes::UsedAt))
                    .col(ts_col(RecoveryCodes::CreatedAt))
                    .foreign_key(&mut fk_user(RecoveryCodes::Table, RecoveryCodes::UserId))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_recovery_codes_user", RecoveryCodes::Table, &["user_id", "code_hash"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid_col(AuditEvents::Id).primary_key())
                    .col(ColumnDef::new(AuditEvents::TenantId).uuid().null())
                    .col(ColumnDef::new(AuditEvents::ActorType).string_len(16).not_null())
                    .col(ColumnDef::new(AuditEvents::ActorId).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::TargetType).string_len(32).null())
                    .col(ColumnDef::new(AuditEvents::TargetId).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::Ip).string_len(64).null())
                    .col(ColumnDef::new(AuditEvents::UserAgent).string_len(512).null())
                    .col(ColumnDef::new(AuditEvents::RequestId).string_len(128).null())
                    .col(ColumnDef::new(AuditEvents::Metadata).text().null())
                    .col(ts_col(AuditEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_audit_events_tenant", AuditEvents::Table, &["tenant_id", "id"], false).await?;
        index(manager, "idx_audit_events_tenant_action", AuditEvents::Table, &["tenant_id", "action", "id"], false)
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SandboxEmails::Table)
                    .col(uuid_col(SandboxEmails::Id).primary_key())
                    .col(ColumnDef::new(SandboxEmails::ToAddress).string_len(254).not_null())
                    .col(ColumnDef::new(SandboxEmails::Subject).string_len(255).not_null())
                    .col(ColumnDef::new(SandboxEmails::BodyText).text().not_null())
                    .col(ts_col(SandboxEmails::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_sandbox_emails_to", SandboxEmails::Table, &["to_address", "id"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(ColumnDef::new(IdempotencyKeys::ScopeHash).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(IdempotencyKeys::RequestMac).string_len(64).not_null())
                    .col(ColumnDef::new(IdempotencyKeys::State).string_len(16).not_null())
                    .col(ColumnDef::new(IdempotencyKeys::ResponseStatus).small_integer().null())
                    .col(ColumnDef::new(IdempotencyKeys::ResponseContentType).string_len(128).null())
                    .col(ColumnDef::new(IdempotencyKeys::ResponseBody).binary().null())
                    .col(ts_col(IdempotencyKeys::LockedUntil))
                    .col(ts_col(IdempotencyKeys::ExpiresAt))
                    .col(ts_col(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_idempotency_keys_expires", IdempotencyKeys::Table, &["expires_at"], false).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            SandboxEmails::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            Invitations::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for (name, table) in [
            ("idx_refresh_tokens_user", RefreshTokens::Table.into_iden()),
            ("idx_api_keys_previous_secret_hash", ApiKeys::Table.into_iden()),
            ("idx_tenants_parent", Tenants::Table.into_iden()),
        ] {
            manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        let drops: [(DynIden, Vec<DynIden>); 3] = [
            (
                ApiKeys::Table.into_iden(),
                vec![
                    ApiKeys::Scopes.into_iden(),
                    ApiKeys::ExpiresAt.into_iden(),
                    ApiKeys::AllowedTenantIds.into_iden(),
                    ApiKeys::LastUsedIp.into_iden(),
                    ApiKeys::PreviousSecretHash.into_iden(),
                    ApiKeys::PreviousExpiresAt.into_iden(),
                ],
            ),
            (
                Users::Table.into_iden(),
                vec![
                    Users::EmailVerifiedAt.into_iden(),
                    Users::IsOperator.into_iden(),
                    Users::TotpSecret.into_iden(),
                    Users::TotpPendingSecret.into_iden(),
                    Users::TotpEnabledAt.into_iden(),
                    Users::TotpLastStep.into_iden(),
                ],
            ),
            (
                Tenants::Table.into_iden(),
                vec![
                    Tenants::Kind.into_iden(),
                    Tenants::ParentId.into_iden(),
                    Tenants::SuspendedAt.into_iden(),
                    Tenants::SeatLimit.into_iden(),
                ],
            ),
        ];
        for (table, cols) in drops {
            for col in cols {
                manager.alter_table(Table::alter().table(table.clone()).drop_column(col).to_owned()).await?;
            }
        }
        Ok(())
    }
}
