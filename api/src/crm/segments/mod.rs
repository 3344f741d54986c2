//! CRM segments: `dynamic` (a saved filter, evaluated live) and `static` (explicit members,
//! added and removed in bulk). Both list and count their contacts; `preview` counts a filter
//! without saving it.

mod dto;
mod handlers;
mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/segments` (mounted under `/v1`). Fixed paths come before `{id}` ones.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::preview_segment)
        .service(handlers::create_segment)
        .service(handlers::list_segments)
        .service(handlers::get_segment)
        .service(handlers::update_segment)
        .service(handlers::delete_segment)
        .service(handlers::list_segment_contacts)
        .service(handlers::count_segment_contacts)
        .service(handlers::add_segment_members)
        .service(handlers::remove_segment_members);
}
