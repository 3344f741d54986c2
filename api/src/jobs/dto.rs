//! Request and response types of `/v1/jobs` and the operator endpoints `/v1/admin/jobs`.

use chrono::{DateTime, Utc};
use entities::job;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::registry;
use crate::platform::{
    ids::{JobId, TenantId},
    jobs::store,
};

/// Where a job stands, as a tenant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for its time or for a worker.
    Queued,
    Running,
    /// A run failed; it waits for its next attempt.
    Retrying,
    Succeeded,
    /// Every attempt failed (or the failure cannot be retried).
    Failed,
}

impl JobStatus {
    pub fn of(m: &job::Model) -> Self {
        match m.status.as_str() {
            store::RUNNING => Self::Running,
            store::SUCCEEDED => Self::Succeeded,
            store::DEAD => Self::Failed,
            _ if m.attempts > 0 => Self::Retrying,
            _ => Self::Queued,
        }
    }

    /// The stored statuses this one covers.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Queued | Self::Retrying => store::PENDING,
            Self::Running => store::RUNNING,
            Self::Succeeded => store::SUCCEEDED,
            Self::Failed => store::DEAD,
        }
    }
}

/// The object a job works on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobResource {
    /// `import`, `export` or `webhook_message` (a webhook delivery: `GET /v1/webhooks/messages/{id}`).
    #[schema(example = "import")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Its prefixed id (`imp_…`, `exp_…`, `msg_…`).
    #[schema(example = "imp_01jdq4m3y7e8f9g0h1j2k3m4n5")]
    pub id: String,
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// One of the organisation's background operations.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobOut {
    pub id: JobId,
    /// The job type, e.g. `crm.import`, `crm.export`.
    #[schema(example = "crm.import")]
    #[serde(rename = "type")]
    pub kind: String,
    pub status: JobStatus,
    /// Runs started so far.
    pub attempts: i32,
    pub max_attempts: i32,
    /// What the job reports of its progress (its shape depends on the type), or null.
    #[schema(required = true, value_type = Option<Object>)]
    pub progress: Option<serde_json::Value>,
    /// The object the job works on, or null.
    #[schema(required = true)]
    pub resource: Option<JobResource>,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When its latest run started.
    #[schema(required = true)]
    pub started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job::Model> for JobOut {
    fn from(m: job::Model) -> Self {
        Self {
            id: JobId::from_uuid(m.id),
            status: JobStatus::of(&m),
            resource: m.subject_id.and_then(|id| registry::resource_of(&m.kind, id)),
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            progress: m.progress,
            run_at: time(m.run_at),
            created_at: time(m.created_at),
            started_at: m.started_at.map(time),
            finished_at: m.finished_at.map(time),
            kind: m.kind,
        }
    }
}

crate::list_type!(
    /// A page of jobs.
    JobList,
    JobOut
);

/// Filters and paging of `GET /v1/jobs`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// How many jobs to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Keep the filters the
    /// same while paging.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// Only jobs in this status (`queued` and `retrying` both mean "waiting").
    #[param(inline)]
    pub status: Option<JobStatus>,
    /// Only jobs of this type, e.g. `crm.import`.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A job as operators see it: with its queue, organisation, payload and last error.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminJobOut {
    #[serde(flatten)]
    pub job: JobOut,
    /// The stored status: `pending`, `running`, `succeeded` or `dead`.
    #[schema(example = "dead")]
    pub state: String,
    pub queue: String,
    /// The organisation whose operation it is; null for platform jobs.
    #[schema(required = true)]
    pub organization_id: Option<TenantId>,
    /// The job's input.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The cause of the last failed run (internal detail, for operators only).
    #[schema(required = true)]
    pub last_error: Option<String>,
}

impl From<job::Model> for AdminJobOut {
    fn from(m: job::Model) -> Self {
        Self {
            state: m.status.clone(),
            queue: m.queue.clone(),
            organization_id: m.tenant_id.map(TenantId::from_uuid),
            payload: m.payload.clone(),
            last_error: m.last_error.clone(),
            job: m.into(),
        }
    }
}

crate::list_type!(
    /// A page of jobs (operators).
    AdminJobList,
    AdminJobOut
);

/// The stored statuses operators filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoredStatus {
    Pending,
    Running,
    Succeeded,
    Dead,
}

impl StoredStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => store::PENDING,
            Self::Running => store::RUNNING,
            Self::Succeeded => store::SUCCEEDED,
            Self::Dead => store::DEAD,
        }
    }
}

/// Filters and paging of `GET /v1/admin/jobs`.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminJobQuery {
    /// How many jobs to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
    /// Only jobs in this stored status (default `dead`).
    #[param(inline)]
    pub state: Option<StoredStatus>,
    /// Only jobs in this queue.
    #[validate(length(min = 1, max = 50))]
    #[param(min_length = 1, max_length = 50)]
    pub queue: Option<String>,
    /// Only jobs of this type.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    #[serde(rename = "type")]
    pub kind: Option<String>,
}
