//! `refresh_tokens`: one row per issued refresh token. Tokens of one login share a `family_id`
//! (the session); rotating marks the old row used, and presenting a used token revokes the family.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    /// Hex SHA-256 of the token; the token itself is never stored.
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// Refresh tokens of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// A user's current tokens (neither used nor revoked) in every tenant: one per live session.
    /// Sessions belong to the user across organisations, so this lookup is by user (index
    /// `idx_refresh_tokens_user`), not by tenant.
    pub fn find_current_for_user(user_id: Uuid) -> Select<Entity> {
        Entity::find()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::UsedAt.is_null())
            .filter(Column::RevokedAt.is_null())
    }

    /// The token with this hash, whatever its tenant: a presented token is how the tenant is
    /// learnt, so this lookup is global by design (unique index on the hash).
    pub fn find_by_hash(token_hash: &str) -> Select<Entity> {
        Entity::find().filter(Column::TokenHash.eq(token_hash))
    }
}
