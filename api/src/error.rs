//! One error type for the whole API, rendered as `application/problem+json` (RFC 9457).
//!
//! Every variant has a stable snake_case `code`; the list is documented in `docs/API-DESIGN.md`.
//! Internal causes are logged with the request id and never returned.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::request_id;

/// A problem detail (RFC 9457) with Campaign OS extensions.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://docs.campaign-os.dev/errors/not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "No API key with this id exists.",
    "code": "not_found",
    "request_id": "req_01jdq4m3y7e8f9g0h1j2k3m4n5"
}))]
pub struct Problem {
    /// A URI naming the problem type; its last segment is `code`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short, human-readable summary of the problem type (the HTTP reason phrase).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    pub detail: String,
    /// Stable, machine-readable error code (snake_case). Match on this, not on `detail`.
    pub code: String,
    /// The id of the request, as echoed in `X-Request-Id`; quote it when reporting a problem.
    #[schema(required = true)]
    pub request_id: Option<String>,
    /// Field errors, present on `validation_failed` (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The scope the API key lacks, present on `insufficient_scope` and `forbidden` (403).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_scope: Option<String>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the input, e.g. `email` or `items[2].name`.
    pub field: String,
    /// Stable code, e.g. `required`, `unknown_field`, `invalid_type`, `email`, `length`, `range`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// Every error the API returns.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be understood (bad JSON, bad query, bad id).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// 401: no, or no valid, credentials.
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// 403: authenticated, but not allowed. `required_scope` names the missing permission.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String, required_scope: Option<String> },
    /// 404: no such resource, or not visible to this tenant.
    #[error("{detail}")]
    NotFound { detail: String },
    /// 405: the path exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    /// 409: conflicts with the current state. `field`, when set, names the input field whose
    /// value is taken (a unique key such as `email` or `sku`); it is returned in `errors[]`.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String, field: Option<&'static str> },
    /// 413: body larger than the configured limit.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: wrong `Content-Type`.
    #[error("{detail}")]
    UnsupportedMediaType { detail: String },
    /// 422: well-formed but invalid input.
    #[error("the request has invalid fields")]
    Validation { errors: Vec<FieldError> },
    /// 422 with its own code (not a field error), e.g. `idempotency_key_reused`.
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 429: a rate limit was hit; retry after the given number of seconds.
    #[error("{detail}")]
    TooManyRequests { code: &'static str, detail: String, retry_after_secs: u64 },
    /// 503: a dependency is unavailable.
    #[error("{detail}")]
    Unavailable { detail: String },
    /// 500: anything unexpected. The cause is logged, never returned.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound { detail: format!("No {what} with this id exists.") }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest { code, detail: detail.into() }
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthorized { code, detail: detail.into() }
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Forbidden { code, detail: detail.into(), required_scope: None }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), field: None }
    }

    /// 409 because `field`'s value is already used by another object (a unique key): the
    /// problem's `errors[]` names the field with the same `code`.
    pub fn conflict_on(field: &'static str, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), field: Some(field) }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::NotFound { .. } => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::Validation { .. } => "validation_failed",
            Self::Unavailable { .. } => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let code = self.code();
        let detail = match self {
            Self::MethodNotAllowed { allow } => format!("This path supports only: {}.", allow.join(", ")),
            Self::Internal(_) => "An unexpected error occurred. Quote the request_id when reporting it.".into(),
            other => other.to_string(),
        };
        Problem {
            type_: format!("https://docs.campaign-os.dev/errors/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            request_id: request_id::current(),
            errors: match self {
                Self::Validation { errors } => errors.clone(),
                Self::Conflict { code, detail, field: Some(field) } => {
                    vec![FieldError::new(*field, *code, detail.clone())]
                }
                _ => Vec::new(),
            },
            required_scope: match self {
                Self::Forbidden { required_scope, .. } => required_scope.clone(),
                _ => None,
            },
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(err: sea_orm::TransactionError<ApiError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } | Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            Self::Unauthorized { .. } => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            Self::TooManyRequests { retry_after_secs, .. } => {
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        res.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

/// Shorthand for handler and service results.
pub type ApiResult<T> = Result<T, ApiError>;
