//! `field_definitions`: a tenant's custom fields. `object` is `contact`, `company` or `product`;
//! `field_type` is `text`, `number`, `boolean`, `date` or `select` (with `options`, a JSON array
//! of strings). `key` is unique per tenant and object.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "field_definitions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub object: String,
    pub key: String,
    pub label: String,
    pub field_type: String,
    pub options: Option<Json>,
    pub required: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The field definitions of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// The field definitions of one tenant for one object type (`contact`, `company`, `product`).
    pub fn find_for_object(tenant_id: Uuid, object: &str) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Object.eq(object))
    }
}
