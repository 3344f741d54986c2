//! `segment_members`: the contacts of a static segment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "segment_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub segment_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The static-segment memberships of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// The members of one segment of one tenant.
    pub fn find_of(tenant_id: Uuid, segment_id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::SegmentId.eq(segment_id))
    }

    /// Deletes memberships of one segment of one tenant (narrow it with further filters).
    pub fn delete_of(tenant_id: Uuid, segment_id: Uuid) -> sea_orm::DeleteMany<Entity> {
        Entity::delete_many().filter(Column::TenantId.eq(tenant_id)).filter(Column::SegmentId.eq(segment_id))
    }
}
