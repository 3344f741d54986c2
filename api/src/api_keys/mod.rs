//! Organisation API keys: create (the secret is shown once), list, get, revoke.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/api-keys` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_api_key)
        .service(handlers::list_api_keys)
        .service(handlers::get_api_key)
        .service(handlers::delete_api_key);
}
