//! Request and response types of the custom-field endpoints.

use chrono::{DateTime, Utc};
use entities::field_definition;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::{
    crm::values::{FieldType, custom_fields::options_of},
    platform::{ids::FieldId, patch::Patch},
};

/// The kind of object a custom field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldObject {
    Contact,
    Company,
    Product,
}

impl FieldObject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Product => "product",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "contact" => Self::Contact,
            "company" => Self::Company,
            "product" => Self::Product,
            _ => return None,
        })
    }
}

/// The type of a custom field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    /// A string of at most 2,000 characters.
    Text,
    /// A JSON number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of the field's `options`.
    Select,
}

impl From<CustomFieldType> for FieldType {
    fn from(t: CustomFieldType) -> Self {
        match t {
            CustomFieldType::Text => Self::Text,
            CustomFieldType::Number => Self::Number,
            CustomFieldType::Boolean => Self::Boolean,
            CustomFieldType::Date => Self::Date,
            CustomFieldType::Select => Self::Select,
        }
    }
}

impl From<FieldType> for CustomFieldType {
    fn from(t: FieldType) -> Self {
        match t {
            FieldType::Text => Self::Text,
            FieldType::Number => Self::Number,
            FieldType::Boolean => Self::Boolean,
            FieldType::Date => Self::Date,
            FieldType::Select => Self::Select,
        }
    }
}

/// `validator` rule: a field key is `^[a-z][a-z0-9_]{0,63}$`.
pub fn field_key(value: &str) -> Result<(), ValidationError> {
    let b = value.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_');
    if ok {
        return Ok(());
    }
    Err(ValidationError::new("field_key").with_message(
        "must start with a lower-case letter and hold only lower-case letters, digits and `_` (at most 64)".into(),
    ))
}

/// A new custom field definition.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldIn {
    /// The kind of object the field is on.
    pub object: FieldObject,
    /// The key under which values are stored in the object's `custom_fields`; unique per
    /// organisation and object. Cannot be changed later.
    #[validate(custom(function = "field_key"))]
    #[schema(pattern = "^[a-z][a-z0-9_]{0,63}$", min_length = 1, max_length = 64, example = "plan")]
    pub key: String,
    /// A human-readable name.
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Plan")]
    pub label: String,
    /// The type of the values.
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    /// `select` only (and required for it): the allowed values, 1–100 distinct strings of
    /// 1–100 characters.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100, example = json!(["free", "pro", "enterprise"]))]
    pub options: Option<Vec<String>>,
    /// Whether every object of this kind must have a value. Default false.
    #[serde(default)]
    pub required: bool,
}

/// Changes to a custom field definition. `key` and `object` cannot change. Changing `type`, or
/// removing `select` options, is refused (409 `field_type_incompatible`) while stored values do
/// not fit the new definition.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    /// A new label.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200, example = "Subscription plan")]
    pub label: Option<String>,
    /// A new type.
    #[serde(rename = "type", default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = CustomFieldType, required = false)]
    pub field_type: Option<CustomFieldType>,
    /// New options for a `select` field (the whole list); required when changing the type to
    /// `select`. Omit to keep them; null is only allowed for a field that is not (or no longer)
    /// a `select`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, required = false, min_items = 1, max_items = 100)]
    pub options: Patch<Vec<String>>,
    /// Whether a value is required from now on (existing objects without a value are not
    /// touched; their next update must supply one).
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = bool, required = false)]
    pub required: Option<bool>,
}

/// Filters and paging of `GET /v1/custom-fields`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomFieldQuery {
    /// Only the fields of this kind of object.
    #[param(inline)]
    pub object: Option<FieldObject>,
    /// How many fields to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque, and
    /// keep `object` the same while paging.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
}

/// A custom field definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomFieldOut {
    pub id: FieldId,
    pub object: FieldObject,
    #[schema(example = "plan")]
    pub key: String,
    #[schema(example = "Plan")]
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    /// The allowed values of a `select` field; null for other types.
    #[schema(required = true, example = json!(["free", "pro", "enterprise"]))]
    pub options: Option<Vec<String>>,
    pub required: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<field_definition::Model> for CustomFieldOut {
    fn from(m: field_definition::Model) -> Self {
        let field_type = FieldType::parse(&m.field_type).unwrap_or(FieldType::Text);
        let options = (field_type == FieldType::Select).then(|| options_of(&m));
        Self {
            id: FieldId::from_uuid(m.id),
            object: FieldObject::parse(&m.object).unwrap_or(FieldObject::Contact),
            key: m.key,
            label: m.label,
            field_type: field_type.into(),
            options,
            required: m.required,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of custom field definitions.
    CustomFieldList,
    CustomFieldOut
);
