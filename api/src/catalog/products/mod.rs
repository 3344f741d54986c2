//! The product catalogue: create, list (filters: active, name/SKU prefix, currency, exact SKU),
//! get, update (absent/null/value) and delete products. SKUs are unique per tenant regardless
//! of case; prices are integer minor units in an ISO 4217 currency.

mod currency;
pub mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/products` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_product)
        .service(handlers::list_products)
        .service(handlers::get_product)
        .service(handlers::update_product)
        .service(handlers::delete_product);
}
