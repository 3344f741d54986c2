//! The integration test suite: every test spawns the real application on 127.0.0.1:0 and talks
//! HTTP to it. SQLite by default; PostgreSQL (a fresh schema per test) and Redis when
//! `COS_TEST_DATABASE_URL` / `COS_TEST_REDIS_URL` are set (scripts/test sets them).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly by design")]

mod admin;
mod agencies;
mod api_keys;
mod audit;
mod cli;
mod crm_companies;
mod crm_contacts;
mod crm_exports;
mod crm_fields;
mod crm_filter;
mod crm_imports;
mod crm_notes;
mod crm_products;
mod crm_segments;
mod crm_tags;
mod email_flows;
mod events;
mod helpers;
mod idempotency;
mod identity;
mod jobs;
mod mfa;
mod ops;
mod organizations;
mod platform;
mod rate_limits;
mod sessions;
mod smtp;
mod tokens;
mod webhooks;
mod webhooks_delivery;
