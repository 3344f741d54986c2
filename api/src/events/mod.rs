//! Domain events: every state change that others care about appends an event (`contact.created`,
//! `api_key.revoked`, …) in the same transaction as the change (`record::append`). The catalogue
//! of types and their data is defined once in `catalogue`; `GET /v1/events` lists them; the
//! retention sweep (`service::sweep_expired`) deletes those older than `event_retention_days`.
//! See `docs/events.md`.

pub mod catalogue;
pub mod dto;
mod handlers;
pub mod record;
pub mod service;
pub mod sweep;

pub use catalogue::{Event, EventType, EventTypeInfo};
pub use record::{append, append_many};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/events` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_events).service(handlers::get_event);
}
