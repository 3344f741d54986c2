//! Request and response types of the product endpoints.

use chrono::{DateTime, Utc};
use entities::product;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::currency;
use crate::{
    error::FieldError,
    platform::{ids::ProductId, pagination::ListParams, patch::Patch},
};

/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 10_000;

/// A price: an integer amount in the currency's minor unit (cents for EUR, yen for JPY) and an
/// ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": 1999, "currency": "EUR"}))]
pub struct Price {
    /// The amount in minor units (e.g. `1999` is 19.99 EUR), 0 to 10^15.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64, example = 1999)]
    pub amount: i64,
    /// An active ISO 4217 currency code, upper case.
    #[validate(custom(function = "currency_code"))]
    #[schema(pattern = "^[A-Z]{3}$", example = "EUR")]
    pub currency: String,
}

/// `validator` rule: an active ISO 4217 code (code `unknown_currency`).
pub fn currency_code(code: &str) -> Result<(), ValidationError> {
    if currency::is_active(code) {
        return Ok(());
    }
    Err(ValidationError::new("unknown_currency")
        .with_message(format!("`{code}` is not an active ISO 4217 currency code (e.g. `EUR`, `USD`)").into()))
}

/// `validator` rule: a SKU starts with a letter or digit, then letters, digits, `.`, `_`, `-`
/// and `/` (code `invalid_sku`).
pub fn sku_format(sku: &str) -> Result<(), ValidationError> {
    let mut chars = sku.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'));
    if ok {
        return Ok(());
    }
    Err(ValidationError::new("invalid_sku")
        .with_message("must start with a letter or digit and hold only letters, digits, `.`, `_`, `-` and `/`".into()))
}

/// A new product.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductIn {
    /// The product's name.
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "Espresso cup", min_length = 1, max_length = 200)]
    pub name: String,
    /// Stock-keeping unit, unique in the organisation regardless of case (`abc-1` and `ABC-1`
    /// are the same SKU). Stored as written.
    #[validate(length(min = 1, max = 64), custom(function = "sku_format"))]
    #[schema(example = "CUP-ESP-01", min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._\\-/]*$")]
    pub sku: String,
    #[validate(nested)]
    pub price: Price,
    /// Free text, up to 10,000 characters.
    #[validate(length(max = 10000))]
    #[schema(max_length = 10000, example = "Porcelain, 80 ml.")]
    pub description: Option<String>,
    /// Whether the product is on sale (default true).
    #[schema(default = true)]
    pub active: Option<bool>,
    /// Values of the organisation's `product` custom fields, by key.
    #[schema(value_type = Option<Object>, example = json!({"material": "porcelain"}))]
    pub custom_fields: Option<Map<String, Value>>,
}

/// Changes to a product: an omitted field stays as it is; `description` may be `null` to clear
/// it; in `custom_fields`, each key sent is set (or removed with `null`), others stay.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatchIn {
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 64), custom(function = "sku_format"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._\\-/]*$")]
    pub sku: Option<String>,
    /// The whole price (amount and currency).
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(nested)]
    #[schema(value_type = Price, required = false)]
    pub price: Option<Price>,
    /// `null` clears the description.
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 10000)]
    pub description: Patch<String>,
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<bool>,
    /// Keys to set; a key sent as `null` is removed. `null` for the whole object clears every
    /// custom field.
    #[serde(default)]
    #[schema(value_type = Option<Object>, required = false, example = json!({"material": "glass", "colour": null}))]
    pub custom_fields: Patch<Map<String, Value>>,
}

impl ProductPatchIn {
    /// Checks what `validator` cannot see through `Patch` (the description's length).
    pub fn check(&self) -> Result<(), FieldError> {
        match self.description.as_value() {
            Some(text) if text.chars().count() > MAX_DESCRIPTION => {
                Err(FieldError::new("description", "length", "must be at most 10000 characters"))
            }
            _ => Ok(()),
        }
    }
}

/// A product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductOut {
    pub id: ProductId,
    #[schema(example = "Espresso cup")]
    pub name: String,
    /// As written at creation (unique regardless of case).
    #[schema(example = "CUP-ESP-01")]
    pub sku: String,
    pub price: Price,
    #[schema(required = true)]
    pub description: Option<String>,
    pub active: bool,
    /// Values of the organisation's `product` custom fields, by key.
    #[schema(value_type = Object, example = json!({"material": "porcelain"}))]
    pub custom_fields: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<product::Model> for ProductOut {
    fn from(m: product::Model) -> Self {
        Self {
            id: ProductId::from_uuid(m.id),
            name: m.name,
            sku: m.sku,
            price: Price { amount: m.price_minor, currency: m.currency },
            description: m.description,
            active: m.active,
            custom_fields: m.custom_fields,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of products.
    ProductList,
    ProductOut
);

/// Filters and pagination of `GET /v1/products`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// How many items to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// Only active (`true`) or inactive (`false`) products.
    pub active: Option<bool>,
    /// Products whose name or SKU starts with this text (case-insensitive).
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200, example = "cup")]
    pub q: Option<String>,
    /// Products priced in this currency (ISO 4217, upper case).
    #[validate(custom(function = "currency_code"))]
    #[param(pattern = "^[A-Z]{3}$", example = "EUR")]
    pub currency: Option<String>,
    /// The product with this SKU (exact, case-insensitive).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64, example = "cup-esp-01")]
    pub sku: Option<String>,
}

impl ProductListParams {
    pub fn page(&self) -> ListParams {
        ListParams { limit: self.limit, cursor: self.cursor.clone() }
    }
}
