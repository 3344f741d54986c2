//! Campaign OS database entities, one file per table, and the tenant-scoped finders.
//!
//! A tenant-owned table is read only through its `find_in(tenant_id)` finder (svix's
//! `secure_find`): a bare `Entity::find()` on such a table outside this crate is a bug.

pub mod api_key;
pub mod audit_event;
pub mod email_token;
pub mod idempotency_key;
pub mod invitation;
pub mod membership;
pub mod recovery_code;
pub mod refresh_token;
pub mod sandbox_email;
pub mod tenant;
pub mod user;

pub use sea_orm;
