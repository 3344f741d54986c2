//! `tenants`: an organisation, the unit of isolation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `standard`, `agency`, `client` (a child workspace of an agency) or `platform` (operators).
    pub kind: String,
    /// The agency that manages this client workspace.
    pub parent_id: Option<Uuid>,
    pub suspended_at: Option<DateTimeUtc>,
    /// Seats (members + pending invitations) allowed; `None` = the configured default.
    pub seat_limit: Option<i32>,
    /// ISO 3166-1 alpha-2 region for phone numbers written without `+` (e.g. `US`).
    pub default_phone_region: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The client workspaces of an agency.
    pub fn find_clients_of(agency_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::ParentId.eq(agency_id))
    }
}
