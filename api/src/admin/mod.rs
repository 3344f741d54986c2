//! Platform operators: `/v1/admin/*` (organisations, suspension, the sandbox mailbox, the audit
//! log across organisations), guarded by `OperatorCtx` so that it is invisible (404) to anyone
//! else, and `create_operator` for the `campaign-os admin create-operator` command.

mod dto;
mod handlers;
pub mod service;

pub use service::{CreatedOperator, create_operator};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/admin/*` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::admin_list_organizations)
        .service(handlers::admin_get_organization)
        .service(handlers::admin_suspend_organization)
        .service(handlers::admin_unsuspend_organization)
        .service(handlers::admin_list_sandbox_emails)
        .service(handlers::admin_list_audit_events);
}
