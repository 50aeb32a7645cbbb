//! `whittle fetch` and `whittle import`: build a snapshot from the IAM API or
//! from AWS CLI output, write it atomically, and summarise what is missing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use whittle_fetcher::fetch::{Event, FetchOptions};
use whittle_fetcher::{ClientOptions, IamClient, JobOptions};
use whittle_model::{Report, Snapshot, Tool};

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

/// Builds the IAM client from the shared AWS options.
pub async fn client(aws: &AwsArgs) -> anyhow::Result<IamClient> {
    let secs = |s: Option<f64>| s.map(Duration::from_secs_f64);
    let options = ClientOptions {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        ca_bundle: aws.ca_bundle.clone(),
        connect_timeout: secs(aws.connect_timeout),
        read_timeout: secs(aws.read_timeout),
        assume_role: aws.assume_role.clone(),
        max_attempts: aws.max_attempts,
        max_backoff: None,
    };
    Ok(whittle_fetcher::client::build(&options).await?)
}

/// Where a fetch checkpoints its progress: `<out>.partial`.
fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Completed reports of the checkpoint and of the previous snapshot, the
/// checkpoint's first (it is newer).
fn reusable(out: &Path) -> anyhow::Result<Vec<Report>> {
    let mut reports = Vec::new();
    for path in [checkpoint_path(out), out.to_owned()] {
        if !path.exists() {
            continue;
        }
        let snapshot = Snapshot::read(&path).context("cannot resume")?;
        reports.extend(snapshot.reports.into_iter().filter(Report::is_complete));
    }
    Ok(reports)
}

/// Runs `whittle fetch`.
pub fn fetch(args: &FetchArgs) -> anyhow::Result<u8> {
    let reuse = if args.resume {
        reusable(&args.out)?
    } else {
        Vec::new()
    };
    let checkpoint = checkpoint_path(&args.out);
    let options = FetchOptions {
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
        reuse,
        checkpoint: Some(checkpoint.clone()),
        checkpoint_interval: Duration::from_secs_f64(args.checkpoint_interval),
        tool: tool(),
    };
    let progress = Progress::new();
    let snapshot = runtime()?.block_on(async {
        let iam = client(&args.aws).await?;
        anyhow::Ok(whittle_fetcher::fetch::fetch(&iam, &options, &|e| progress.event(&e)).await)
    })?;
    progress.finish();
    snapshot
        .write(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    // The snapshot holds everything the checkpoint did.
    let _ = std::fs::remove_file(&checkpoint);
    Ok(summarise(&snapshot, &args.out))
}

/// Runs `whittle import`.
pub fn import(args: &ImportArgs) -> anyhow::Result<u8> {
    let mut last_accessed = Vec::new();
    for pair in &args.last_accessed {
        let (arn, file) = pair
            .split_once('=')
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

/// Prints what the snapshot holds and who lacks data; returns the exit code.
fn summarise(snapshot: &Snapshot, out: &Path) -> u8 {
    let details = &snapshot.authorization_details;
    let principals = details.user_detail_list.len() + details.role_detail_list.len();
    let complete = snapshot.reports.iter().filter(|r| r.is_complete()).count();
    let stats = &snapshot.stats;
    eprintln!(
        "{} users, {} groups, {} roles, {} managed policies; {complete} complete last-accessed reports ({} reused)",
        details.user_detail_list.len(),
        details.group_detail_list.len(),
        details.role_detail_list.len(),
        details.policies.len(),
        stats.reused_reports,
    );
    if stats.api_calls > 0 {
        eprintln!(
            "{} API calls ({:.1} per principal) in {:.1} s",
            stats.api_calls,
            stats.api_calls as f64 / principals.max(1) as f64,
            stats.wall_time_ms as f64 / 1000.0
        );
    }
    for problem in snapshot.errors.iter().filter(|e| e.arn.is_none()) {
        eprintln!("error: {}: {}", problem.operation, problem.message);
    }
    // Every selected principal has a complete report or a problem saying why not.
    let missing: Vec<_> = snapshot.errors.iter().filter(|e| e.arn.is_some()).collect();
    if !missing.is_empty() {
        eprintln!("{} principals without last-accessed data:", missing.len());
        for problem in &missing {
            let arn = problem.arn.as_deref().unwrap_or_default();
            eprintln!("  {arn}: {}: {}", problem.operation, problem.message);
        }
    }
    eprintln!("wrote {}", out.display());
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

    fn event(&self, event: &Event<'_>) {
        match event {
            Event::Listed { counts } => self.line(format!(
                "listed {} users, {} groups, {} roles, {} managed policies",
                counts[0], counts[1], counts[2], counts[3]
            )),
            Event::ListingFailed { error } => self.line(format!("error: {error}")),
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
