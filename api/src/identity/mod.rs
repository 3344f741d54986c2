//! Identity: sign-up, login, token refresh with rotation and reuse detection, logout, and
//! `GET /v1/me`.

mod dto;
pub mod email;
mod email_flows;
mod email_tokens;
mod handlers;
mod login;
mod mfa;
pub mod password;
mod service;
mod session_list;
mod sessions;
mod totp;
mod user_only;

pub use dto::{MeOut, OrganizationOut, SessionOut, UserOut};
pub use service::{new_account_credentials, start_session};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/auth/*` and `/me` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::signup)
        .service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::me)
        .service(handlers::verify_email)
        .service(handlers::resend_email_verification)
        .service(handlers::request_password_reset)
        .service(handlers::confirm_password_reset)
        .service(handlers::login_mfa)
        .service(handlers::enrol_totp)
        .service(handlers::confirm_totp)
        .service(handlers::disable_totp)
        .service(handlers::regenerate_recovery_codes)
        .service(handlers::list_my_sessions)
        .service(handlers::revoke_my_session);
}
