//! `/healthz`, `/readyz`, `/metrics`.

use std::time::Duration;

use actix_web::{HttpResponse, get, web};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    platform::{cache, db, metrics::Metrics},
    state::AppState,
};

/// Liveness.
#[derive(Serialize, ToSchema)]
pub struct HealthOut {
    #[schema(example = "ok")]
    pub status: String,
}

/// State of one dependency.
#[derive(Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    Error,
    NotConfigured,
}

/// Readiness of each dependency.
#[derive(Serialize, ToSchema)]
pub struct ReadinessChecks {
    pub database: CheckStatus,
    pub redis: CheckStatus,
}

/// Readiness.
#[derive(Serialize, ToSchema)]
pub struct ReadinessOut {
    /// `ok` when every configured dependency answers, else `unavailable`.
    #[schema(example = "ok")]
    pub status: String,
    pub checks: ReadinessChecks,
}

/// Liveness probe
///
/// Answers 200 while the process is up. Does not touch dependencies.
#[utoipa::path(operation_id = "healthz",
    security(()), tag = "ops", responses((status = 200, description = "The process is up.", body = HealthOut)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<HealthOut> {
    web::Json(HealthOut { status: "ok".into() })
}

/// Readiness probe
///
/// Answers 200 when the database (and Redis, when configured) answer, 503 otherwise.
#[utoipa::path(
    operation_id = "readyz",
    security(()),
    tag = "ops",
    responses(
        (status = 200, description = "Ready to serve.", body = ReadinessOut),
        (status = 503, description = "A dependency is down.", body = ReadinessOut),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let database = match tokio::time::timeout(Duration::from_secs(2), state.db.execute_unprepared("SELECT 1")).await {
        Ok(Ok(_)) => CheckStatus::Ok,
        _ => CheckStatus::Error,
    };
    let redis = match &state.redis {
        None => CheckStatus::NotConfigured,
        Some(pool) => match cache::ping(pool).await {
            Ok(()) => CheckStatus::Ok,
            Err(_) => CheckStatus::Error,
        },
    };
    let ready = database == CheckStatus::Ok && redis != CheckStatus::Error;
    let body = ReadinessOut {
        status: if ready { "ok" } else { "unavailable" }.into(),
        checks: ReadinessChecks { database, redis },
    };
    if ready { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}

/// Prometheus metrics
///
/// Request counts by route/method/status, a latency histogram, database pool gauges, and the
/// job queue (depth by queue and status; runs and run time by job type), in the Prometheus text
/// format.
#[utoipa::path(
    operation_id = "metrics",
    security(()),
    tag = "ops",
    responses((status = 200, description = "Prometheus text exposition.", body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> HttpResponse {
    let (size, idle) = db::pool_stats(&state.db);
    metrics.set_db_pool(size, idle);
    match crate::platform::jobs::store::depth(&state.db).await {
        Ok(counts) => metrics.set_job_queue_depth(&counts),
        Err(e) => tracing::warn!(error = %e, "counting queued jobs for /metrics failed"),
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(metrics.render())
}
