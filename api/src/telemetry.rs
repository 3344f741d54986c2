//! Logging: `tracing` with pretty or JSON output. Every line written while a request is being
//! served carries that request's span, and so its `request_id`.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, Settings};

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init(settings: &Settings) {
    // sqlx logs every statement at INFO; keep it quiet unless asked for.
    let filter = EnvFilter::try_new(format!("sqlx=warn,sea_orm=warn,sea_orm_migration=warn,{}", settings.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match settings.log_format {
        LogFormat::Json => registry
            .with(fmt::layer().json().with_current_span(true).with_span_list(false).with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().compact().with_writer(std::io::stderr)).try_init(),
    };
}
