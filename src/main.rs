//! The `manumit` command line: serve, audit (offline), keys, assess, migrate, and the sandboxed
//! parser worker.

use anyhow::Context;
use clap::{Parser, Subcommand};
use manumit::config::Settings;
use manumit::domain::Role;
use std::process::ExitCode;

/// mimalloc: an upload allocates and frees millions of small strings, where glibc's allocator
/// spends a tenth of the time consolidating free chunks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "manumit", version, about = "Audits supply chains for labour-trafficking risk.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default when no command is given).
    Serve(Settings),
    /// Audit spreadsheets offline (no server, no database) and write the compliance workbook.
    Audit {
        /// Supplier lists and filled questionnaires (xlsx, xlsm, xlsb, xls, ods, csv).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
        /// Where to write the workbook.
        #[arg(short, long, value_name = "OUT.xlsx", default_value = "manumit-audit.xlsx")]
        output: std::path::PathBuf,
    },
    /// Manage API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Re-assess every supplier of an organisation under the current methodology and print how
    /// many were assessed, per tier.
    Assess {
        /// The organisation's id or name.
        #[arg(long)]
        org: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/manumit.db")]
        database_url: String,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/manumit.db")]
        database_url: String,
    },
    /// Internal: the sandboxed file parser (reads a file on stdin, writes JSON on stdout).
    #[command(hide = true)]
    Worker {
        #[arg(value_parser = ["parse"])]
        what: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key (and the organisation, if it does not exist) and print it.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "cli")]
        name: String,
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/manumit.db")]
        database_url: String,
    },
}

fn main() -> ExitCode {
    manumit::memory::return_freed_memory_soon();
    let cli = Cli::parse();
    if let Some(Command::Worker { .. }) = &cli.command {
        return ExitCode::from(u8::try_from(manumit::ingest_worker_main()).unwrap_or(1));
    }
    manumit::telemetry::init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(Settings::parse_from_env()),
        Some(Command::Serve(s)) => serve(s),
        Some(Command::Keys { command: KeysCommand::Create { org, role, name, database_url } }) => {
            let role = Role::from_id(&role)
                .with_context(|| format!("unknown role `{role}`: use admin, procurement, auditor or integration"))?;
            let store = manumit::store::Store::open(&database_url, 2)?;
            let key = manumit::cli::create_key(&store, &org, role, &name)?;
            println!("{key}");
            Ok(())
        }
        Some(Command::Audit { files, output }) => {
            let now = chrono::Utc::now();
            let summary = manumit::audit_cli::run(&files, &output, now.date_naive(), now)?;
            print!("{}", manumit::audit_cli::render(&summary));
            Ok(())
        }
        Some(Command::Assess { org, database_url }) => {
            let store = manumit::store::Store::open(&database_url, 2)?;
            let done = manumit::cli::reassess(&store, &org, chrono::Utc::now().date_naive())?;
            print!("{}", manumit::cli::render_reassessed(&done));
            Ok(())
        }
        Some(Command::Migrate { database_url }) => {
            manumit::store::Store::open(&database_url, 1)?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::Worker { .. }) => unreachable!("handled before logging starts"),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(manumit::app::serve(settings))
}

trait FromEnv {
    fn parse_from_env() -> Self;
}

impl FromEnv for Settings {
    /// `manumit` with no command: the serve settings from the environment and defaults.
    fn parse_from_env() -> Settings {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            s: Settings,
        }
        Only::parse_from(["manumit"]).s
    }
}
