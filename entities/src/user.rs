//! `users`: a person who logs in. Users are global; they join tenants through memberships.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased at the edge; unique.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub name: Option<String>,
    pub email_verified_at: Option<DateTimeUtc>,
    /// A platform operator (made by `campaign-os admin create-operator`).
    pub is_operator: bool,
    /// The TOTP secret, sealed with the server key; set once 2FA is confirmed.
    pub totp_secret: Option<String>,
    /// A secret enrolled but not yet confirmed with a code.
    pub totp_pending_secret: Option<String>,
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last accepted TOTP time step: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The user with this (already normalised) email address.
    pub fn find_by_email(email: &str) -> Select<Entity> {
        Entity::find().filter(Column::Email.eq(email))
    }
}
