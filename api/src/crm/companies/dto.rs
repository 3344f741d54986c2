//! Request and response types of the company endpoints.

use chrono::{DateTime, Utc};
use entities::company;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::platform::{ids::CompanyId, patch::Patch};

/// A new company.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyIn {
    /// The company's name. Leading and trailing spaces are removed.
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Acme Corporation")]
    pub name: String,
    /// The company's web domain, a host name such as `acme.com` (no scheme, path or port); stored
    /// lower-case, unique in the organisation. Omit for none.
    #[validate(length(min = 1, max = 253))]
    #[schema(
        min_length = 1,
        max_length = 253,
        pattern = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$",
        example = "acme.com"
    )]
    pub domain: Option<String>,
    /// Values of the organisation's `company` custom fields, by key.
    #[schema(value_type = Option<Object>, example = json!({"industry": "retail", "employees": 120}))]
    pub custom_fields: Option<Map<String, Value>>,
}

/// Changes to a company: omitted fields stay as they are; `domain: null` removes the domain.
/// In `custom_fields`, only the keys sent change, and a key sent as null is removed.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyPatch {
    /// A new name.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200, example = "Acme Inc.")]
    pub name: Option<String>,
    /// A new domain, or null for none.
    // Checked by the service: `validator` does not see into `Patch`.
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, min_length = 1, max_length = 253, pattern = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$", example = "acme.io")]
    pub domain: Patch<String>,
    /// Custom field values to set (or, as null, to remove), by key.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = Object, required = false, example = json!({"employees": 150}))]
    pub custom_fields: Option<Map<String, Value>>,
}

/// Search and paging of `GET /v1/companies`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyQuery {
    /// Only companies whose name starts with this (ignoring case).
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200, example = "acm")]
    pub q: Option<String>,
    /// How many companies to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque, and
    /// keep `q` the same while paging.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
}

/// A company.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyOut {
    pub id: CompanyId,
    #[schema(example = "Acme Corporation")]
    pub name: String,
    /// The lower-cased domain, or null.
    #[schema(required = true, example = "acme.com")]
    pub domain: Option<String>,
    /// Custom field values, by key (`{}` when none).
    #[schema(value_type = Object, example = json!({"industry": "retail", "employees": 120}))]
    pub custom_fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<company::Model> for CompanyOut {
    fn from(m: company::Model) -> Self {
        let custom_fields = match m.custom_fields {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Self {
            id: CompanyId::from_uuid(m.id),
            name: m.name,
            domain: m.domain,
            custom_fields,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of companies.
    CompanyList,
    CompanyOut
);
