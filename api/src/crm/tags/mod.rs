//! CRM: tags, the labels put on contacts. A tag has a name (unique per organisation,
//! case-insensitively) and an optional colour. Deleting a tag takes it off every contact.
//! (Putting tags on contacts is part of the contacts capability.)

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/tags` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_tag)
        .service(handlers::list_tags)
        .service(handlers::get_tag)
        .service(handlers::update_tag)
        .service(handlers::delete_tag);
}
