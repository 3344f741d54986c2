//! `api_keys`: tenant API keys. Only a SHA-256 of the secret is stored; `prefix` is the visible
//! start of the secret so that people can tell keys apart.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub prefix: String,
    /// Hex SHA-256 of the full secret.
    pub secret_hash: String,
    pub created_by: Option<Uuid>,
    pub last_used_at: Option<DateTimeUtc>,
    pub last_used_ip: Option<String>,
    /// Space-separated scopes (`contacts:read` …); empty = every scope.
    pub scopes: String,
    pub expires_at: Option<DateTimeUtc>,
    /// Space-separated client tenant UUIDs an agency key may act on; `None` = every client.
    pub allowed_tenant_ids: Option<String>,
    /// After a rotation: the old secret's hash, valid until `previous_expires_at`.
    pub previous_secret_hash: Option<String>,
    pub previous_expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// Live (not revoked) keys of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id)).filter(Column::RevokedAt.is_null())
    }

    /// The live key whose secret hashes to `secret_hash`, whatever its tenant: presenting the
    /// key is how the tenant is learnt, so this lookup is global by design (unique index).
    pub fn find_live_by_hash(secret_hash: &str) -> Select<Entity> {
        Entity::find().filter(Column::SecretHash.eq(secret_hash)).filter(Column::RevokedAt.is_null())
    }

    /// The live key whose *previous* (rotated-out) secret hashes to `secret_hash`; the caller
    /// checks `previous_expires_at`.
    pub fn find_live_by_previous_hash(secret_hash: &str) -> Select<Entity> {
        Entity::find().filter(Column::PreviousSecretHash.eq(secret_hash)).filter(Column::RevokedAt.is_null())
    }
}
