//! Outbound webhooks: the endpoints an organisation's events are delivered to, their signing
//! secrets (Standard Webhooks, `signature`), and where requests may go (`ssrf`).
//!
//! Delivery itself (the job that POSTs messages, retries, the attempts log) uses
//! `signing_secrets`, `signature::signature_header`, `ssrf::delivery_client`,
//! `ssrf::check_before_send` and `ssrf::read_excerpt`.

pub mod endpoints;
pub mod event_types;
pub mod signature;
pub mod ssrf;

pub use endpoints::service::{DisabledReason, secrets_of, signing_secrets};

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/webhooks/…` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(endpoints::configure);
}
