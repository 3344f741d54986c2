//! Request and response types of the export endpoints.

use chrono::{DateTime, Utc};
use entities::export;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::ids::{ExportId, SegmentId};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma-separated values, UTF-8, with a header row (the import's column names).
    Csv,
    /// An Excel workbook with one worksheet, `Contacts`, laid out like the CSV.
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    /// A stored value; anything unexpected reads as CSV.
    pub fn from_stored(s: &str) -> Self {
        if s == "xlsx" { Self::Xlsx } else { Self::Csv }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The `Content-Type` of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Where an export job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    /// Accepted, not started yet.
    Queued,
    /// Writing rows (`rows_written` grows).
    Running,
    /// Done: the file can be downloaded from `download_url`.
    Completed,
    /// Stopped; `failure_reason` says why.
    Failed,
}

impl ExportStatus {
    pub const QUEUED: &'static str = "queued";
    pub const RUNNING: &'static str = "running";
    pub const COMPLETED: &'static str = "completed";
    pub const FAILED: &'static str = "failed";

    pub fn from_stored(s: &str) -> Self {
        match s {
            Self::QUEUED => Self::Queued,
            Self::RUNNING => Self::Running,
            Self::COMPLETED => Self::Completed,
            _ => Self::Failed,
        }
    }
}

/// A new export of the organisation's contacts: all of them, those matching `filter`, those in
/// a segment, or those matching both.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportIn {
    /// The file format.
    pub format: ExportFormat,
    /// Only contacts matching this filter (the language of `GET /v1/contacts?filter=`).
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000, example = "and(tags[any]:[vip],consent.email[eq]:opted_in)")]
    pub filter: Option<String>,
    /// Only the contacts of this segment (evaluated when the export runs).
    pub segment_id: Option<SegmentId>,
}

/// An export job.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOut {
    pub id: ExportId,
    pub status: ExportStatus,
    pub format: ExportFormat,
    /// The filter the export was asked for.
    #[schema(required = true)]
    pub filter: Option<String>,
    /// The segment the export was asked for.
    #[schema(required = true)]
    pub segment_id: Option<SegmentId>,
    /// Contacts written so far (updated every 1,000 rows; final once `completed`).
    #[schema(example = 1000)]
    pub rows_written: i64,
    /// Why the export failed (`failed` only).
    #[schema(required = true, example = json!(null))]
    pub failure_reason: Option<String>,
    /// Where to download the file (relative to the API's base URL), once `completed`.
    #[schema(required = true, example = "/v1/exports/exp_01jdq4m3y7e8f9g0h1j2k3m4n5/download")]
    pub download_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the job started writing.
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    /// When the job completed or failed.
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<export::Model> for ExportOut {
    fn from(m: export::Model) -> Self {
        let id = ExportId::from_uuid(m.id);
        let status = ExportStatus::from_stored(&m.status);
        Self {
            id,
            status,
            format: ExportFormat::from_stored(&m.format),
            filter: m.filter,
            segment_id: m.segment_id.map(SegmentId::from_uuid),
            rows_written: m.rows_written,
            failure_reason: m.failure_reason,
            download_url: (status == ExportStatus::Completed).then(|| format!("/v1/exports/{id}/download")),
            created_at: m.created_at,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

/// An XLSX workbook (the body of a downloaded XLSX export).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code, reason = "read only by the OpenAPI derive")]
pub struct XlsxFile(Vec<u8>);

crate::list_type!(
    /// A page of exports.
    ExportList,
    ExportOut
);
