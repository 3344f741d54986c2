//! Cross-cutting pieces every capability uses: the database and Redis connections, request ids,
//! prefixed ids, pagination, validated extractors, authentication, metrics and HTTP hygiene.

pub mod auth;
pub mod cache;
pub mod crypto;
pub mod db;
pub mod extract;
pub mod fallback;
pub mod generation;
pub mod idempotency;
pub mod ids;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod pagination;
pub mod patch;
pub mod rate_limit;
pub mod request_id;
pub mod request_meta;
pub mod security_headers;
pub mod storage;
