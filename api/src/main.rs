//! The `campaign-os` binary: `serve` (default), `worker`, `migrate`, `openapi`, `admin`.

use std::{path::PathBuf, process::ExitCode};

use campaign_os::{config::Settings, openapi, platform::db, startup, telemetry};
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

/// Campaign OS: a headless, multi-tenant marketing platform.
///
/// Configuration: defaults → campaign-os.toml (or $COS_CONFIG) → COS_* environment variables
/// (plus DATABASE_URL and REDIS_URL). See the README for every key.
#[derive(Parser)]
#[command(name = "campaign-os", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server (the default when no command is given), with the job worker inside
    /// unless `worker_embedded` is false.
    Serve(ServeArgs),
    /// Run background jobs only (no HTTP): start as many as you need beside the API servers
    /// (Postgres). Stops on SIGINT/SIGTERM, letting running jobs finish for up to
    /// `shutdown_timeout_secs`.
    Worker {
        /// Only these queues (comma-separated, e.g. `crm,webhooks`); all by default.
        #[arg(long, value_name = "QUEUES", value_delimiter = ',')]
        queues: Vec<String>,
        /// Serve Prometheus metrics (`GET /metrics`: queue depth, job runs and run time by job
        /// type) on this address, e.g. 0.0.0.0:9091.
        #[arg(long, value_name = "ADDR:PORT")]
        metrics_bind: Option<String>,
    },
    /// Apply, roll back or inspect database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Platform administration (operators).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write the document to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args, Default)]
struct ServeArgs {
    /// Address and port to listen on, e.g. 0.0.0.0:8080 (overrides COS_BIND).
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<String>,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Make a platform operator: creates the user (email verified) or promotes an existing one,
    /// with an owner membership in the "Platform operators" organisation so that the normal
    /// login works. Operators can use /v1/admin/*.
    CreateOperator {
        /// The operator's email address.
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// Read the password from the first line of standard input (so that it stays out of the
        /// shell history and the process list). Required for a new user; for an existing user it
        /// replaces their password and ends their sessions.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the most recent migrations.
    Down {
        /// How many migrations to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The spec depends on the code only, never on configuration.
    if let Some(Command::Openapi { out }) = cli.command {
        return print_spec(out);
    }
    let mut settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("campaign-os: {e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Serve(ServeArgs { bind: Some(bind) }) = &command {
        settings.bind = bind.clone();
        if let Err(e) = settings.validate() {
            eprintln!("campaign-os: {e}");
            return ExitCode::from(2);
        }
    }
    telemetry::init(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("campaign-os: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command {
            Command::Serve(_) => serve(settings).await,
            Command::Worker { queues, metrics_bind } => worker(settings, queues, metrics_bind).await,
            Command::Migrate { action } => migrate(settings, action).await,
            Command::Admin { action } => admin(settings, action).await,
            Command::Openapi { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("campaign-os: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = startup::Application::build(settings).await?;
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn worker(settings: Settings, queues: Vec<String>, metrics_bind: Option<String>) -> anyhow::Result<()> {
    let state = startup::build_state(settings).await?;
    let metrics = campaign_os::platform::metrics::Metrics::new()?;
    let handle = startup::start_worker_on(state.clone(), Some(metrics.clone()), queues).await?;
    let server = match metrics_bind {
        Some(bind) => {
            let server = startup::serve_metrics(&bind, state, metrics)?;
            let stop = server.handle();
            tokio::spawn(server);
            tracing::info!(address = %bind, "serving metrics at /metrics");
            Some(stop)
        }
        None => None,
    };
    wait_for_stop_signal().await?;
    tracing::info!("stopping: letting running jobs finish");
    handle.shutdown().await;
    if let Some(stop) = server {
        stop.stop(true).await;
    }
    Ok(())
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

async fn migrate(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
    startup::install_crypto_provider();
    let db = db::connect(&settings).await?;
    match action {
        MigrateAction::Up => {
            Migrator::up(&db, None).await?;
            println!("migrations applied");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(&db, Some(steps)).await?;
            println!("rolled back {steps} migration(s)");
        }
        MigrateAction::Status => {
            for m in Migrator::get_migration_with_status(&db).await? {
                println!("{:<12} {}", format!("{:?}", m.status()).to_lowercase(), m.name());
            }
        }
    }
    Ok(())
}

async fn admin(settings: Settings, action: AdminAction) -> anyhow::Result<()> {
    match action {
        AdminAction::CreateOperator { email, password_stdin } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let password = line.strip_suffix('\n').unwrap_or(&line);
                let password = password.strip_suffix('\r').unwrap_or(password).to_owned();
                anyhow::ensure!(!password.is_empty(), "no password on standard input");
                Some(password)
            } else {
                None
            };
            startup::install_crypto_provider();
            let db = db::connect(&settings).await?;
            if settings.migrate_on_start {
                Migrator::up(&db, None).await?;
            }
            let created = campaign_os::admin::create_operator(&db, &email, password).await?;
            let what = if created.existing_user { "existing user is now an operator" } else { "operator created" };
            println!("{what}: {} ({})", created.user_id, email.trim().to_lowercase());
        }
    }
    Ok(())
}

fn print_spec(out: Option<PathBuf>) -> ExitCode {
    let json = openapi::spec_json();
    match out {
        None => {
            print!("{json}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(&path, json) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("campaign-os: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}
