//! The `whittle` command line: argument parsing and wiring of the analysis,
//! reporter and fetcher crates. No analysis happens here.

mod cache;
mod commands;
mod inputs;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, part of the command-line interface (see the README).
pub mod exit {
    /// Success; no finding at or above the `--fail-on` severity.
    pub const OK: u8 = 0;
    /// Findings at or above the `--fail-on` severity.
    pub const FINDINGS: u8 = 1;
    /// Bad usage, unreadable input, or a failure to do the job (network, disk).
    pub const ERROR: u8 = 2;
}

/// Least-privilege linter and recommender for AWS IAM policies.
#[derive(Debug, Parser)]
#[command(
    name = "whittle",
    disable_version_flag = true,
    arg_required_else_help = true
)]
struct Cli {
    /// Print version information, including the action catalog's source and date.
    #[arg(short = 'V', long, global = true)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint IAM policy documents and AWS CLI exports.
    Lint(LintArgs),
    /// Inspect, expand and update the action catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// List the lint rules that apply here (embedded, user rule directories, whittle.toml).
    Rules(RuleArgs),
    /// Explain one rule in full: what it checks, why it matters, an example and a fix.
    Explain {
        /// The rule's name (e.g. full-admin-access) or id (e.g. WH101).
        rule: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

/// Where rules and their configuration come from.
#[derive(Debug, Args)]
struct RuleArgs {
    /// Configuration file [default: whittle.toml in the working directory or a parent].
    #[arg(long, conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any whittle.toml.
    #[arg(long)]
    no_config: bool,
    /// Add the rule files (*.toml with a [match] section) of this directory; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rules_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Files or directories to lint (directories are walked for *.json; `-` reads stdin).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Exit 1 when a finding at or above this severity exists [default: error, or
    /// `fail-on` in whittle.toml].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the fingerprints of the current findings to this baseline file.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

/// Report formats of `whittle lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table for terminals and CI logs.
    Table,
    /// The `whittle.lint/v1` JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// The lowest severity that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum FailOn {
    /// Fail on errors.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Note,
    /// Never fail because of findings.
    Never,
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Print the actions matching IAM action patterns, one per line, in AWS's canonical case.
    Expand {
        /// Patterns such as `s3:Get*`, `*:List*` or `*` (case-insensitive).
        #[arg(required = true)]
        patterns: Vec<String>,
        /// Print every action the patterns do NOT match (what `NotAction` grants).
        #[arg(long)]
        complement: bool,
        /// Print only the number of matching actions.
        #[arg(long)]
        count: bool,
    },
    /// Refresh the catalog from AWS's machine-readable service reference into the user cache.
    Update {
        /// Service reference index: an https:// URL, or a directory holding a copy.
        #[arg(long, default_value = commands::catalog::SERVICE_REFERENCE_URL)]
        source: String,
    },
    /// Show where the catalog comes from and how large it is.
    Info,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.version {
        return ExitCode::from(commands::version());
    }
    let Some(command) = cli.command else {
        // arg_required_else_help covers a bare `whittle`; this is `whittle -V`-less flags only.
        eprintln!("error: a command is required; see `whittle --help`");
        return ExitCode::from(exit::ERROR);
    };
    let result = match command {
        Command::Lint(args) => commands::lint::run(&args),
        Command::Catalog(CatalogCommand::Expand {
            patterns,
            complement,
            count,
        }) => commands::catalog::expand(&patterns, complement, count),
        Command::Catalog(CatalogCommand::Update { source }) => commands::catalog::update(&source),
        Command::Catalog(CatalogCommand::Info) => commands::catalog::info(),
        Command::Rules(rules) => commands::rules::list(&rules),
        Command::Explain { rule, rules } => commands::rules::explain(&rule, &rules),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}
