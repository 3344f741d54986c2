//! The catalogue: products a tenant sells (name, case-insensitively unique SKU, price in minor
//! units and an ISO currency, custom fields).

pub mod products;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the catalogue routes (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(products::configure);
}
