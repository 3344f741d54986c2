//! `invitations`: an invitation to join a tenant with a role. Only a SHA-256 of the token is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Lower-cased.
    pub email: String,
    pub role: String,
    pub token_hash: String,
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// Invitations of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// Pending (not accepted, not revoked) invitations of one tenant; the caller checks expiry.
    pub fn find_pending_in(tenant_id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::AcceptedAt.is_null()).filter(Column::RevokedAt.is_null())
    }

    /// The invitation with this token hash, whatever its tenant: presenting the token is how the
    /// tenant is learnt (unique index).
    pub fn find_by_token_hash(token_hash: &str) -> Select<Entity> {
        Entity::find().filter(Column::TokenHash.eq(token_hash))
    }
}
