//! `job_receipts`: written by the diagnostic job type `diag.receipt` (`api/src/jobs/diagnostic.rs`):
//! one row per idempotency key, with how many times a handler ran for it. Platform data used by
//! the job benchmark and the worker crash test; nothing else reads it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_receipts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub runs: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
