//! `segments`: `dynamic` (a saved filter, evaluated live) or `static` (explicit members).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "segments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub kind: String,
    /// The filter expression of a dynamic segment.
    pub filter: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The segments of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One segment of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }
}
