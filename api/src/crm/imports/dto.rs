//! Request and response types of the import endpoints.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entities::import;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::platform::ids::ImportId;

/// Which contact field identifies an existing contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchOn {
    /// The email address, compared without regard to case.
    #[default]
    Email,
    /// The phone number, compared in E.164 form.
    Phone,
}

impl MatchOn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        if s == "phone" { Self::Phone } else { Self::Email }
    }
}

/// What to do with a row whose key matches an existing contact (or an earlier row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMatch {
    /// Update the contact with the row's non-empty cells.
    #[default]
    Upsert,
    /// Leave the contact as it is and count the row as skipped.
    Skip,
}

impl OnMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upsert => "upsert",
            Self::Skip => "skip",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        if s == "skip" { Self::Skip } else { Self::Upsert }
    }
}

/// How to read the file. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// CSV header → contact field (`first_name`, `last_name`, `email`, `phone`, `timezone`,
    /// `locale`, `company_domain`, `tags`, `sms_consent`, `email_consent` or `custom.<key>`).
    /// Columns left out are ignored. Omit to map every header that is itself a field name
    /// (then an unknown header is refused). At most 200 entries.
    #[schema(example = json!({"E-mail": "email", "Mobile": "phone", "Plan": "custom.plan"}))]
    pub mapping: Option<BTreeMap<String, String>>,
    /// The field that identifies existing contacts (default `email`). Rows without it fail.
    pub match_on: Option<MatchOn>,
    /// What a matching row does (default `upsert`).
    pub on_match: Option<OnMatch>,
}

/// The `multipart/form-data` body of `POST /v1/imports`.
#[derive(Debug, ToSchema)]
#[allow(dead_code, reason = "documents the multipart body; the handler reads the parts as a stream")]
pub struct ImportUpload {
    /// The CSV file: UTF-8 (a byte-order mark is ignored), comma-separated, a header row first.
    #[schema(format = Binary, value_type = String)]
    pub file: String,
    /// Options as JSON (send the part with `Content-Type: application/json`). Omit for the
    /// defaults.
    #[schema(nullable = false)]
    pub options: Option<ImportOptions>,
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Accepted, not started yet.
    Queued,
    /// Reading and writing rows (the `rows_*` counters grow).
    Running,
    /// Every row was handled; refused rows are in the error report.
    Completed,
    /// Stopped; `failure_reason` says why.
    Failed,
}

impl ImportStatus {
    pub fn from_stored(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "completed" => Self::Completed,
            _ => Self::Failed,
        }
    }
}

/// An import job and its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub id: ImportId,
    #[schema(example = "running")]
    pub status: ImportStatus,
    /// The uploaded file's name.
    #[schema(example = "contacts.csv")]
    pub filename: String,
    /// The uploaded file's size in bytes.
    pub file_size: i64,
    /// The column mapping in force (CSV header → contact field).
    #[schema(example = json!({"Email": "email", "Mobile": "phone"}))]
    pub mapping: BTreeMap<String, String>,
    pub match_on: MatchOn,
    pub on_match: OnMatch,
    /// Data rows read so far.
    pub rows_read: i64,
    /// Rows that created a contact.
    pub rows_created: i64,
    /// Rows that updated an existing contact (or a contact created by an earlier row).
    pub rows_updated: i64,
    /// Rows that matched a contact with `on_match: skip`.
    pub rows_skipped: i64,
    /// Rows refused; each is listed in the error report.
    pub rows_failed: i64,
    /// Why the whole import failed (status `failed`): what was wrong with the file, e.g. `the
    /// header row could not be read: …`. A failure inside the service is reported as an internal
    /// error to quote to support, never with its cause.
    #[schema(required = true)]
    pub failure_reason: Option<String>,
    /// Where to download the error report (CSV `row,column,code,reason`): set once the import has
    /// finished with failed rows.
    #[schema(required = true, example = "/v1/imports/imp_01jdq4m3y7e8f9g0h1j2k3m4n5/errors")]
    pub error_report_url: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

crate::list_type!(
    /// A page of imports.
    ImportList,
    ImportOut
);

impl From<import::Model> for ImportOut {
    fn from(m: import::Model) -> Self {
        let id = ImportId::from_uuid(m.id);
        let status = ImportStatus::from_stored(&m.status);
        let finished = matches!(status, ImportStatus::Completed | ImportStatus::Failed);
        let error_report_url =
            (finished && m.rows_failed > 0 && m.error_report_key.is_some()).then(|| format!("/v1/imports/{id}/errors"));
        let mapping = serde_json::from_value(m.mapping).unwrap_or_default();
        Self {
            id,
            status,
            filename: m.filename,
            file_size: m.file_size,
            mapping,
            match_on: MatchOn::from_stored(&m.match_on),
            on_match: OnMatch::from_stored(&m.on_match),
            rows_read: m.rows_read,
            rows_created: m.rows_created,
            rows_updated: m.rows_updated,
            rows_skipped: m.rows_skipped,
            rows_failed: m.rows_failed,
            failure_reason: m.failure_reason,
            error_report_url,
            created_at: m.created_at,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}
