//! Benchmark helper for `scripts/bench-jobs`: enqueues N `diag.receipt` jobs in ONE transaction
//! through the engine's own `enqueue_many`, and prints the time it took as JSON.
//!
//! `COS_DATABASE_URL=… cargo run --release --example enqueue_jobs -- 100000 [key-prefix]`

#![allow(clippy::print_stdout, reason = "a command-line tool")]

use std::time::Instant;

use campaign_os::{
    config::Settings,
    jobs::diagnostic::Receipt,
    platform::{
        db,
        jobs::{Clock, NewJob, clock::SystemClock, enqueue_many},
    },
};
use sea_orm::TransactionTrait;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().unwrap_or_else(|| "100000".into()).parse()?;
    let prefix = args.next().unwrap_or_else(|| "bench".into());
    let settings = Settings::load()?;
    campaign_os::startup::install_crypto_provider();
    let db = db::connect(&settings).await?;
    let jobs: Vec<NewJob> =
        (0..count).map(|i| NewJob::of(&Receipt { key: format!("{prefix}-{i}") })).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let txn = db.begin().await?;
    let inserted = enqueue_many(&txn, SystemClock.now_ms(), jobs).await?;
    txn.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    println!("{}", serde_json::json!({"enqueued": inserted, "seconds": seconds}));
    Ok(())
}
