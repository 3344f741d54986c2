//! The security audit log: recording (`record`) and reading (`GET /v1/audit-events`).

pub mod record;

pub use record::{Actor, AuditEvent, action, record};
