//! Request and response types of the tag endpoints.

use chrono::{DateTime, Utc};
use entities::tag;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::platform::{ids::TagId, patch::Patch};

/// `validator` rule: `#rrggbb` (hex digits in either case; stored lower-case).
pub fn hex_color(value: &str) -> Result<(), ValidationError> {
    let ok = value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        return Ok(());
    }
    Err(ValidationError::new("color").with_message("must be a colour written `#rrggbb`, e.g. `#1e90ff`".into()))
}

/// A new tag.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagIn {
    /// The tag's name, unique in the organisation regardless of case (`VIP` and `vip` are the
    /// same tag). Leading and trailing spaces are removed.
    #[validate(length(min = 1, max = 100), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 100, example = "VIP")]
    pub name: String,
    /// A display colour, `#rrggbb`; returned lower-case. Omit for none.
    #[validate(custom(function = "hex_color"))]
    #[schema(pattern = "^#[0-9a-fA-F]{6}$", example = "#1e90ff")]
    pub color: Option<String>,
}

/// Changes to a tag: omitted fields stay as they are; `color: null` removes the colour.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    /// A new name (unique in the organisation regardless of case).
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 100), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 100, example = "Customers")]
    pub name: Option<String>,
    /// A new colour (`#rrggbb`), or null for none.
    // Checked by the service: `validator` does not see into `Patch`.
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, pattern = "^#[0-9a-fA-F]{6}$", example = "#ff8800")]
    pub color: Patch<String>,
}

/// A tag.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagOut {
    pub id: TagId,
    #[schema(example = "VIP")]
    pub name: String,
    /// `#rrggbb` (lower-case), or null.
    #[schema(required = true, example = "#1e90ff")]
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tag::Model> for TagOut {
    fn from(m: tag::Model) -> Self {
        Self {
            id: TagId::from_uuid(m.id),
            name: m.name,
            color: m.color,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of tags.
    TagList,
    TagOut
);
