//! Request and response types of the events endpoints, and the `data` types of events whose
//! object has no other API view.

use chrono::{DateTime, Utc};
use entities::{event, export, import};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{
    audit::dto::SortOrder,
    platform::ids::{EventId, ExportId, ImportId, WebhookEndpointId},
    webhooks::DisabledReason,
};

/// Filters and paging of `GET /v1/events`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// How many events to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque, and
    /// keep the other parameters the same while paging.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Only events of these types: one name or a comma-separated list, e.g.
    /// `contact.created,contact.updated`. Each must be a type of the catalogue.
    #[serde(rename = "type")]
    #[validate(length(min = 1, max = 2000))]
    #[param(rename = "type", min_length = 1, max_length = 2000, example = "contact.created,contact.updated")]
    pub types: Option<String>,
    /// Only events created at or after this time (RFC 3339, e.g. `2026-01-31T00:00:00Z`).
    #[serde(rename = "created_at[gte]")]
    #[param(rename = "created_at[gte]")]
    pub created_at_gte: Option<DateTime<Utc>>,
    /// Only events created before this time (RFC 3339).
    #[serde(rename = "created_at[lt]")]
    #[param(rename = "created_at[lt]")]
    pub created_at_lt: Option<DateTime<Utc>>,
}

/// A domain event. Serialised as `{ id, type, created_at, data }`; its schema (a `oneOf` over the
/// catalogue, discriminated by `type`) is written by hand in `catalogue.rs`.
#[derive(Debug, Clone, Serialize)]
pub struct EventOut {
    pub id: EventId,
    /// The event type, e.g. `contact.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    /// The object the event is about, as the API shows it.
    pub data: Value,
}

impl From<event::Model> for EventOut {
    fn from(m: event::Model) -> Self {
        Self { id: EventId::from_uuid(m.id), event_type: m.event_type, created_at: m.created_at, data: m.data }
    }
}

crate::list_type!(
    /// A page of events.
    EventList,
    EventOut
);

/// The `data` of `import.completed` and `import.failed`: the import and its counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportEventData {
    pub id: ImportId,
    /// `completed` or `failed`.
    #[schema(example = "completed")]
    pub status: String,
    /// The uploaded file's name.
    #[schema(example = "contacts.csv")]
    pub filename: String,
    /// Data rows read.
    pub rows_read: i64,
    /// Rows that created a contact.
    pub rows_created: i64,
    /// Rows that updated an existing contact.
    pub rows_updated: i64,
    /// Rows that matched a contact with `on_match: skip`.
    pub rows_skipped: i64,
    /// Rows refused; each is listed in the error report.
    pub rows_failed: i64,
    /// Why the whole import failed (`import.failed`); null otherwise.
    #[schema(required = true)]
    pub failure_reason: Option<String>,
    /// Where to download the error report, when rows failed.
    #[schema(required = true, example = "/v1/imports/imp_01jdq4m3y7e8f9g0h1j2k3m4n5/errors")]
    pub error_report_url: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&import::Model> for ImportEventData {
    fn from(m: &import::Model) -> Self {
        let id = ImportId::from_uuid(m.id);
        let error_report_url =
            (m.rows_failed > 0 && m.error_report_key.is_some()).then(|| format!("/v1/imports/{id}/errors"));
        Self {
            id,
            status: m.status.clone(),
            filename: m.filename.clone(),
            rows_read: m.rows_read,
            rows_created: m.rows_created,
            rows_updated: m.rows_updated,
            rows_skipped: m.rows_skipped,
            rows_failed: m.rows_failed,
            failure_reason: m.failure_reason.clone(),
            error_report_url,
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

/// The `data` of `export.completed` and `export.failed`: the export and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportEventData {
    pub id: ExportId,
    /// `completed` or `failed`.
    #[schema(example = "completed")]
    pub status: String,
    /// `csv` or `xlsx`.
    #[schema(example = "csv")]
    pub format: String,
    /// Contacts written.
    pub rows_written: i64,
    /// Why the export failed (`export.failed`); null otherwise.
    #[schema(required = true)]
    pub failure_reason: Option<String>,
    /// Where to download the file (`export.completed`); null otherwise.
    #[schema(required = true, example = "/v1/exports/exp_01jdq4m3y7e8f9g0h1j2k3m4n5/download")]
    pub download_url: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&export::Model> for ExportEventData {
    fn from(m: &export::Model) -> Self {
        let id = ExportId::from_uuid(m.id);
        Self {
            id,
            status: m.status.clone(),
            format: m.format.clone(),
            rows_written: m.rows_written,
            failure_reason: m.failure_reason.clone(),
            download_url: (m.status == "completed").then(|| format!("/v1/exports/{id}/download")),
            created_at: m.created_at,
            finished_at: m.finished_at,
        }
    }
}

/// The `data` of `endpoint.disabled`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEndpointDisabledData {
    pub endpoint_id: WebhookEndpointId,
    /// The endpoint's URL.
    #[schema(example = "https://example.com/webhooks/campaign-os")]
    pub url: String,
    /// `failing` (deliveries kept failing) or `gone` (the receiver answered `410 Gone`).
    pub reason: DisabledReason,
    pub disabled_at: DateTime<Utc>,
}
