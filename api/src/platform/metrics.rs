//! Prometheus metrics: requests by route/method/status, a latency histogram by route/method,
//! and the database pool's size. Routes are labelled by their pattern (`/v1/api-keys/{id}`),
//! never by the raw path, so label cardinality stays bounded.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

/// The service's metric families.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    db_pool: IntGaugeVec,
    rate_limited: IntCounterVec,
    idempotency: IntCounterVec,
    jobs_finished: IntCounterVec,
    job_duration: HistogramVec,
    job_queue_depth: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("cos".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served, by route pattern, method and status."),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency, by route pattern and method.")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["route", "method"],
        )?;
        let db_pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections, by state (idle, in_use)."),
            &["state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let rate_limited = IntCounterVec::new(
            Opts::new("rate_limited_total", "Requests refused by a rate limit, by bucket (api_key, user, ip, auth)."),
            &["bucket"],
        )?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        let idempotency = IntCounterVec::new(
            Opts::new(
                "idempotency_requests_total",
                "POSTs sent with an Idempotency-Key, by outcome (executed, replayed, in_use, reused, invalid).",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(idempotency.clone()))?;
        let jobs_finished = IntCounterVec::new(
            Opts::new(
                "jobs_finished_total",
                "Background job runs, by job type and outcome (succeeded, retried, snoozed, dead).",
            ),
            &["kind", "outcome"],
        )?;
        let job_duration = HistogramVec::new(
            HistogramOpts::new("job_duration_seconds", "Background job run time, by job type.")
                .buckets(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0]),
            &["kind"],
        )?;
        let job_queue_depth = IntGaugeVec::new(
            Opts::new(
                "job_queue_depth",
                "Jobs in the queue at scrape time, by queue and status (pending, running, dead).",
            ),
            &["queue", "status"],
        )?;
        registry.register(Box::new(jobs_finished.clone()))?;
        registry.register(Box::new(job_duration.clone()))?;
        registry.register(Box::new(job_queue_depth.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            db_pool,
            rate_limited,
            idempotency,
            jobs_finished,
            job_duration,
            job_queue_depth,
        })
    }

    /// Sets the pool gauges.
    pub fn set_db_pool(&self, size: u32, idle: usize) {
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.db_pool.with_label_values(&["idle"]).set(idle);
        self.db_pool.with_label_values(&["in_use"]).set(i64::from(size) - idle);
    }

    /// Counts a request refused by the rate limiter.
    pub fn rate_limited(&self, bucket: &str) {
        self.rate_limited.with_label_values(&[bucket]).inc();
    }

    /// Counts a request sent with an `Idempotency-Key`, by what became of it.
    pub fn idempotency(&self, outcome: &str) {
        self.idempotency.with_label_values(&[outcome]).inc();
    }

    /// Records the end of a job run (`outcome`: succeeded, retried, dead).
    pub fn job_finished(&self, kind: &str, outcome: &str, seconds: f64) {
        self.jobs_finished.with_label_values(&[kind, outcome]).inc();
        self.job_duration.with_label_values(&[kind]).observe(seconds);
    }

    /// Sets the queue-depth gauges from a fresh count (series absent from `counts` go to 0).
    pub fn set_job_queue_depth(&self, counts: &[(String, String, i64)]) {
        self.job_queue_depth.reset();
        for (queue, status, n) in counts {
            self.job_queue_depth.with_label_values(&[queue.as_str(), status.as_str()]).set(*n);
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Middleware recording each request.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let started = Instant::now();
    let method = req.method().to_string();
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16().to_string();
        metrics.requests.with_label_values(&[route.as_str(), method.as_str(), status.as_str()]).inc();
        metrics.latency.with_label_values(&[route.as_str(), method.as_str()]).observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}
