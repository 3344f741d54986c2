//! `idempotency_keys`: stored outcomes of POSTs sent with an `Idempotency-Key` (when Redis is not
//! configured). Keyed by a hash of principal + key; the response body is sealed (AEAD) with a key
//! derived from the request itself, so the table alone reveals no response.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope_hash: String,
    /// Keyed MAC of the request (method, path, body): a different request under the same key is
    /// refused.
    pub request_mac: String,
    /// `in_flight` or `completed`.
    pub state: String,
    pub response_status: Option<i16>,
    pub response_content_type: Option<String>,
    pub response_body: Option<Vec<u8>>,
    /// An in-flight record whose owner died stops blocking retries at this time.
    pub locked_until: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
