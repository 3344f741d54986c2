//! Campaign OS database entities, one file per table, and the tenant-scoped finders.
//!
//! A tenant-owned table is read only through its `find_in(tenant_id)` finder (svix's
//! `secure_find`): a bare `Entity::find()` on such a table outside this crate is a bug.

pub mod api_key;
pub mod audit_event;
pub mod company;
pub mod contact;
pub mod contact_tag;
pub mod email_token;
pub mod event;
pub mod export;
pub mod field_definition;
pub mod idempotency_key;
pub mod import;
pub mod invitation;
pub mod job;
pub mod job_receipt;
pub mod job_schedule;
pub mod membership;
pub mod note;
pub mod product;
pub mod recovery_code;
pub mod refresh_token;
pub mod sandbox_email;
pub mod segment;
pub mod segment_member;
pub mod tag;
pub mod tenant;
pub mod tenant_generation;
pub mod user;
pub mod webhook_attempt;
pub mod webhook_endpoint;
pub mod webhook_message;

pub use sea_orm;
