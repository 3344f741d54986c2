//! The delivery attempts log: the attempts of a message, of an endpoint (filtered by status),
//! and one attempt.

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the attempt routes (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_webhook_message_attempts)
        .service(handlers::list_webhook_endpoint_attempts)
        .service(handlers::get_webhook_attempt);
}
