//! The security audit log: recording (`record`) and reading (`GET /v1/audit-events`; operators
//! read across organisations through `/v1/admin/audit-events`).

pub mod denials;
pub mod dto;
mod handlers;
pub mod record;
pub mod service;

pub use record::{Actor, AuditEvent, action, record};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/audit-events` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_audit_events);
}
