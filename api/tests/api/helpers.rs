//! Test harness (after zero2prod's `spawn_app`): a fresh database and a fresh tenant per test.

use campaign_os::{config::Settings, startup::Application};
use reqwest::{Response, StatusCode, header};
use sea_orm::sqlx::{Connection, PgConnection};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    /// The settings the app was built with (database URL, Redis prefix, limits…).
    #[allow(dead_code, reason = "not every test module reads it")]
    pub settings: Settings,
    _db: DbGuard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Owns the per-test database: a temp directory (SQLite) or a schema dropped on drop (Postgres).
enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base_url: String, schema: String, _dir: tempfile::TempDir },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { base_url, schema, .. } = self {
            let (url, schema) = (base_url.clone(), schema.clone());
            // Drop runs inside the test's runtime: use a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&url).await {
                        // A background task of the app (e.g. the verification email sent after
                        // sign-up) can be cut off mid-transaction when the test ends, leaving its
                        // connection idle in a transaction that holds locks: DROP SCHEMA would
                        // wait for it forever. End this test's connections first, and never wait
                        // on a lock for long.
                        let _ = sea_orm::sqlx::query(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                             WHERE application_name = $1 AND pid <> pg_backend_pid()",
                        )
                        .bind(&schema)
                        .execute(&mut conn)
                        .await;
                        let _ = sea_orm::sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await;
                        let _ = sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A signed-up user with a session.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
    pub org_id: String,
    #[allow(dead_code, reason = "used by later capability tests")]
    pub user_id: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn unique_email() -> String {
    format!("user{}-{}@example.com", COUNTER.fetch_add(1, Ordering::Relaxed), uuid::Uuid::now_v7().simple())
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        campaign_os::telemetry::init(&Settings { log_level: "debug".into(), ..Settings::default() });
    }
    let dir = tempfile::tempdir().unwrap();
    let (database_url, guard, backend) = match std::env::var("COS_TEST_DATABASE_URL") {
        Ok(base_url) if !base_url.is_empty() => {
            let schema = format!("test_{}", uuid::Uuid::now_v7().simple());
            let mut conn = PgConnection::connect(&base_url).await.expect("COS_TEST_DATABASE_URL must be reachable");
            sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                .execute(&mut conn)
                .await
                .unwrap();
            let sep = if base_url.contains('?') { '&' } else { '?' };
            // The application name marks this test's connections, so that Drop can end them.
            let url = format!("{base_url}{sep}options=-c%20search_path%3D{schema}%20-c%20application_name%3D{schema}");
            (url, DbGuard::Postgres { base_url, schema, _dir: dir }, Backend::Postgres)
        }
        _ => {
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, DbGuard::Sqlite(dir), Backend::Sqlite)
        }
    };
    let data_dir = match &guard {
        DbGuard::Sqlite(d) => d.path().to_path_buf(),
        DbGuard::Postgres { _dir, .. } => _dir.path().to_path_buf(),
    };
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url,
        database_max_connections: 5,
        redis_url: std::env::var("COS_TEST_REDIS_URL").ok().filter(|s| !s.is_empty()),
        data_dir,
        jwt_secret: Some(SecretString::from("test-secret-test-secret-test-secret-0123".to_owned())),
        workers: Some(1),
        shutdown_timeout_secs: 1,
        // Tests share one Redis: give each app its own key space (rate limits, idempotency).
        redis_key_prefix: format!("cos-test-{}", uuid::Uuid::now_v7().simple()),
        ..Settings::default()
    };
    customise(&mut settings);
    settings.validate().unwrap();
    let app = Application::build(settings.clone()).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { address, client, backend, settings, _db: guard }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.patch(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// A direct database connection (for what tests cannot do over HTTP, e.g. making an operator).
    #[allow(dead_code, reason = "not every test module needs it")]
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        sea_orm::Database::connect(&self.settings.database_url).await.unwrap()
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Signs up a new user with a new organisation.
    pub async fn signup(&self) -> Account {
        let email = unique_email();
        let password = "correct horse battery staple".to_owned();
        let res = self
            .post_json(
                "/v1/auth/signup",
                None,
                &json!({"email": email, "password": password, "organization_name": "Acme", "name": "Ada"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        Account {
            email,
            password,
            access_token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
            org_id: body["organization"]["id"].as_str().unwrap().to_owned(),
            user_id: body["user"]["id"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates an API key; returns (id, secret).
    pub async fn create_api_key(&self, token: &str, name: &str) -> (String, String) {
        let res = self.post_json("/v1/api-keys", Some(token), &json!({ "name": name })).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
    }
}

/// Asserts a problem+json response with this status and code; returns the body.
pub async fn assert_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, "application/problem+json");
    let request_id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("https://docs.campaign-os.dev/errors/{code}"));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["request_id"].as_str(), request_id.as_deref(), "problem carries the request id");
    body
}
