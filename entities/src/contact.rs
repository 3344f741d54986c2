//! `contacts`: people a tenant markets to. `email_key` (lower-cased email) and `phone` (E.164)
//! are unique per tenant when present; `first_name_key`/`last_name_key` are lower-cased copies
//! for prefix search and sorting. Consent per channel: `unknown`, `opted_in` or `opted_out`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub first_name_key: Option<String>,
    pub last_name_key: Option<String>,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub phone: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub company_id: Option<Uuid>,
    pub custom_fields: Json,
    pub sms_consent: String,
    pub sms_consent_source: Option<String>,
    pub sms_consent_at: Option<DateTimeUtc>,
    pub email_consent: String,
    pub email_consent_source: Option<String>,
    pub email_consent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The contacts of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// One contact of one tenant.
    pub fn find_one_in(tenant_id: Uuid, id: Uuid) -> Select<Entity> {
        Self::find_in(tenant_id).filter(Column::Id.eq(id))
    }

    /// Deletes contacts of one tenant (narrow it with further filters).
    pub fn delete_in(tenant_id: Uuid) -> sea_orm::DeleteMany<Entity> {
        Entity::delete_many().filter(Column::TenantId.eq(tenant_id))
    }
}
