//! CRM: custom field definitions. A tenant defines typed fields (`text`, `number`, `boolean`,
//! `date`, `select`) for contacts, companies and products; the values live in each object's
//! `custom_fields` and are checked against these definitions on every write
//! (`crm::values::custom_fields`).

mod dto;
mod handlers;
mod service;
mod stored_values;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/custom-fields` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_custom_field)
        .service(handlers::list_custom_fields)
        .service(handlers::get_custom_field)
        .service(handlers::update_custom_field)
        .service(handlers::delete_custom_field);
}
