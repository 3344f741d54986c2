//! Organisations and access: the current organisation, members and roles, invitations,
//! workspace switching, and agencies with their client workspaces. The role × scope matrix is
//! in `platform::auth::scopes` and documented in `docs/access-control.md`.

mod clients;
mod common;
pub mod dto;
mod invitations;
mod members;
mod organization;
mod switch;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/organization`, `/members`, `/invitations`, `/me/organizations`, `/auth/switch`
/// and `/clients` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(organization::get_organization)
        .service(organization::update_organization)
        .service(members::list_members)
        .service(members::update_member)
        .service(members::delete_member)
        // `/invitations/accept` before `/invitations/{id}`-style routes of the same method.
        .service(invitations::accept_invitation)
        .service(invitations::create_invitation)
        .service(invitations::list_invitations)
        .service(invitations::delete_invitation)
        .service(switch::list_my_organizations)
        .service(switch::switch_organization)
        .service(clients::create_client)
        .service(clients::list_clients)
        .service(clients::get_client);
}
