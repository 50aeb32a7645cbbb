//! `whittle fetch` and `whittle import`: build a snapshot from the IAM API or
//! from AWS CLI output, write it atomically, and summarise what is missing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use whittle_fetcher::accounts::{self, AccountsOptions};
use whittle_fetcher::fetch::{Event, FetchOptions};
use whittle_fetcher::{ClientOptions, IamClient, JobOptions};
use whittle_model::{Snapshot, Tool};
use whittle_reporter::AccountFetch;

use crate::{AwsArgs, FetchArgs, ImportArgs, cache, exit};

/// The tool block written into snapshots.
pub fn tool() -> Tool {
    let catalog = cache::load_catalog();
    Tool {
        name: "whittle".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        catalog: catalog.sources().first().map(ToString::to_string),
    }
}

/// A tokio runtime for the commands that talk to AWS.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The client options of the shared AWS arguments.
fn client_options(aws: &AwsArgs) -> ClientOptions {
    let secs = |s: Option<f64>| s.map(Duration::from_secs_f64);
    ClientOptions {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        ca_bundle: aws.ca_bundle.clone(),
        connect_timeout: secs(aws.connect_timeout),
        read_timeout: secs(aws.read_timeout),
        operation_timeout: Some(Duration::from_secs_f64(aws.operation_timeout)),
        max_response_bytes: None,
        assume_role: aws.assume_role.clone(),
        max_attempts: aws.max_attempts,
        max_backoff: None,
    }
}

/// Builds the IAM client from the shared AWS options.
pub async fn client(aws: &AwsArgs) -> anyhow::Result<IamClient> {
    Ok(whittle_fetcher::client::build(&client_options(aws)).await?)
}

/// Runs `whittle fetch`: one account into `--out`, or many into `--out-dir`.
pub fn fetch(args: &FetchArgs) -> anyhow::Result<u8> {
    let mut options = FetchOptions {
        principals: args.principals.clone(),
        path_prefix: args.path_prefix.clone(),
        include_managed_policies: args.include_managed_policies,
        concurrency: args.concurrency,
        jobs: JobOptions {
            poll_initial: Duration::from_millis(args.poll_interval),
            poll_max: Duration::from_millis(args.poll_interval.max(1) * 10),
            job_timeout: Duration::from_secs_f64(args.job_timeout),
            ..JobOptions::default()
        },
        reuse: Vec::new(),
        checkpoint: None,
        checkpoint_interval: Duration::from_secs_f64(args.checkpoint_interval),
        tool: tool(),
        budget: None,
    };
    let Some(out) = &args.out else {
        return fetch_accounts(args, &options);
    };
    if args.resume {
        options.reuse = whittle_fetcher::fetch::reusable_reports(out).context("cannot resume")?;
    }
    let checkpoint = whittle_fetcher::fetch::checkpoint_path(out);
    options.checkpoint = Some(checkpoint.clone());
    let progress = Progress::new();
    let snapshot = runtime()?.block_on(async {
        let iam = client(&args.aws).await?;
        anyhow::Ok(whittle_fetcher::fetch::fetch(&iam, &options, &|e| progress.event(&e)).await)
    })?;
    progress.finish();
    if whittle_fetcher::fetch::listing_failed(&snapshot) {
        // A snapshot without the account's policies must not replace one
        // with them; what jobs ran is kept in the checkpoint for --resume.
        // Why the listing failed was said when it did (Event::ListingFailed).
        eprintln!(
            "error: the account could not be listed: nothing was written to {}",
            out.display()
        );
        return Ok(exit::ERROR);
    }
    snapshot
        .write(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    if let Some(problem) = whittle_fetcher::fetch::credentials_failure(&snapshot) {
        eprintln!(
            "error: the credentials stopped working during the fetch ({}): {} was written without the data of {} principals; with working credentials, `--resume` runs only their jobs",
            problem_text(problem),
            out.display(),
            snapshot.errors.len()
        );
    }
    // The snapshot holds everything the checkpoint did.
    let _ = std::fs::remove_file(&checkpoint);
    Ok(summarise(&snapshot, out))
}

/// `whittle fetch --accounts FILE | --organization`: a snapshot per account.
fn fetch_accounts(args: &FetchArgs, template: &FetchOptions) -> anyhow::Result<u8> {
    let client_options = client_options(&args.aws);
    let role_name = args
        .role_name
        .clone()
        .context("--role-name is required with --accounts or --organization")?;
    let options = AccountsOptions {
        role_name,
        out_dir: args.out_dir.clone(),
        account_concurrency: args.account_concurrency,
        total_concurrency: args.total_concurrency,
        resume: args.resume,
    };
    let progress = Progress::new();
    let outcomes = runtime()?.block_on(async {
        let base = whittle_fetcher::client::load(&client_options).await?;
        let ids = match &args.accounts {
            Some(path) => {
                let text = whittle_model::limits::SETTINGS
                    .read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                accounts::parse_accounts(&text)
                    .map_err(|e| anyhow::anyhow!("{}:{e}", path.display()))?
            }
            None => accounts::organization_accounts(&base)
                .await
                .context("cannot list the organisation's accounts")?,
        };
        progress.line(format!("fetching {} accounts", ids.len()));
        anyhow::Ok(
            accounts::fetch_accounts(
                &base,
                &client_options,
                &ids,
                &options,
                template,
                &|id, e| progress.account_event(id, &e),
            )
            .await,
        )
    })?;
    progress.finish();
    let accounts: Vec<AccountFetch<'_>> = outcomes
        .iter()
        .map(|outcome| match (&outcome.snapshot, &outcome.path) {
            (Some(snapshot), Some(path)) => AccountFetch::Fetched {
                account_id: &outcome.account_id,
                snapshot,
                path,
            },
            _ => AccountFetch::Failed {
                account_id: &outcome.account_id,
                reason: outcome
                    .error
                    .as_ref()
                    .map_or("unknown", |e| e.message.as_str()),
            },
        })
        .collect();
    eprint!("{}", whittle_reporter::accounts_summary(&accounts));
    let code = accounts
        .iter()
        .map(|account| match account {
            AccountFetch::Fetched { snapshot, .. } => snapshot_code(snapshot),
            AccountFetch::Failed { .. } => exit::PARTIAL,
        })
        .max()
        .unwrap_or(exit::OK);
    Ok(code)
}

/// Runs `whittle import`.
pub fn import(args: &ImportArgs) -> anyhow::Result<u8> {
    let mut last_accessed = Vec::new();
    for pair in &args.last_accessed {
        let (arn, file) = arn_and_file(pair)
            .with_context(|| format!("--last-accessed \"{pair}\": expected ARN=FILE"))?;
        last_accessed.push((arn.to_owned(), PathBuf::from(file)));
    }
    let (snapshot, problems) =
        whittle_fetcher::import::import(&args.authorization_details, &last_accessed, tool())?;
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    snapshot
        .write(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    Ok(summarise(&snapshot, &args.out))
}

/// `CODE: message` of a problem.
fn problem_text(problem: &whittle_model::Problem) -> String {
    match &problem.code {
        Some(code)
            if !problem.message.starts_with(code.as_str())
                && !whittle_fetcher::describe::is_whittle_code(code) =>
        {
            format!("{code}: {}", problem.message)
        }
        _ => problem.message.clone(),
    }
}

/// `ARN=FILE` split at its last `=`: IAM names may hold `=` (`role/a=b`).
fn arn_and_file(pair: &str) -> Option<(&str, &str)> {
    pair.rsplit_once('=')
        .filter(|(arn, file)| !arn.is_empty() && !file.is_empty())
}

/// Prints what the snapshot holds and who lacks data; returns the exit code.
fn summarise(snapshot: &Snapshot, out: &Path) -> u8 {
    eprint!("{}", whittle_reporter::snapshot_summary(snapshot, out));
    snapshot_code(snapshot)
}

/// [`exit::PARTIAL`] when some data could not be fetched.
fn snapshot_code(snapshot: &Snapshot) -> u8 {
    if snapshot.errors.is_empty() {
        exit::OK
    } else {
        exit::PARTIAL
    }
}

/// A progress bar on a terminal, plain lines otherwise (CI logs).
struct Progress {
    bar: Option<ProgressBar>,
    /// Jobs done and planned, for the plain lines.
    count: std::sync::Mutex<(usize, usize)>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} jobs ({eta})")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            bar.set_message("listing the account");
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self {
            bar,
            count: std::sync::Mutex::new((0, 0)),
        }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// An event of one account's fetch, prefixed with the account.
    fn account_event(&self, account: &str, event: &Event<'_>) {
        match event {
            Event::Listed { counts } => self.line(format!(
                "{account}: listed {} users, {} groups, {} roles, {} managed policies",
                counts[0], counts[1], counts[2], counts[3]
            )),
            Event::ListingFailed { error } => self.line(format!(
                "{account}: error: cannot list the account: {}: {}",
                error.operation,
                problem_text(&error.problem(""))
            )),
            Event::CredentialsFailed { problem } => self.line(format!(
                "{account}: the credentials stopped working ({}): the jobs not yet started are not run",
                problem_text(problem)
            )),
            Event::Planned { jobs, .. } => {
                let total = {
                    let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
                    count.1 += jobs;
                    count.1
                };
                if let Some(bar) = &self.bar {
                    bar.set_length(total as u64);
                    bar.set_message("last-accessed jobs");
                }
            }
            Event::JobDone { .. } => self.event(event),
        }
    }

    fn event(&self, event: &Event<'_>) {
        match event {
            Event::Listed { counts } => self.line(format!(
                "listed {} users, {} groups, {} roles, {} managed policies",
                counts[0], counts[1], counts[2], counts[3]
            )),
            Event::ListingFailed { error } => self.line(format!(
                "error: cannot list the account: {}: {}",
                error.operation,
                problem_text(&error.problem(""))
            )),
            Event::CredentialsFailed { problem } => self.line(format!(
                "the credentials stopped working ({}): the jobs not yet started are not run",
                problem_text(problem)
            )),
            Event::Planned { jobs, reused } => {
                self.count.lock().unwrap_or_else(|e| e.into_inner()).1 = *jobs;
                if let Some(bar) = &self.bar {
                    bar.set_length(*jobs as u64);
                    bar.set_message("last-accessed jobs");
                }
                self.line(format!(
                    "running {jobs} last-accessed jobs ({reused} reports reused)"
                ));
            }
            Event::JobDone { arn, problem } => {
                let (done, total) = {
                    let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
                    count.0 += 1;
                    *count
                };
                // The reasons for missing data come once, in the summary.
                let outcome = if problem.is_some() { "no data" } else { "done" };
                match &self.bar {
                    Some(bar) => bar.inc(1),
                    None => eprintln!("[{done}/{total}] {outcome}: {arn}"),
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::arn_and_file;

    #[test]
    fn last_accessed_pairs_split_at_the_last_equals_sign() {
        assert_eq!(
            arn_and_file("arn:aws:iam::123456789012:role/a=b=reports/a.json"),
            Some(("arn:aws:iam::123456789012:role/a=b", "reports/a.json"))
        );
        assert_eq!(arn_and_file("no-equals-sign"), None);
        assert_eq!(arn_and_file("arn:aws:iam::123456789012:role/x="), None);
    }
}
