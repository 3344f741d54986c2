//! Building and running the service: connections, migrations, state, the route table and the
//! middleware stack. `Application::build` is what `campaign-os serve` and the tests both use.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_cors::Cors;
use actix_web::{
    App, HttpResponse, HttpServer,
    dev::Server,
    http::header,
    middleware::{Compress, Condition, from_fn},
    web,
};
use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    api_keys, audit,
    config::Settings,
    guides, identity, openapi, ops,
    platform::{
        auth::{api_keys::ApiKeyResolver, jwt, snapshots::AuthSnapshots},
        cache,
        crypto::ServerKeys,
        db,
        extract::{self, BodyLimit},
        fallback::{self, RouteTable},
        generation, idempotency, jobs,
        mail::Mailer,
        metrics::{self, Metrics},
        rate_limit::{self, RateLimiter},
        request_id, security_headers,
    },
    state::AppState,
};

/// Every route of the service. The router and the OpenAPI document are both built from this.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/v1")
            .configure(identity::configure)
            .configure(api_keys::configure)
            .configure(crate::organizations::configure)
            .configure(crate::audit::configure)
            .configure(crate::events::configure)
            .configure(crate::admin::configure)
            .configure(crate::crm::configure)
            .configure(crate::catalog::configure)
            .configure(crate::webhooks::configure)
            .configure(crate::jobs::configure),
    );
    cfg.configure(ops::configure);
}

/// Picks the process-wide rustls crypto provider (two are compiled in through dependencies).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Connects (and migrates, if configured) and builds the state shared by the API and the job
/// worker: what `serve` and `worker` both start from.
pub async fn build_state(settings: Settings) -> anyhow::Result<Arc<AppState>> {
    install_crypto_provider();
    let db = db::connect(&settings).await?;
    if settings.migrate_on_start {
        Migrator::up(&db, None).await.context("applying migrations failed")?;
    }
    let redis = match &settings.redis_url {
        Some(url) => Some(cache::connect(url).await?),
        None => None,
    };
    let jwt_secret = jwt::load_or_generate_secret(settings.jwt_secret.as_ref(), &settings.data_dir)?;
    let settings = Arc::new(settings);
    Ok(Arc::new(AppState {
        db,
        redis: redis.clone(),
        jwt: jwt::JwtKeys::new(&jwt_secret, settings.access_token_ttl_secs),
        api_keys: ApiKeyResolver::new(Duration::from_secs(settings.api_key_cache_ttl_secs)),
        auth: AuthSnapshots::new(Duration::from_secs(settings.api_key_cache_ttl_secs)),
        keys: ServerKeys::new(jwt_secret.expose_secret().as_bytes()),
        mailer: Mailer::from_settings(&settings)?,
        rate_limiter: RateLimiter::new(&settings, redis.clone()),
        files: crate::platform::storage::FileStore::local(&settings.data_dir)?,
        contact_lists: crate::crm::contacts::list_cache::ContactListCache::new(settings.contact_list_cache_bytes),
        webhooks: crate::webhooks::delivery::Deliverer::from_settings(&settings)?,
        settings: settings.clone(),
    }))
}

/// Starts a job worker running every registered job type and recurring schedule, configured
/// from the settings (`job_*` keys).
pub async fn start_worker(state: Arc<AppState>, metrics: Option<Metrics>) -> anyhow::Result<jobs::WorkerHandle> {
    start_worker_on(state, metrics, Vec::new()).await
}

/// [`start_worker`] limited to some queues (all when `queues` is empty).
pub async fn start_worker_on(
    state: Arc<AppState>,
    metrics: Option<Metrics>,
    queues: Vec<String>,
) -> anyhow::Result<jobs::WorkerHandle> {
    let s = &state.settings;
    let schedules = crate::jobs::registry::schedules();
    jobs::schedule::validate(&schedules)?;
    let options = jobs::WorkerOptions {
        id: jobs::WorkerOptions::default_id(),
        concurrency: s.job_concurrency()?,
        default_concurrency: s.job_default_concurrency,
        poll_interval: Duration::from_millis(s.job_poll_interval_ms),
        lease: Duration::from_secs(s.job_lease_secs),
        shutdown_grace: Duration::from_secs(s.shutdown_timeout_secs),
        queues,
        engine_db: db::connect_for_jobs(s).await?,
    };
    let registry = crate::jobs::registry::all(s.diagnostic_jobs);
    Ok(jobs::start(state, registry, schedules, jobs::clock::system(), metrics, options))
}

/// Serves `GET /metrics` alone on `bind` (for `campaign-os worker --metrics-bind`: a worker has no
/// API server, but its job counters must be scraped). Returns the running server.
pub fn serve_metrics(bind: &str, state: Arc<AppState>, metrics: Metrics) -> anyhow::Result<Server> {
    let state = web::Data::from(state);
    let metrics = web::Data::new(metrics);
    let server =
        HttpServer::new(move || App::new().app_data(state.clone()).app_data(metrics.clone()).service(ops::metrics))
            .workers(1)
            .disable_signals()
            .bind(bind)
            .with_context(|| format!("cannot listen on {bind} for metrics"))?
            .run();
    Ok(server)
}

/// A built, listening, not yet running server (with its embedded job worker, if configured).
pub struct Application {
    port: u16,
    server: Server,
    worker: Option<jobs::WorkerHandle>,
}

impl Application {
    /// Connects, migrates (if configured), binds and builds the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(settings.bind_addr()?).with_context(|| format!("cannot listen on {}", settings.bind))?;
        let addr = listener.local_addr()?;
        let shared = build_state(settings).await?;
        let settings = shared.settings.clone();
        let state = web::Data::from(shared.clone());
        idempotency::spawn_sweeper(&state);
        let metrics = Metrics::new()?;
        let worker =
            if settings.worker_embedded { Some(start_worker(shared, Some(metrics.clone())).await?) } else { None };
        let metrics = web::Data::new(metrics);
        let spec = openapi::spec();
        let route_table = web::Data::new(RouteTable::from_spec(&spec));

        let server_settings = settings.clone();
        let mut server = HttpServer::new(move || {
            let s = &server_settings;
            let (app, _) = App::new().into_utoipa_app().configure(routes).split_for_parts();
            app.app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(route_table.clone())
                .app_data(BodyLimit(s.max_body_bytes))
                .app_data(extract::path_config())
                .app_data(extract::query_config())
                .app_data(web::PayloadConfig::new(s.max_body_bytes))
                .service(SwaggerUi::new("/api-docs/{_:.*}").url("/openapi.json", spec.clone()))
                .route("/api-docs", web::get().to(redirect_to_docs))
                .configure(guides::configure)
                .default_service(web::to(fallback::default_service))
                .wrap(from_fn(generation::middleware))
                .wrap(from_fn(audit::denials::middleware))
                .wrap(from_fn(idempotency::middleware))
                .wrap(from_fn(rate_limit::middleware::middleware))
                .wrap(Condition::new(!s.cors_origins().is_empty(), cors(&s.cors_origins())))
                .wrap(Compress::default())
                .wrap(from_fn(security_headers::middleware))
                .wrap(from_fn(metrics::middleware))
                .wrap(from_fn(request_id::middleware))
        })
        .listen(listener)?
        .shutdown_timeout(settings.shutdown_timeout_secs);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let server = server.run();
        tracing::info!(
            address = %addr,
            database = if settings.is_sqlite() { "sqlite" } else { "postgres" },
            redis = settings.redis_url.is_some(),
            "Campaign OS listening on http://{addr} — API docs at http://{addr}/api-docs/"
        );
        Ok(Self { port: addr.port(), server, worker })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then drains in-flight requests and stops the job worker
    /// (running jobs finish, or are given back to the queue after the shutdown timeout).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(worker) = self.worker {
            worker.shutdown().await;
        }
        served
    }
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/api-docs/")).finish()
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header("idempotency-key")
        .allowed_header("x-request-id")
        .allowed_header("x-tenant-id")
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            rate_limit::middleware::LIMIT,
            rate_limit::middleware::REMAINING,
            rate_limit::middleware::RESET,
            header::RETRY_AFTER,
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        cors = cors.allow_any_origin();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    cors
}
