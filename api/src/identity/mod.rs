//! Identity: sign-up, login, token refresh with rotation and reuse detection, logout, and
//! `GET /v1/me`.

mod dto;
mod email;
mod handlers;
mod password;
mod service;
mod sessions;

pub use dto::{MeOut, OrganizationOut, SessionOut, UserOut};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/auth/*` and `/me` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::signup)
        .service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::me);
}
