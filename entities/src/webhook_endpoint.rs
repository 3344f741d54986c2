//! `webhook_endpoints`: the URLs an organisation's events are delivered to. `event_types` is a
//! JSON array of event type names (empty: every type). `secret` and `previous_secret` are sealed
//! (base64 of AES-256-GCM output under a server key), never stored in clear; the previous
//! secret is used until `previous_secret_expires_at`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Json,
    pub enabled: bool,
    /// `manual`, `failing` or `gone` while disabled; `None` while enabled.
    pub disabled_reason: Option<String>,
    pub rate_limit_per_second: Option<i32>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// When the current run of failed deliveries began; `None` after a success. Deliveries that
    /// keep failing for `webhook_disable_after_secs` disable the endpoint (`failing`).
    pub failing_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The webhook endpoints of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// The enabled webhook endpoints of one tenant (what an event fans out to).
    pub fn find_enabled_in(tenant_id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Enabled.eq(true))
    }

    /// One webhook endpoint of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Updates of one tenant's webhook endpoints (add the row filter).
    pub fn update_in(tenant_id: Uuid) -> sea_orm::UpdateMany<Entity> {
        Entity::update_many().filter(Column::TenantId.eq(tenant_id))
    }

    /// Deletes of one tenant's webhook endpoints (add the row filter).
    pub fn delete_in(tenant_id: Uuid) -> sea_orm::DeleteMany<Entity> {
        Entity::delete_many().filter(Column::TenantId.eq(tenant_id))
    }
}
