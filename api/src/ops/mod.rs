//! Operations endpoints: liveness, readiness, Prometheus metrics.

mod handlers;

pub use handlers::metrics;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/healthz`, `/readyz`, `/metrics` (at the root, outside `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::healthz).service(handlers::readyz).service(handlers::metrics);
}
