//! Organisation API keys: create (scoped, expiring, client-restricted; the secret is shown once),
//! list, get, rotate (with a grace period for the old secret), revoke.

pub mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/api-keys` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_api_key)
        .service(handlers::list_api_keys)
        .service(handlers::get_api_key)
        .service(handlers::rotate_api_key)
        .service(handlers::delete_api_key);
}
