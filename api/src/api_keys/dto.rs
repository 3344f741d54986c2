//! Request and response types of the API-key endpoints.

use chrono::{DateTime, Utc};
use entities::api_key;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::ids::ApiKeyId;

/// A new API key.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyIn {
    /// What the key is for, so that people can tell keys apart.
    #[validate(length(min = 1, max = 100), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Zapier integration", min_length = 1, max_length = 100)]
    pub name: String,
}

/// An API key (without its secret).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApiKeyOut {
    pub id: ApiKeyId,
    pub name: String,
    /// The visible start of the secret, e.g. `cos_AbC123xy`.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    /// When the key last authenticated a request (recorded at most once a minute).
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A newly created API key, with its secret. The secret is shown only here, once.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ApiKeyCreatedOut {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The secret: send as `Authorization: Bearer <secret>`. Store it now; it cannot be shown again.
    #[schema(example = "cos_3kTqW0Xb9sV1yZ2mN4pL6rH8jF0dC5aE7gB2uI4o")]
    pub secret: String,
}

crate::list_type!(
    /// A page of API keys.
    ApiKeyList,
    ApiKeyOut
);

impl From<api_key::Model> for ApiKeyOut {
    fn from(m: api_key::Model) -> Self {
        Self {
            id: ApiKeyId::from_uuid(m.id),
            name: m.name,
            prefix: m.prefix,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
        }
    }
}
