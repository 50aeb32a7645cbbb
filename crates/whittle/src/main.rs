//! The `whittle` command line: argument parsing and wiring of the analysis,
//! reporter and fetcher crates. No analysis happens here.

mod cache;
mod commands;
mod debug_log;
mod inputs;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// mimalloc rather than the system allocator: an account export is millions
/// of small allocations made on every core, where glibc's per-thread arenas
/// leave much of the freed memory resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, part of the command-line interface (see the README).
pub mod exit {
    /// Success; no finding at or above the `--fail-on` severity.
    pub const OK: u8 = 0;
    /// Findings at or above the `--fail-on` severity.
    pub const FINDINGS: u8 = 1;
    /// Bad usage, unreadable input, or a failure to do the job (network, disk).
    pub const ERROR: u8 = 2;
    /// `fetch`/`import`: the snapshot was written, but some principals have no
    /// last-accessed data (their errors are in the snapshot and on stderr).
    pub const PARTIAL: u8 = 3;
    /// `apply`/`rollback`: IAM is not in the state the plan expects (it changed
    /// since the plan was made); nothing more was changed.
    pub const CHANGED: u8 = 4;
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
    /// Print debug logs (the AWS SDK's requests, retries and credential lookups)
    /// to stderr, with credentials, tokens and signatures redacted.
    #[arg(long, global = true)]
    debug: bool,
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
    /// Fetch an account's policies and last-accessed reports into a snapshot.
    Fetch(FetchArgs),
    /// Build a snapshot from AWS CLI output files.
    Import(ImportArgs),
    /// Compare the access two versions of a set of policies grant.
    Diff(DiffArgs),
    /// Propose trimmed policies from a snapshot's last-accessed data.
    Recommend(RecommendArgs),
    /// IAM's last-accessed operations, as the AWS CLI has them (all pages merged).
    #[command(subcommand)]
    AccessAdvisor(AccessAdvisorCommand),
    /// Apply a whittle.plan/v1 plan to IAM (without --yes, print its steps).
    Apply(ApplyArgs),
    /// Undo the applied steps of a plan, newest first (without --yes, print them).
    Rollback(PlanArgs),
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Change nothing: write the plan's documents and AWS CLI scripts
    /// (apply.sh, rollback.sh) into DIR, created if missing.
    #[arg(long, value_name = "DIR", conflicts_with = "yes")]
    shell: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// The plan (`whittle.plan/v1`); progress is journaled in PLAN.journal.json.
    plan: PathBuf,
    /// Make the changes; without it the steps are only printed.
    #[arg(long)]
    yes: bool,
    /// Stop after N steps as if interrupted (for tests of resuming).
    #[arg(long, value_name = "N", hide = true)]
    stop_after: Option<usize>,
    #[command(flatten)]
    aws: AwsArgs,
}

/// How to reach AWS.
#[derive(Debug, Args)]
struct AwsArgs {
    /// Named profile of the shared AWS config files [default: the standard chain].
    #[arg(long)]
    profile: Option<String>,
    /// Signing region [default: the configured one, else us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// Another IAM endpoint (e.g. http://127.0.0.1:5000 for a local server).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Extra certificate authorities to trust, as a PEM file.
    #[arg(long, value_name = "FILE")]
    ca_bundle: Option<PathBuf>,
    /// Connect timeout in seconds.
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    connect_timeout: Option<f64>,
    /// Read timeout in seconds.
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    read_timeout: Option<f64>,
    /// The longest one API call may take, its retries included, in seconds (a
    /// response trickling in slowly is cut off).
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = seconds)]
    operation_timeout: f64,
    /// Assume this role first (e.g. to read another account).
    #[arg(long, value_name = "ARN")]
    assume_role: Option<String>,
    /// Attempts per API call; throttling and transient errors are retried with
    /// adaptive backoff.
    #[arg(long, value_name = "N", default_value_t = 5)]
    max_attempts: u32,
}

#[derive(Debug, Args)]
struct FetchArgs {
    /// Where to write the snapshot (atomically; progress goes to FILE.partial).
    #[arg(
        short,
        long,
        value_name = "FILE",
        required_unless_present_any = ["accounts", "organization"],
        conflicts_with_all = ["accounts", "organization"]
    )]
    out: Option<PathBuf>,
    /// Fetch every account listed in FILE (one id per line, or `aws organizations
    /// list-accounts` output), assuming --role-name in each.
    #[arg(
        long,
        value_name = "FILE",
        requires = "role_name",
        conflicts_with = "organization"
    )]
    accounts: Option<PathBuf>,
    /// Fetch every active account of the organisation (Organizations ListAccounts),
    /// assuming --role-name in each.
    #[arg(long, requires = "role_name")]
    organization: bool,
    /// The role to assume in each account, e.g. OrganizationAccountAccessRole.
    #[arg(long, value_name = "NAME")]
    role_name: Option<String>,
    /// With --accounts or --organization: where to write `<account-id>.json`.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out_dir: PathBuf,
    /// With --accounts or --organization: accounts fetched at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    account_concurrency: usize,
    /// With --accounts or --organization: jobs in flight across all accounts
    /// (each account also keeps to --concurrency).
    #[arg(long, value_name = "N", default_value_t = 32)]
    total_concurrency: usize,
    /// Run jobs only for this principal, group or policy; repeatable [default:
    /// every user and role].
    #[arg(long = "principal", value_name = "ARN")]
    principals: Vec<String>,
    /// Only principals whose path starts with this, e.g. /teams/payments/.
    #[arg(long)]
    path_prefix: Option<String>,
    /// Also run jobs for customer-managed policies (their report covers every
    /// entity they are attached to).
    #[arg(long)]
    include_managed_policies: bool,
    /// Jobs in flight at once (each polls about once a second; IAM's API rate
    /// limits are shared by the whole account).
    #[arg(long, value_name = "N", default_value_t = 8)]
    concurrency: usize,
    /// Give up on a principal's job after this many seconds: every call, page,
    /// poll and restart of the job included.
    #[arg(long, value_name = "SECS", default_value_t = 300.0, value_parser = seconds)]
    job_timeout: f64,
    /// First wait between polls of a job, in milliseconds (grows to ten times it).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    poll_interval: u64,
    /// Reuse the completed reports of FILE and FILE.partial instead of running
    /// those jobs again.
    #[arg(long)]
    resume: bool,
    /// Least time between two checkpoints of progress to FILE.partial, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = interval)]
    checkpoint_interval: f64,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// `aws iam get-account-authorization-details` output.
    #[arg(long, value_name = "FILE")]
    authorization_details: PathBuf,
    /// `aws iam get-service-last-accessed-details` output for one principal;
    /// repeatable.
    #[arg(long, value_name = "ARN=FILE")]
    last_accessed: Vec<String>,
    /// Where to write the snapshot (atomically).
    #[arg(short, long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Args)]
struct RecommendArgs {
    /// A snapshot from `whittle fetch` or `whittle import`.
    #[arg(long, value_name = "FILE")]
    snapshot: PathBuf,
    /// An action unused for this many days is removed (at most 400, IAM's
    /// tracking period).
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    unused_days: u32,
    /// Judge as of this time instead of now, e.g. 2026-11-20T00:00:00Z
    /// (reproducible runs).
    #[arg(long, value_name = "TIMESTAMP")]
    as_of: Option<String>,
    /// Only this principal; repeatable [default: every user and role].
    #[arg(long = "principal", value_name = "ARN")]
    principals: Vec<String>,
    /// Output format [default: table; with --source, the patch].
    #[arg(long, value_enum)]
    format: Option<RecommendFormat>,
    /// CloudFormation templates and Terraform configurations (files or
    /// directories) that define the account's policies; repeatable. The
    /// output is then a patch of them (a unified diff for `git apply`) that
    /// narrows each recommended policy where it is defined, and standard
    /// error says where each was found, by which names, and why any is not
    /// patched.
    #[arg(long, value_name = "PATH")]
    source: Vec<PathBuf>,
    /// How policies held by several principals are trimmed: in place (to
    /// what every holder left unused), replaced per principal, or auto (in
    /// place where the holders agree, per principal elsewhere).
    #[arg(long, value_enum, default_value_t = StrategyArg::Auto)]
    strategy: StrategyArg,
    /// Write the plan's shell form into DIR (as `whittle apply PLAN --shell
    /// DIR` does): every suggested and original document in one folder per
    /// principal and policy, with apply.sh and rollback.sh for the AWS CLI.
    #[arg(long, value_name = "DIR")]
    write_policies: Option<PathBuf>,
    /// Write the recommendations as a whittle.plan/v1 plan for `whittle apply`
    /// into FILE (atomically).
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// With --plan or --write-policies: tag unused roles whittle:unused (they
    /// are never deleted).
    #[arg(long)]
    include_unused_roles: bool,
    /// Refuse reports older than this many days (relative to --as-of).
    #[arg(long, value_name = "DAYS", default_value_t = 5)]
    max_data_age: u32,
    /// Keep actions first granted by a managed policy version created within
    /// this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 14)]
    grace_days: u32,
    /// Statements whose Sid starts with this are kept as they are.
    #[arg(long, value_name = "PREFIX", default_value = "WhittleKeep")]
    keep_sid_prefix: String,
    /// Principals with this tag are left alone.
    #[arg(long, value_name = "KEY", default_value = "whittle:keep")]
    keep_tag: String,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// OLD NEW (files or directories); with --base, the working-tree paths to
    /// compare [default: .].
    paths: Vec<PathBuf>,
    /// Compare the working tree with this git revision, e.g. origin/main or HEAD~1.
    #[arg(long, value_name = "GITREF")]
    base: Option<String>,
    /// Fail (exit 1) when a change newly grants actions of this risk category
    /// (e.g. privilege-escalation) or matching this action pattern; repeatable.
    #[arg(long, value_name = "CATEGORY|PATTERN")]
    deny_new: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

/// Report formats of `whittle diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Lines for terminals and CI logs.
    Table,
    /// The `whittle.diff/v1` JSON document.
    Json,
    /// A Markdown summary for a pull-request comment.
    Markdown,
    /// SARIF 2.1.0: new-access and denied-new-access findings at each policy.
    Sarif,
}

/// The most seconds a timeout or interval option takes: a week.
const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A number of seconds for a timeout: finite, more than 0 and at most
/// [`MAX_SECONDS`] (a Duration cannot hold NaN, negatives or 1e300).
fn seconds(text: &str) -> Result<f64, String> {
    match interval(text)? {
        0.0 => Err(format!("`{text}`: a timeout must be more than 0 seconds")),
        n => Ok(n),
    }
}

/// A number of seconds between two events: finite, 0 or more and at most
/// [`MAX_SECONDS`].
fn interval(text: &str) -> Result<f64, String> {
    let n: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if n.is_finite() && (0.0..=MAX_SECONDS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "`{text}`: expected 0 to {MAX_SECONDS} seconds (a week)"
        ))
    }
}

/// `whittle recommend --strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StrategyArg {
    /// A shared policy shrinks to what every holder left unused.
    InPlace,
    /// Each holder of a shared policy gets its own trimmed copy.
    PerPrincipal,
    /// In place where the holders agree, per principal elsewhere.
    Auto,
}

impl From<StrategyArg> for whittle_analysis::recommend::Strategy {
    fn from(arg: StrategyArg) -> Self {
        match arg {
            StrategyArg::InPlace => Self::InPlace,
            StrategyArg::PerPrincipal => Self::PerPrincipal,
            StrategyArg::Auto => Self::Auto,
        }
    }
}

/// Report formats of `whittle recommend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RecommendFormat {
    /// Per principal: granted, used, unused, untracked, reduction.
    Table,
    /// A unified diff per policy, original against suggested.
    Diff,
    /// The `whittle.recommend/v1` JSON document.
    Json,
    /// SARIF 2.1.0 findings: unused-service, unused-action, unused-role.
    Sarif,
}

/// Output of the access-advisor commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// JSON with the AWS CLI's field names.
    Json,
    /// A table.
    Table,
}

/// Report granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
enum GranularityArg {
    /// Services only.
    ServiceLevel,
    /// Services and tracked actions.
    ActionLevel,
}

#[derive(Debug, Subcommand)]
enum AccessAdvisorCommand {
    /// Start a last-accessed job (GenerateServiceLastAccessedDetails); prints {"JobId": …}.
    Generate {
        /// The user, group, role or policy.
        #[arg(long)]
        arn: String,
        /// Report granularity.
        #[arg(long, value_enum, default_value_t = GranularityArg::ActionLevel)]
        granularity: GranularityArg,
        #[command(flatten)]
        aws: AwsArgs,
    },
    /// Read a job's report (GetServiceLastAccessedDetails), every page merged.
    Get {
        /// The job id printed by `generate` (readable only by the identity that created it).
        #[arg(long)]
        job_id: String,
        /// Poll until the job is no longer in progress.
        #[arg(long)]
        wait: bool,
        /// With --wait: give up after this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300.0, value_parser = seconds)]
        job_timeout: f64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        output: OutputFormat,
        #[command(flatten)]
        aws: AwsArgs,
    },
    /// Which entities used one service (GetServiceLastAccessedDetailsWithEntities).
    GetWithEntities {
        /// The job id.
        #[arg(long)]
        job_id: String,
        /// The service's namespace, e.g. s3.
        #[arg(long)]
        service_namespace: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        output: OutputFormat,
        #[command(flatten)]
        aws: AwsArgs,
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
    /// Add the rule files (*.toml with a `[match]` section) of this directory; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rules_dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct LintArgs {
    /// Files or directories to lint (directories are walked for *.json, *.yaml, *.yml,
    /// *.template, *.tf and *.tofu; `-` reads stdin).
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
    /// Also list the findings suppressed inline (`# whittle: ignore[rule] reason`
    /// comments, CloudFormation `Metadata: {whittle: {ignore: […]}}`), each with
    /// its reason; they never change the exit code.
    #[arg(long)]
    show_suppressed: bool,
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
        /// Service reference index: an https:// URL (http:// only to a loopback
        /// address), or a directory holding a copy.
        #[arg(long, default_value = commands::catalog::SERVICE_REFERENCE_URL)]
        source: String,
        /// Write the update even when a service would lose most of its actions
        /// (an empty or truncated document) compared with the catalog in use.
        #[arg(long)]
        allow_loss: bool,
    },
    /// Show where the catalog comes from and how large it is.
    Info,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.version {
        return ExitCode::from(commands::version());
    }
    if cli.debug {
        debug_log::init();
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
        Command::Catalog(CatalogCommand::Update { source, allow_loss }) => {
            commands::catalog::update(&source, allow_loss)
        }
        Command::Catalog(CatalogCommand::Info) => commands::catalog::info(),
        Command::Rules(rules) => commands::rules::list(&rules),
        Command::Explain { rule, rules } => commands::rules::explain(&rule, &rules),
        Command::Fetch(args) => commands::fetch::fetch(&args),
        Command::Import(args) => commands::fetch::import(&args),
        Command::AccessAdvisor(command) => commands::access_advisor::run(&command),
        Command::Recommend(args) => commands::recommend::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Apply(args) => commands::apply::apply(&args),
        Command::Rollback(args) => commands::apply::rollback(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // The chain may hold an endpoint's words: never its secrets.
            eprintln!(
                "error: {}",
                whittle_fetcher::redact::redact(&one_message(&error))
            );
            ExitCode::from(exit::ERROR)
        }
    }
}

/// `error` and its causes joined with ": ", each cause said once: an error
/// whose message already includes its source's is not followed by it again.
fn one_message(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
