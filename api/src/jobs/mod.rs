//! Background jobs as the API shows them: `GET /v1/jobs` (the organisation's own operations,
//! `jobs:read`) and the operators' `/v1/admin/jobs` (dead jobs: list, retry, discard); plus the
//! registry of every job type and recurring schedule that workers run. The engine itself is
//! `platform/jobs/`.

mod admin_handlers;
pub mod diagnostic;
pub mod dto;
mod handlers;
pub mod registry;
mod service;
mod sweep;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/jobs` and `/admin/jobs` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_jobs)
        .service(handlers::get_job)
        .service(admin_handlers::admin_list_jobs)
        .service(admin_handlers::admin_retry_job)
        .service(admin_handlers::admin_discard_job);
}
