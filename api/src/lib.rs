//! Campaign OS: a headless, multi-tenant marketing platform served as a versioned REST API.
//!
//! `startup` builds the service; `platform` holds the cross-cutting contract pieces; each
//! capability (`identity`, `api_keys`, `ops`) is a folder with its routes, DTOs and service.
//! See `docs/ARCHITECTURE.md` for the tour.

pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod catalog;
pub mod config;
pub mod crm;
pub mod error;
pub mod events;
pub mod guides;
pub mod identity;
pub mod jobs;
pub mod openapi;
pub mod ops;
pub mod organizations;
pub mod platform;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;
