//! Sending again and testing: replay a message (to one endpoint or to every endpoint that takes
//! its type), replay an endpoint's failed messages since a time, and send a test message.

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the replay and test routes (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::replay_webhook_message)
        .service(handlers::replay_failed_webhook_messages)
        .service(handlers::test_webhook_endpoint);
}
