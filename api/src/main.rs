//! The `campaign-os` binary: `serve` (default), `migrate`, `openapi`.

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
    /// Run the API server (the default when no command is given).
    Serve(ServeArgs),
    /// Apply, roll back or inspect database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
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
            Command::Migrate { action } => migrate(settings, action).await,
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
