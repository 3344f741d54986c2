//! `audit_events`: the security audit log. `tenant_id` is `None` for events that belong to no
//! tenant (a failed login for an unknown address, an operator action on the platform).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    /// `user`, `api_key`, `operator` or `anonymous`.
    pub actor_type: String,
    /// The actor's prefixed id.
    pub actor_id: Option<String>,
    /// Dotted action name, e.g. `auth.login.succeeded`.
    pub action: String,
    pub target_type: Option<String>,
    /// The target's prefixed id.
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// JSON object with event details (never secrets).
    pub metadata: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// Audit events of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// Every tenant's events: for platform operators only.
    pub fn find_all_for_operator() -> Select<Entity> {
        Entity::find()
    }
}
