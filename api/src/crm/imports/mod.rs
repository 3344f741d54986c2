//! CSV contact imports: upload (multipart, streamed to file storage, size-limited), a column
//! mapping, a background job (`crm.import` on the job engine) that parses, normalises and
//! upserts contacts in batches, progress counters and a downloadable error report. The import
//! row and its job are written in one transaction; a run cut off by a crash or a shutdown is
//! run again and resumes after the last committed batch.

mod dto;
mod handlers;
mod job;
mod mapping;
mod report;
mod rows;
mod service;
mod upload;
mod writer;

pub use job::ImportJob;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/imports` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_import)
        .service(handlers::list_imports)
        .service(handlers::get_import)
        .service(handlers::download_import_errors);
}
