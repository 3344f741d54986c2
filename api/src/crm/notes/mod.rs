//! CRM: notes, free text on a contact or a company, with the author (a user or an API key) and
//! creation and edit times. Notes follow their parent's permissions: contact notes need
//! `contacts:*`, company notes `companies:*`; anyone who may write the parent may edit or delete
//! its notes.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/contacts/{id}/notes`, `/companies/{id}/notes` and `/notes/{id}` (mounted under
/// `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_contact_note)
        .service(handlers::list_contact_notes)
        .service(handlers::create_company_note)
        .service(handlers::list_company_notes)
        .service(handlers::get_note)
        .service(handlers::update_note)
        .service(handlers::delete_note);
}
