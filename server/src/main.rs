//! `kexie`: check, test, simulate, export and import workflow definitions, and serve them.

mod api;
mod auth;
mod cli;
mod config;
mod demo;
mod error;
mod export;
mod folder;
mod jwks;
mod mail;
mod outbox;
mod overdue;
mod print;
mod publish;
mod serve;
mod state;
mod store;
mod throttle;
mod webhooks;
mod workers;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kexie_engine::text::Lang;

/// Counts what each rule call holds, so the sandbox can stop one past its memory budget
/// (`kexie_engine::rules::memory`).
#[global_allocator]
static ALLOCATOR: kexie_engine::rules::memory::Counting = kexie_engine::rules::memory::Counting;

#[derive(Parser)]
#[command(name = "kexie", version, about = "Kexie Flow (科协流程): workflow definitions, rules and approvals")]
struct Cli {
    /// Language of messages.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Check every workflow definition below DIR; exits non-zero on any problem.
    Check {
        dir: PathBuf,
        /// A directory file (`[[users]]` with `roles`, as the demo's users.toml) to warn of
        /// roles nobody holds; default: the demo directory.
        #[arg(long)]
        directory: Option<PathBuf>,
    },
    /// Run every golden case below DIR; ends with "N passed, M failed".
    Test { dir: PathBuf },
    /// Print a case step by step: step, actor, action, errors, route.
    Simulate {
        /// The workflow folder.
        workflow: PathBuf,
        /// The case file.
        #[arg(long)]
        case: PathBuf,
    },
    /// Write a workflow folder as one file (a `kexie-workflow/1` TOML export).
    Export {
        /// The workflow folder.
        dir: PathBuf,
        /// The file to write; `-` for standard output.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write the files of an export into a folder (created if needed); nothing is written if
    /// the export does not read.
    Import {
        /// The export file.
        file: PathBuf,
        /// The folder to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Write into a folder that is not empty (files of the same name are replaced).
        #[arg(long)]
        force: bool,
    },
    /// Serve the API (and with --demo the demo OA portal); publishes workflows/ on start.
    Serve(serve::ServeArgs),
    /// Check the audit log's hash chains; names the first bad entry.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify every chain of a database.
    Verify {
        /// SQLite file (or set DATABASE_URL).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Only this instance's chain (the number on its printed record); prints its head hash.
        #[arg(long)]
        instance: Option<String>,
    },
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let ok = match cli.command {
        Command::Check { dir, directory } => cli::check(&dir, directory.as_deref(), lang),
        Command::Test { dir } => cli::test(&dir, lang),
        Command::Simulate { workflow, case } => cli::simulate(&workflow, &case, lang),
        Command::Export { dir, output } => cli::export(&dir, &output, lang),
        Command::Import { file, output, force } => cli::import(&file, &output, force, lang),
        Command::Serve(args) => runtime().block_on(serve::run(args)).map_err(|e| eprintln!("kexie serve: {e}")).is_ok(),
        Command::Audit { command: AuditCommand::Verify { db, instance } } => {
            runtime().block_on(cli::verify_audit(db, instance))
        }
    };
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
