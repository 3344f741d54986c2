//! CSV contact imports: upload (multipart, streamed to file storage, size-limited), a column
//! mapping, a background job that parses, normalises and upserts contacts in batches, progress
//! counters and a downloadable error report. Until the job engine lands, the job is a tokio
//! task whose state lives in the `imports` table; `fail_interrupted` marks jobs cut off by a
//! restart as failed at start-up.

mod connection;
mod dto;
mod handlers;
mod job;
mod mapping;
mod report;
mod rows;
mod service;
mod upload;
mod writer;

pub use job::fail_interrupted;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/imports` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_import)
        .service(handlers::list_imports)
        .service(handlers::get_import)
        .service(handlers::download_import_errors);
}
