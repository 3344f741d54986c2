//! `products`: a tenant's catalogue. `sku_key` (lower-cased SKU) is unique per tenant, so
//! `abc-1` and `ABC-1` conflict. Prices are integer minor units in an ISO 4217 `currency`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub sku: String,
    pub sku_key: String,
    pub price_minor: i64,
    pub currency: String,
    pub description: Option<String>,
    pub active: bool,
    pub custom_fields: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The products of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One product of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Updates of one tenant's products (add the row filter).
    pub fn update_in(tenant_id: Uuid) -> sea_orm::UpdateMany<Entity> {
        Entity::update_many().filter(Column::TenantId.eq(tenant_id))
    }

    /// Deletes of one tenant's products (add the row filter).
    pub fn delete_in(tenant_id: Uuid) -> sea_orm::DeleteMany<Entity> {
        Entity::delete_many().filter(Column::TenantId.eq(tenant_id))
    }
}
