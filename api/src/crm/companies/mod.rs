//! CRM: companies, the organisations contacts belong to: a name, a domain (unique per
//! organisation) and custom field values. A contact links to at most one company.

mod domain;
pub(crate) use domain::parse_domain;
pub mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/companies` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_company)
        .service(handlers::list_companies)
        .service(handlers::get_company)
        .service(handlers::list_company_contacts)
        .service(handlers::update_company)
        .service(handlers::delete_company);
}
