//! `memberships`: a user's role in a tenant.

use sea_orm::{QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// `owner`, `admin`, `member` or `viewer`.
    pub role: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// Memberships of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// A user's memberships, oldest first (the first is the default workspace at login).
    pub fn find_for_user(user_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::UserId.eq(user_id)).order_by_asc(Column::CreatedAt).order_by_asc(Column::TenantId)
    }
}
