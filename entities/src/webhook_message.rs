//! `webhook_messages`: what is delivered to webhook endpoints. One row per event that had at
//! least one subscribed endpoint when it was appended (and one per test message), holding the
//! exact JSON body that is POSTed (Standard Webhooks `{"type", "timestamp", "data"}`), stored as
//! text so that the signed bytes never change. Retries and replays send the same row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_messages")]
pub struct Model {
    /// UUIDv7 (`msg_…`): the `webhook-id` header of every delivery of this message.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The event it carries; `None` for a test message.
    pub event_id: Option<Uuid>,
    /// E.g. `contact.created`, or `webhook.test`.
    pub event_type: String,
    /// Set only for a test message: the one endpoint it is for.
    pub endpoint_id: Option<Uuid>,
    /// The JSON body, byte for byte as sent.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The messages of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One message of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Every tenant's messages with an id below `id_bound` (the smallest UUIDv7 of the retention
    /// cut-off's millisecond): what the retention sweep deletes. Not tenant-scoped on purpose;
    /// only the sweep uses it.
    pub fn find_expired(id_bound: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::Id.lt(id_bound))
    }
}
