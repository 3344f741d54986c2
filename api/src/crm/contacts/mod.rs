//! CRM contacts (people): CRUD with absent/null/value `PATCH`, tags on a contact, bulk
//! create/upsert and bulk tagging. `service::to_out_many` is the contact view other CRM
//! modules (lists, segments, exports) reuse; `service::build_new` the checked-input builder
//! (imports).

pub mod bulk;
mod bulk_delete;
mod bulk_handlers;
pub mod dto;
mod handlers;
pub mod input;
pub mod list;
pub mod list_cache;
pub mod service;
pub mod tags;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the contacts routes (mounted under `/v1`). Fixed paths come before `{id}` ones.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list::list_contacts)
        .service(bulk_delete::bulk_delete_contacts)
        .service(bulk_handlers::bulk_upsert_contacts)
        .service(bulk_handlers::bulk_tag_contacts)
        .service(handlers::create_contact)
        .service(handlers::get_contact)
        .service(handlers::update_contact)
        .service(handlers::delete_contact)
        .service(handlers::add_contact_tags)
        .service(handlers::remove_contact_tag);
}
