//! Webhook messages: what was (or is being) delivered: list (filtered by type) and get.
//! Replaying one is in `replay`; its attempts are in `attempts`.

pub mod dto;
mod handlers;
pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/webhooks/messages…` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_webhook_messages).service(handlers::get_webhook_message);
}
