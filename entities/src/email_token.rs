//! `email_tokens`: single-use tokens sent by email (`verify_email`, `password_reset`). Only a
//! SHA-256 of the token is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: String,
    pub token_hash: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The token with this hash and purpose (unique index on the hash).
    pub fn find_by_hash(purpose: &str, token_hash: &str) -> Select<Entity> {
        Entity::find().filter(Column::TokenHash.eq(token_hash)).filter(Column::Purpose.eq(purpose))
    }

    /// A user's tokens for one purpose.
    pub fn find_for_user(user_id: Uuid, purpose: &str) -> Select<Entity> {
        Entity::find().filter(Column::UserId.eq(user_id)).filter(Column::Purpose.eq(purpose))
    }
}
