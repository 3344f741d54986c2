//! Configuration: built-in defaults → optional `campaign-os.toml` (or the file named by
//! `COS_CONFIG`) → `COS_*` environment variables (plus `DATABASE_URL` and `REDIS_URL`).
//! Validated once at start-up; a bad value stops the start with a message naming the key.

use std::{net::SocketAddr, path::PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The service's settings. Field names are the TOML keys; the environment variable is the
/// upper-cased name with a `COS_` prefix (`bind` → `COS_BIND`). Unknown TOML keys are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub bind: String,
    /// Database URL: `sqlite://PATH` (embedded default) or `postgres://…`. Also `DATABASE_URL`.
    pub database_url: String,
    /// Maximum database connections in the pool.
    pub database_max_connections: u32,
    /// Redis URL (optional). Also `REDIS_URL`.
    pub redis_url: Option<String>,
    /// Directory for generated local state (the JWT secret when none is configured) and, under
    /// `files/`, stored files (import uploads, error reports, exports). The SQLite file's location
    /// is part of `database_url`.
    pub data_dir: PathBuf,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `campaign_os=debug,info`.
    pub log_level: String,
    /// HMAC secret for access tokens (≥ 32 bytes). Generated into the data directory when unset.
    #[serde(skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    /// Access token lifetime, seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime, seconds.
    pub refresh_token_ttl_secs: u64,
    /// Largest accepted request body, bytes.
    pub max_body_bytes: usize,
    /// Origins allowed by CORS, comma-separated; `*` allows any; empty disables CORS.
    pub cors_allowed_origins: String,
    /// HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// Seconds an in-flight request gets to finish on SIGTERM/SIGINT.
    pub shutdown_timeout_secs: u64,
    /// Seconds a resolved API key stays cached in memory (revocation on this node is immediate).
    pub api_key_cache_ttl_secs: u64,
    /// Run pending migrations at start-up (`serve`).
    pub migrate_on_start: bool,
    /// Base URL of the web app or API that email links point to (tokens are appended).
    pub public_url: String,
    /// SMTP server for outgoing email, e.g. `smtps://user:pass@smtp.example.com:465`. When unset,
    /// email goes to the sandbox mailbox (readable by operators at `/v1/admin/sandbox/emails`).
    #[serde(skip_serializing)]
    pub smtp_url: Option<SecretString>,
    /// The `From` address of outgoing email.
    pub mail_from: String,
    /// Seats (members + pending invitations) per organisation unless billing sets another limit.
    pub default_seat_limit: u32,
    /// Lifetime of an invitation, seconds.
    pub invitation_ttl_secs: u64,
    /// Lifetime of an email-verification link, seconds.
    pub email_verification_ttl_secs: u64,
    /// Lifetime of a password-reset link, seconds.
    pub password_reset_ttl_secs: u64,
    /// How long an API key's old secret keeps working after a rotation, seconds (default).
    pub api_key_rotation_grace_secs: u64,
    /// How long a stored idempotent response is kept, seconds.
    pub idempotency_ttl_secs: u64,
    /// Prefix of every Redis key this service writes (several deployments can share a Redis).
    pub redis_key_prefix: String,
    /// Turn rate limiting on or off (tests and benchmarks may raise the limits instead).
    pub rate_limit_enabled: bool,
    /// Requests per minute per API key.
    pub rate_limit_api_key_per_minute: u32,
    /// Requests per minute per logged-in user.
    pub rate_limit_user_per_minute: u32,
    /// Requests per minute per client IP for unauthenticated requests.
    pub rate_limit_ip_per_minute: u32,
    /// Requests per minute per IP to login, signup, password reset and the 2FA step.
    pub rate_limit_auth_per_minute: u32,
    /// Login attempts per account per 15 minutes (brute-force throttle).
    pub rate_limit_login_per_account: u32,
    /// Largest accepted CSV upload for a contact import, bytes (streamed to file storage).
    pub import_max_bytes: u64,
    /// Memory for cached `GET /v1/contacts` pages on this server, bytes; 0 turns the cache off.
    pub contact_list_cache_bytes: u64,
    /// How long domain events (`GET /v1/events`) are kept, days (1–3650).
    pub event_retention_days: u32,
    /// Run the job worker inside `serve` (turn off when `campaign-os worker` processes run jobs).
    pub worker_embedded: bool,
    /// Jobs run at once per queue, e.g. `crm=2,webhooks=32`; unlisted queues use
    /// `job_default_concurrency`.
    pub job_concurrency: String,
    pub job_default_concurrency: usize,
    /// How often an idle queue looks for due jobs, milliseconds.
    pub job_poll_interval_ms: u64,
    /// A running job's lease, seconds: a job whose worker stops renewing it is taken back after this.
    pub job_lease_secs: u64,
    /// How long succeeded jobs are kept, hours (dead jobs stay until an operator retries or discards them).
    pub job_retention_hours: u64,
    /// Run the diagnostic job type `diag.receipt` (benchmarks and the worker crash test only).
    pub diagnostic_jobs: bool,
    /// Allow `http://` webhook endpoint URLs (development only; https otherwise).
    pub webhook_allow_http: bool,
    /// Networks (comma-separated CIDRs, e.g. `127.0.0.0/8,::1/128`) that webhook endpoints may
    /// reach although they are private, loopback or link-local. Empty by default.
    pub webhook_allowed_networks: String,
    /// Total time a webhook delivery request may take (connect, send, response), seconds.
    pub webhook_timeout_secs: u64,
    /// How long an endpoint's previous signing secret is still used after a rotation, seconds.
    pub webhook_secret_grace_secs: u64,
    /// An endpoint whose deliveries keep failing (no success in between) for this long is
    /// disabled (`disabled_reason: failing`), seconds.
    pub webhook_disable_after_secs: u64,
    /// How long webhook messages and their delivery attempts are kept, days (1–3650).
    pub webhook_retention_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://./data/campaign-os.db".into(),
            database_max_connections: 16,
            redis_url: None,
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            jwt_secret: None,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            max_body_bytes: 1024 * 1024,
            cors_allowed_origins: String::new(),
            workers: None,
            shutdown_timeout_secs: 30,
            api_key_cache_ttl_secs: 30,
            migrate_on_start: true,
            public_url: "http://127.0.0.1:8080".into(),
            smtp_url: None,
            mail_from: "Campaign OS <no-reply@campaign-os.local>".into(),
            default_seat_limit: 25,
            invitation_ttl_secs: 7 * 24 * 3600,
            email_verification_ttl_secs: 48 * 3600,
            password_reset_ttl_secs: 3600,
            api_key_rotation_grace_secs: 24 * 3600,
            idempotency_ttl_secs: 24 * 3600,
            redis_key_prefix: "cos".into(),
            rate_limit_enabled: true,
            rate_limit_api_key_per_minute: 6000,
            rate_limit_user_per_minute: 1200,
            rate_limit_ip_per_minute: 600,
            rate_limit_auth_per_minute: 20,
            rate_limit_login_per_account: 10,
            import_max_bytes: 512 * 1024 * 1024,
            contact_list_cache_bytes: 64 * 1024 * 1024,
            event_retention_days: 30,
            worker_embedded: true,
            job_concurrency: "webhooks=32".into(),
            job_default_concurrency: 4,
            job_poll_interval_ms: 250,
            job_lease_secs: 60,
            job_retention_hours: 72,
            diagnostic_jobs: false,
            webhook_allow_http: false,
            webhook_allowed_networks: String::new(),
            webhook_timeout_secs: 15,
            webhook_secret_grace_secs: 24 * 3600,
            webhook_disable_after_secs: 5 * 24 * 3600,
            webhook_retention_days: 30,
        }
    }
}

/// A configuration problem, naming the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Loads defaults → TOML file → `DATABASE_URL`/`REDIS_URL` → `COS_*` (later wins).
    /// `./campaign-os.toml` is optional; a file named by `COS_CONFIG` must exist.
    pub fn load() -> Result<Self, ConfigError> {
        let file = match std::env::var("COS_CONFIG") {
            Ok(path) if !std::path::Path::new(&path).is_file() => {
                return Err(ConfigError(format!("COS_CONFIG names `{path}`, which is not a readable file")));
            }
            Ok(path) => Some(path),
            Err(_) => Some("campaign-os.toml".to_owned()).filter(|p| std::path::Path::new(p).is_file()),
        };
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let figment = figment
            .merge(Env::raw().only(&["DATABASE_URL", "REDIS_URL"]))
            .merge(Env::prefixed("COS_").only(&Self::keys().iter().map(String::as_str).collect::<Vec<_>>()));
        let settings: Settings = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            let env = if key.is_empty() { String::new() } else { format!(" (env COS_{})", key.to_uppercase()) };
            ConfigError(format!("key `{key}`{env}: {}", e.kind))
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Every configuration key (the `COS_*` variables read are exactly these).
    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = serde_json::to_value(Settings::default())
            .ok()
            .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
            .unwrap_or_default();
        keys.push("jwt_secret".into());
        keys.push("smtp_url".into());
        keys
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        let db = self.database_url.as_str();
        if !(db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://")) {
            return Err(ConfigError(
                "key `database_url` (env COS_DATABASE_URL / DATABASE_URL): expected a sqlite: or postgres:// URL"
                    .into(),
            ));
        }
        if let Some(url) = &self.redis_url
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(ConfigError("key `redis_url` (env COS_REDIS_URL / REDIS_URL): expected a redis:// URL".into()));
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError("key `database_max_connections`: must be at least 1".into()));
        }
        if !(60..=86_400).contains(&self.access_token_ttl_secs) {
            return Err(ConfigError("key `access_token_ttl_secs`: must be between 60 and 86400".into()));
        }
        if self.refresh_token_ttl_secs < self.access_token_ttl_secs {
            return Err(ConfigError(
                "key `refresh_token_ttl_secs`: must not be shorter than access_token_ttl_secs".into(),
            ));
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.max_body_bytes) {
            return Err(ConfigError("key `max_body_bytes`: must be between 1024 and 67108864".into()));
        }
        if let Some(secret) = &self.jwt_secret {
            use secrecy::ExposeSecret;
            if secret.expose_secret().len() < 32 {
                return Err(ConfigError("key `jwt_secret` (env COS_JWT_SECRET): must be at least 32 bytes".into()));
            }
        }
        if !(1024..=16 * 1024 * 1024 * 1024).contains(&self.import_max_bytes) {
            return Err(ConfigError("key `import_max_bytes`: must be between 1024 and 17179869184".into()));
        }
        self.job_concurrency()?;
        if !(1..=1024).contains(&self.job_default_concurrency) {
            return Err(ConfigError("key `job_default_concurrency`: must be between 1 and 1024".into()));
        }
        if !(10..=60_000).contains(&self.job_poll_interval_ms) {
            return Err(ConfigError("key `job_poll_interval_ms`: must be between 10 and 60000".into()));
        }
        if !(5..=86_400).contains(&self.job_lease_secs) {
            return Err(ConfigError("key `job_lease_secs`: must be between 5 and 86400".into()));
        }
        if self.job_retention_hours == 0 {
            return Err(ConfigError("key `job_retention_hours`: must be at least 1".into()));
        }
        if !(1..=3650).contains(&self.event_retention_days) {
            return Err(ConfigError("key `event_retention_days`: must be between 1 and 3650".into()));
        }
        if let Some(0) = self.workers {
            return Err(ConfigError("key `workers`: must be at least 1".into()));
        }
        for origin in self.cors_origins() {
            let valid = origin == "*"
                || ((origin.starts_with("https://") || origin.starts_with("http://"))
                    && !origin.split_once("://").is_some_and(|(_, rest)| rest.is_empty() || rest.contains('/')));
            if !valid {
                return Err(ConfigError(format!(
                    "key `cors_allowed_origins` (env COS_CORS_ALLOWED_ORIGINS): `{origin}` is not an origin like https://app.example.com"
                )));
            }
        }
        if let Some(url) = &self.smtp_url {
            use secrecy::ExposeSecret;
            let url = url.expose_secret();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(ConfigError(
                    "key `smtp_url` (env COS_SMTP_URL): expected an smtp:// or smtps:// URL".into(),
                ));
            }
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError("key `public_url` (env COS_PUBLIC_URL): expected an http(s):// URL".into()));
        }
        for (key, value) in [
            ("rate_limit_api_key_per_minute", self.rate_limit_api_key_per_minute),
            ("rate_limit_user_per_minute", self.rate_limit_user_per_minute),
            ("rate_limit_ip_per_minute", self.rate_limit_ip_per_minute),
            ("rate_limit_auth_per_minute", self.rate_limit_auth_per_minute),
            ("rate_limit_login_per_account", self.rate_limit_login_per_account),
            ("default_seat_limit", self.default_seat_limit),
        ] {
            if value == 0 {
                return Err(ConfigError(format!("key `{key}`: must be at least 1")));
            }
        }
        if !(60..=7 * 24 * 3600).contains(&self.idempotency_ttl_secs) {
            return Err(ConfigError("key `idempotency_ttl_secs`: must be between 60 and 604800".into()));
        }
        crate::webhooks::ssrf::parse_networks(&self.webhook_allowed_networks).map_err(|e| {
            ConfigError(format!("key `webhook_allowed_networks` (env COS_WEBHOOK_ALLOWED_NETWORKS): {e}"))
        })?;
        if !(1..=300).contains(&self.webhook_timeout_secs) {
            return Err(ConfigError("key `webhook_timeout_secs`: must be between 1 and 300".into()));
        }
        if self.webhook_secret_grace_secs > 7 * 24 * 3600 {
            return Err(ConfigError("key `webhook_secret_grace_secs`: must be between 0 and 604800".into()));
        }
        if !(1..=90 * 24 * 3600).contains(&self.webhook_disable_after_secs) {
            return Err(ConfigError("key `webhook_disable_after_secs`: must be between 1 and 7776000".into()));
        }
        if !(1..=3650).contains(&self.webhook_retention_days) {
            return Err(ConfigError("key `webhook_retention_days`: must be between 1 and 3650".into()));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log_level)
            .map_err(|e| ConfigError(format!("key `log_level` (env COS_LOG_LEVEL): {e}")))?;
        Ok(())
    }

    /// The listen address.
    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.bind
            .parse()
            .map_err(|_| ConfigError(format!("key `bind` (env COS_BIND): `{}` is not an ADDRESS:PORT", self.bind)))
    }

    /// CORS origins as a list.
    pub fn cors_origins(&self) -> Vec<String> {
        self.cors_allowed_origins.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    /// `job_concurrency` parsed: queue name → jobs at once.
    pub fn job_concurrency(&self) -> Result<std::collections::HashMap<String, usize>, ConfigError> {
        let bad = |item: &str| {
            ConfigError(format!(
                "key `job_concurrency` (env COS_JOB_CONCURRENCY): `{item}` is not `queue=n` with n between 1 and 1024"
            ))
        };
        let mut map = std::collections::HashMap::new();
        for item in self.job_concurrency.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (queue, n) = item.split_once('=').ok_or_else(|| bad(item))?;
            let n: usize = n.trim().parse().map_err(|_| bad(item))?;
            if queue.trim().is_empty() || !(1..=1024).contains(&n) {
                return Err(bad(item));
            }
            map.insert(queue.trim().to_owned(), n);
        }
        Ok(map)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}
