//! `exports`: contact export jobs (`format` `csv` or `xlsx`), optionally of a filter or a
//! segment. `status`: `queued`, `running`, `completed`, `failed`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub status: String,
    pub format: String,
    pub filter: Option<String>,
    pub segment_id: Option<Uuid>,
    pub rows_written: i64,
    pub file_key: Option<String>,
    pub failure_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The exports of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// Updates of one tenant's exports (add the row filter).
    pub fn update_in(tenant_id: Uuid) -> sea_orm::UpdateMany<Entity> {
        Entity::update_many().filter(Column::TenantId.eq(tenant_id))
    }
}
