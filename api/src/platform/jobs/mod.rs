//! The job engine: durable background jobs in the database (`jobs`, `job_schedules`), on
//! Postgres (many workers, claimed with `FOR UPDATE SKIP LOCKED`) and SQLite (one process).
//!
//! - Define a job type with [`Job`] and add it to the registry (`crate::jobs::registry`).
//! - Enqueue with [`enqueue`] through the caller's transaction, so the job commits with the state
//!   change that caused it; then call [`wake`] so this process starts it without waiting a poll.
//! - `run_at` for exact-time work, `unique` keys, retries with backoff and jitter, dead jobs kept
//!   for operators, recurring jobs ([`Recurring`]), per-queue concurrency, leases renewed while a
//!   job runs and taken back when its worker dies, graceful shutdown.
//!
//! Why our own table rather than apalis: `docs/ARCHITECTURE.md` ("Job engine").

pub mod backoff;
pub mod clock;
pub mod enqueue;
pub mod job;
pub mod schedule;
pub mod store;
pub mod worker;

pub use clock::{Clock, ManualClock, SharedClock};
pub use enqueue::{NewJob, bring_forward, enqueue, enqueue_many};
pub use job::{Job, JobContext, JobError, Registry};
pub use schedule::Recurring;
pub use worker::{WorkerHandle, WorkerOptions, start, wake};
