//! Request and response types of the contact endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    crm::values::ConsentStatus,
    platform::{
        ids::{CompanyId, ContactId, TagId},
        patch::Patch,
    },
};

/// The most items in one bulk request.
pub const MAX_BULK_ITEMS: usize = 1000;
/// The most tags named in one request (per contact, or in `add`/`remove`).
pub const MAX_TAGS: usize = 100;

/// Consent to set on one channel.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelConsentIn {
    pub status: ConsentStatus,
    /// Where the consent came from (a form, a checkbox, a call…), at most 64 characters.
    #[schema(max_length = 64, example = "signup_form")]
    pub source: Option<String>,
}

/// Consent changes per channel; omit a channel to leave it unchanged. Setting a status records
/// the time of the change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentIn {
    #[serde(default, deserialize_with = "crate::platform::extract::object_only")]
    pub sms: Option<ChannelConsentIn>,
    #[serde(default, deserialize_with = "crate::platform::extract::object_only")]
    pub email: Option<ChannelConsentIn>,
}

/// A new contact. Every field is optional; `email` and `phone` are unique per organisation.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    #[schema(max_length = 100, example = "Ada")]
    pub first_name: Option<String>,
    #[schema(max_length = 100, example = "Lovelace")]
    pub last_name: Option<String>,
    /// An email address, unique per organisation regardless of case.
    #[schema(max_length = 254, example = "ada@example.com")]
    pub email: Option<String>,
    /// A phone number, stored in E.164. Without `+` (or `00`), it is read in the
    /// organisation's `default_phone_region`.
    #[schema(max_length = 40, example = "+1 415 555 2671")]
    pub phone: Option<String>,
    /// An IANA time zone name such as `Europe/Paris`, or `UTC`.
    #[schema(max_length = 64, example = "Europe/London")]
    pub timezone: Option<String>,
    /// A BCP 47 language tag such as `en` or `pt-BR`.
    #[schema(max_length = 35, example = "en-GB")]
    pub locale: Option<String>,
    /// The contact's company (`com_…`), of this organisation.
    pub company_id: Option<CompanyId>,
    /// Values of the organisation's contact custom fields, by key.
    #[schema(value_type = Option<Object>, example = json!({"plan": "pro"}))]
    pub custom_fields: Option<Map<String, Value>>,
    /// Tags to put on the contact, by id (`tag_…`) or name (case-insensitive). They must exist.
    #[schema(max_items = 100, example = json!(["vip"]))]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::platform::extract::object_only")]
    pub consent: Option<ConsentIn>,
}

/// Changes to a contact: an absent field is left as it is, `null` clears it, a value sets it.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 100)]
    pub first_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 100)]
    pub last_name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 254)]
    pub email: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 40)]
    pub phone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 64)]
    pub timezone: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, required = false, max_length = 35)]
    pub locale: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<CompanyId>, required = false)]
    pub company_id: Patch<CompanyId>,
    /// Keys to set; a key sent as `null` is removed; keys not sent are kept. `null` for the
    /// whole object removes every custom field value (refused while a field is required).
    #[serde(default)]
    #[schema(value_type = Option<Object>, required = false, example = json!({"plan": "pro", "seats": null}))]
    pub custom_fields: Patch<Map<String, Value>>,
    /// Replaces the contact's tags (ids or names); `null` or `[]` removes them all.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, required = false, max_items = 100)]
    pub tags: Patch<Vec<String>>,
    /// Consent changes per channel (not nullable).
    #[serde(default, deserialize_with = "crate::platform::extract::object_not_null")]
    #[schema(value_type = ConsentIn, required = false)]
    pub consent: Option<ConsentIn>,
}

/// A tag on a contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagRef {
    pub id: TagId,
    #[schema(example = "vip")]
    pub name: String,
}

/// Consent on one channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentOut {
    pub status: ConsentStatus,
    /// Where it came from; null when not recorded.
    #[schema(required = true)]
    pub source: Option<String>,
    /// When the status was last set; null when never.
    #[schema(required = true)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// Consent per channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentsOut {
    pub sms: ConsentOut,
    pub email: ConsentOut,
}

/// A contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: ContactId,
    #[schema(required = true)]
    pub first_name: Option<String>,
    #[schema(required = true)]
    pub last_name: Option<String>,
    /// As written (unique regardless of case).
    #[schema(required = true)]
    pub email: Option<String>,
    /// E.164.
    #[schema(required = true, example = "+14155552671")]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub timezone: Option<String>,
    #[schema(required = true)]
    pub locale: Option<String>,
    #[schema(required = true)]
    pub company_id: Option<CompanyId>,
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// The contact's tags, by name.
    pub tags: Vec<TagRef>,
    pub consent: ConsentsOut,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::list_type!(
    /// A page of contacts.
    ContactList,
    ContactOut
);

/// Which field identifies an existing contact in a bulk upsert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchOn {
    Email,
    Phone,
}

/// What a bulk upsert does with an item that matches an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMatch {
    /// Set the item's fields on the existing contact (the default).
    #[default]
    Update,
    /// Leave the existing contact as it is.
    Skip,
    /// Report the item as failed (`duplicate`).
    Error,
}

/// Up to 1,000 contacts to create or update in one transaction.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUpsertIn {
    /// 1 to 1,000 contacts. Each is checked on its own: an invalid item is reported as `failed`
    /// and the others are still written.
    #[schema(min_items = 1, max_items = 1000)]
    pub contacts: Vec<ContactIn>,
    /// Match existing contacts on `email` or `phone`; null (the default) always creates.
    pub match_on: Option<MatchOn>,
    /// What to do with a match (default `update`).
    #[serde(default)]
    pub on_match: OnMatch,
}

/// What happened to one item of a bulk request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Created,
    Updated,
    Skipped,
    Failed,
}

/// The result for one item, by its index in the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkItemResult {
    pub index: usize,
    pub status: ItemStatus,
    /// The contact written, matched or skipped; absent when the item failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<ContactId>,
    /// Why the item failed (paths relative to the item).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<crate::error::FieldError>>,
}

/// Per-item results of a bulk upsert, with totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkUpsertOut {
    pub results: Vec<BulkItemResult>,
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
    pub failed: usize,
}

/// Tags to add to and remove from many contacts.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTagIn {
    /// 1 to 1,000 contacts (`con_…`).
    #[schema(min_items = 1, max_items = 1000)]
    pub contact_ids: Vec<ContactId>,
    /// Tags to add, by id or name; they must exist.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_items = 100, example = json!(["vip"]))]
    pub add: Vec<String>,
    /// Tags to remove, by id or name; they must exist.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_items = 100, example = json!([]))]
    pub remove: Vec<String>,
}

/// Per-contact results of a bulk tag change: `updated` for a contact of this organisation,
/// `failed` (`not_found`) otherwise.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkTagOut {
    pub results: Vec<BulkItemResult>,
    pub updated: usize,
    pub failed: usize,
}

/// Tags to add to one contact.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactTagsIn {
    /// 1 to 100 tags, by id (`tag_…`) or name; they must exist.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100, example = json!(["vip", "tag_01jdq4m3y7e8f9g0h1j2k3m4n5"]))]
    pub tags: Vec<String>,
}
