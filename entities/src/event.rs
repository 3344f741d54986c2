//! `events`: the tenant's domain events (`contact.created`, `api_key.revoked`, …), appended in
//! the same transaction as the change they describe and read through `GET /v1/events`. The
//! catalogue of types and their `data` shapes lives in the service (`api/src/events/`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    /// UUIDv7: id order is creation order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The event type, e.g. `contact.created`.
    #[sea_orm(column_name = "type")]
    pub event_type: String,
    /// The event's object as the API shows it (e.g. the contact).
    pub data: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The events of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One event of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Every tenant's events created before `cutoff` with an id below `id_bound` (the smallest
    /// UUIDv7 of `cutoff`'s millisecond), oldest first: what the retention sweep deletes. Not
    /// tenant-scoped on purpose; only the sweep uses it.
    pub fn find_expired(cutoff: DateTimeUtc, id_bound: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::Id.lt(id_bound)).filter(Column::CreatedAt.lt(cutoff))
    }
}
