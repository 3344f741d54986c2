//! `webhook_attempts`: one row per attempt to deliver a message to an endpoint: the attempt
//! number, what triggered it (`scheduled` or `manual`), the URL, `succeeded` or `failed`, the
//! response status code and the first KiB of its body, a safe error text when no response came
//! (`timed out`, `connection refused`, `blocked address`, …) and the latency.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    /// UUIDv7 (`atm_…`): id order is time order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub message_id: Uuid,
    pub endpoint_id: Uuid,
    /// The delivery job's run number, from 1 (a replay starts again at 1).
    pub attempt: i32,
    /// `scheduled` or `manual`.
    pub trigger: String,
    pub url: String,
    /// `succeeded` or `failed`.
    pub status: String,
    pub response_status_code: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The attempts of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One attempt of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Every tenant's attempts with an id below `id_bound`: what the retention sweep deletes.
    /// Not tenant-scoped on purpose; only the sweep uses it.
    pub fn find_expired(id_bound: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::Id.lt(id_bound))
    }
}
