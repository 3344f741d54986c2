//! Contact exports: `POST /v1/exports` starts a background job writing the tenant's contacts
//! (all, a filter, a segment) as CSV or XLSX, streamed page by page; `GET /v1/exports/{id}`
//! follows it; `GET /v1/exports/{id}/download` streams the file once it is completed. The
//! columns are the import's, so an export imports back as it is.

mod columns;
mod dto;
mod handlers;
mod job;
mod service;
mod sink;

use utoipa_actix_web::service_config::ServiceConfig;

pub use job::ExportJob;

/// Registers `/exports` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_export)
        .service(handlers::list_exports)
        .service(handlers::get_export)
        .service(handlers::download_export);
}
