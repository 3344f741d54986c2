//! Outbound webhooks: the endpoints an organisation's events are delivered to, their signing
//! secrets (Standard Webhooks, `signature`), where requests may go (`ssrf`), and delivery:
//! `fanout` turns appended events into messages and delivery jobs in the event's transaction;
//! `delivery` is the job that POSTs a message (retries, rate limits, auto-disable); `messages`,
//! `attempts` and `replay` are the API over what was sent; `catalogue` lists the event types.

pub mod attempts;
pub mod catalogue;
pub mod delivery;
pub mod endpoints;
pub mod event_types;
pub mod fanout;
pub mod messages;
pub mod payload;
pub mod queue;
pub mod replay;
pub mod signature;
pub mod ssrf;
pub mod sweep;

pub use endpoints::service::{DisabledReason, secrets_of, signing_secrets};

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers `/webhooks/…` and `/webhook-event-types` (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(endpoints::configure)
        .configure(messages::configure)
        .configure(attempts::configure)
        .configure(replay::configure)
        .configure(catalogue::configure);
}
