//! Webhook endpoints: create, list, get, update (absent/null/value), delete; read the signing
//! secret (only through its own operation) and rotate it with a grace period during which the
//! previous secret also signs.

mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/webhooks/endpoints…` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_webhook_endpoint)
        .service(handlers::list_webhook_endpoints)
        .service(handlers::get_webhook_endpoint)
        .service(handlers::update_webhook_endpoint)
        .service(handlers::delete_webhook_endpoint)
        .service(handlers::get_webhook_endpoint_secret)
        .service(handlers::rotate_webhook_endpoint_secret);
}
