//! One account's snapshot: every page of GetAccountAuthorizationDetails, then a
//! last-accessed job per selected principal, run concurrently under a bound.
//! A failure is recorded for its principal and the fetch goes on; progress is
//! checkpointed atomically so that an interrupted fetch can be resumed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::Semaphore;
use whittle_model::{
    AuthorizationDetails, EntityKind, Problem, Report, Snapshot, SnapshotError, Source, Stats,
    Tool, account_of,
};

use crate::client::IamClient;
use crate::convert;
use crate::jobs::{self, CallError, JobOptions};

/// What to fetch and how.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Principals (or groups, or policies) to run jobs for; empty means every
    /// user and role of the account.
    pub principals: Vec<String>,
    /// Only principals whose path starts with this.
    pub path_prefix: Option<String>,
    /// Also run jobs for customer-managed policies.
    pub include_managed_policies: bool,
    /// Jobs in flight at once.
    pub concurrency: usize,
    /// Polling, timeouts and retries of each job.
    pub jobs: JobOptions,
    /// Completed reports of an earlier snapshot, reused instead of run again.
    pub reuse: Vec<Report>,
    /// Where to write progress while the fetch runs (atomically).
    pub checkpoint: Option<PathBuf>,
    /// The least time between two checkpoints.
    pub checkpoint_interval: Duration,
    /// Written into the snapshot.
    pub tool: Tool,
    /// A budget of jobs in flight shared with other fetches (several accounts).
    pub budget: Option<Arc<Semaphore>>,
}

/// Progress, for a bar on a terminal or lines in a log.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// The account's entities are listed.
    Listed {
        /// Users, groups, roles and managed policies.
        counts: [usize; 4],
    },
    /// Listing failed; jobs run only for principals named explicitly.
    ListingFailed {
        /// Why.
        error: &'a CallError,
    },
    /// Jobs are about to run.
    Planned {
        /// Jobs to run.
        jobs: usize,
        /// Reports reused from an earlier snapshot.
        reused: usize,
    },
    /// The credentials stopped working: the jobs not yet started are not run.
    CredentialsFailed {
        /// The failure that showed it.
        problem: &'a Problem,
    },
    /// One job ended.
    JobDone {
        /// Its ARN.
        arn: &'a str,
        /// Why it produced no report, if it did not.
        problem: Option<&'a Problem>,
    },
}

/// Fetches one account into a snapshot. Never fails as a whole: what could not
/// be fetched is listed in the snapshot's `errors`.
pub async fn fetch(
    iam: &IamClient,
    options: &FetchOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Snapshot {
    let started = Instant::now();
    let mut snapshot = Snapshot::new(
        options.tool.clone(),
        Source::Api {
            endpoint: iam.endpoint_url.clone(),
            region: Some(iam.region.clone()),
        },
    );
    list_account(&mut snapshot, iam, options, progress).await;
    let to_run = reuse_reports(&mut snapshot, options);
    progress(Event::Planned {
        jobs: to_run.len(),
        reused: snapshot.stats.reused_reports as usize,
    });
    let fetch = Fetch {
        iam,
        options,
        progress,
        started,
    };
    fetch.run_jobs(&mut snapshot, to_run).await;
    snapshot.reports.sort_by(|a, b| a.arn.cmp(&b.arn));
    // Complete only when every listing and every job succeeded.
    snapshot.complete = snapshot.errors.is_empty();
    stamp(&mut snapshot, iam, started);
    snapshot
}

/// The first failure that said the credentials do not work (expired, revoked,
/// none found), when one did.
pub fn credentials_failure(snapshot: &Snapshot) -> Option<&Problem> {
    snapshot
        .errors
        .iter()
        .find(|e| crate::describe::is_credentials_failure(e.code.as_deref()))
}

/// True when the account's users, groups, roles and policies could not be
/// listed: such a snapshot must not replace one that has them.
pub fn listing_failed(snapshot: &Snapshot) -> bool {
    snapshot
        .errors
        .iter()
        .any(|e| e.arn.is_none() && e.operation == "GetAccountAuthorizationDetails")
}

/// Reads every user, group, role and policy of the account into `snapshot`,
/// or records why it could not.
async fn list_account(
    snapshot: &mut Snapshot,
    iam: &IamClient,
    options: &FetchOptions,
    progress: &(dyn Fn(Event<'_>) + Sync),
) {
    match authorization_details(&iam.client).await {
        Ok(details) => {
            progress(Event::Listed {
                counts: [
                    details.user_detail_list.len(),
                    details.group_detail_list.len(),
                    details.role_detail_list.len(),
                    details.policies.len(),
                ],
            });
            snapshot.authorization_details = details;
        }
        Err(error) => {
            progress(Event::ListingFailed { error: &error });
            snapshot.errors.push(Problem {
                arn: None,
                ..error.problem("")
            });
        }
    }
    snapshot.account_id = snapshot
        .authorization_details
        .account_id()
        .or_else(|| options.principals.iter().find_map(|arn| account_of(arn)));
}

/// Copies the complete reports of an earlier snapshot for the entities to
/// fetch; returns the entities left to run a job for.
fn reuse_reports(snapshot: &mut Snapshot, options: &FetchOptions) -> Vec<(String, EntityKind)> {
    let targets = targets(&snapshot.authorization_details, options);
    let mut reusable: HashMap<&str, &Report> = options
        .reuse
        .iter()
        .filter(|r| r.is_complete())
        .map(|r| (r.arn.as_str(), r))
        .collect();
    let (reused, to_run): (Vec<_>, Vec<_>) = targets
        .into_iter()
        .partition(|(arn, _)| reusable.contains_key(arn.as_str()));
    for (arn, _) in &reused {
        if let Some(report) = reusable.remove(arn.as_str()) {
            snapshot.reports.push(report.clone());
        }
    }
    snapshot.stats.reused_reports = reused.len() as u64;
    to_run
}

/// One account's fetch: the client, the options, where progress goes.
struct Fetch<'a> {
    iam: &'a IamClient,
    options: &'a FetchOptions,
    progress: &'a (dyn Fn(Event<'_>) + Sync),
    started: Instant,
}

impl Fetch<'_> {
    /// Runs the last-accessed jobs of `to_run`, at most `concurrency` at once,
    /// adding each report or problem to `snapshot` as it ends and writing
    /// checkpoints on the way. Once a job fails because the credentials do not
    /// work, the jobs not yet started are recorded as not run instead: each
    /// would fail the same way.
    async fn run_jobs(&self, snapshot: &mut Snapshot, to_run: Vec<(String, EntityKind)>) {
        let (iam, options, progress) = (self.iam, self.options, self.progress);
        let credentials_failed = AtomicBool::new(false);
        let credentials_failed = &credentials_failed;
        let mut results = futures::stream::iter(to_run)
            .map(|(arn, kind)| async move {
                let _permit = match &options.budget {
                    Some(budget) => budget.acquire().await.ok(),
                    None => None,
                };
                if credentials_failed.load(Ordering::Relaxed) {
                    let outcome = Err(not_run(&arn));
                    return (arn, outcome);
                }
                let outcome = jobs::run(&iam.client, &arn, kind, &options.jobs).await;
                if let Err(failure) = &outcome
                    && crate::describe::is_credentials_failure(failure.problem.code.as_deref())
                    && !credentials_failed.swap(true, Ordering::Relaxed)
                {
                    progress(Event::CredentialsFailed {
                        problem: &failure.problem,
                    });
                }
                (arn, outcome)
            })
            .buffer_unordered(options.concurrency.max(1));
        let mut last_checkpoint = Instant::now();
        let mut checkpoint_gap = options.checkpoint_interval;
        // Reports not yet in a checkpoint; they are written once the gap has
        // passed, even while the next job is still running.
        let mut dirty = false;
        loop {
            let next = if dirty && options.checkpoint.is_some() {
                let wait = checkpoint_gap.saturating_sub(last_checkpoint.elapsed());
                tokio::time::timeout(wait, results.next()).await
            } else {
                Ok(results.next().await)
            };
            // `Err`: the gap passed with no job ending, so the checkpoint is due.
            if let Ok(next) = next {
                let Some((arn, outcome)) = next else {
                    break;
                };
                self.record(snapshot, &arn, outcome);
                dirty = true;
            }
            if let Some(path) = &options.checkpoint
                && dirty
                && last_checkpoint.elapsed() >= checkpoint_gap
            {
                checkpoint_gap = checkpoint(
                    snapshot,
                    iam,
                    self.started,
                    path,
                    options.checkpoint_interval,
                );
                last_checkpoint = Instant::now();
                dirty = false;
            }
        }
    }

    /// Adds the outcome of one job to `snapshot` and reports it.
    fn record(
        &self,
        snapshot: &mut Snapshot,
        arn: &str,
        outcome: Result<Report, jobs::JobFailure>,
    ) {
        let (report, problem) = match outcome {
            Ok(report) => (Some(report), None),
            Err(failure) => (failure.report, Some(failure.problem)),
        };
        (self.progress)(Event::JobDone {
            arn,
            problem: problem.as_ref(),
        });
        snapshot.reports.extend(report);
        snapshot.errors.extend(problem);
    }
}

/// The failure of a job not run because the credentials stopped working.
fn not_run(arn: &str) -> jobs::JobFailure {
    jobs::JobFailure {
        problem: Problem {
            arn: Some(arn.to_owned()),
            operation: "GenerateServiceLastAccessedDetails".to_owned(),
            code: None,
            message: "not run: the credentials stopped working before this job started".to_owned(),
        },
        report: None,
        api_calls: 0,
    }
}

/// Writes a checkpoint; returns the gap to leave before the next one, so that
/// writing takes at most a tenth of the time (a big account's snapshot is large).
fn checkpoint(
    snapshot: &mut Snapshot,
    iam: &IamClient,
    started: Instant,
    path: &Path,
    interval: Duration,
) -> Duration {
    stamp(snapshot, iam, started);
    let writing = Instant::now();
    // A checkpoint that cannot be written only costs a resume; the final write
    // reports the problem.
    let _ = snapshot.write(path);
    interval.max(writing.elapsed() * 10)
}

fn stamp(snapshot: &mut Snapshot, iam: &IamClient, started: Instant) {
    snapshot.fetched_at = Timestamp::now();
    snapshot.stats = Stats {
        api_calls: iam.calls.total(),
        calls_by_operation: iam.calls.by_operation(),
        wall_time_ms: started.elapsed().as_millis() as u64,
        reused_reports: snapshot.stats.reused_reports,
    };
}

/// Every page of GetAccountAuthorizationDetails.
pub async fn authorization_details(
    client: &aws_sdk_iam::Client,
) -> Result<AuthorizationDetails, CallError> {
    let mut details = AuthorizationDetails::default();
    let mut pages = crate::jobs::Pages::new("GetAccountAuthorizationDetails");
    let mut marker = None;
    loop {
        let page = client
            .get_account_authorization_details()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| CallError::from_sdk("GetAccountAuthorizationDetails", e))?;
        let next = page.marker.clone().filter(|_| page.is_truncated);
        let users = page.user_detail_list.unwrap_or_default();
        let groups = page.group_detail_list.unwrap_or_default();
        let roles = page.role_detail_list.unwrap_or_default();
        let policies = page.policies.unwrap_or_default();
        details
            .user_detail_list
            .extend(users.into_iter().map(convert::user));
        details
            .group_detail_list
            .extend(groups.into_iter().map(convert::group));
        details
            .role_detail_list
            .extend(roles.into_iter().map(convert::role));
        details
            .policies
            .extend(policies.into_iter().map(convert::policy));
        match next {
            Some(next) => marker = Some(pages.next(next)?),
            None => return Ok(details),
        }
    }
}

/// The ARNs to run jobs for, with their kinds, in a stable order.
fn targets(details: &AuthorizationDetails, options: &FetchOptions) -> Vec<(String, EntityKind)> {
    let in_path = |path: &str| {
        options
            .path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix))
    };
    let mut targets: Vec<(String, EntityKind)> = if options.principals.is_empty() {
        let users = details
            .user_detail_list
            .iter()
            .filter(|u| in_path(&u.path))
            .map(|u| (u.arn.clone(), EntityKind::User));
        let roles = details
            .role_detail_list
            .iter()
            .filter(|r| in_path(&r.path))
            .map(|r| (r.arn.clone(), EntityKind::Role));
        users.chain(roles).collect()
    } else {
        options
            .principals
            .iter()
            .map(|arn| {
                (
                    arn.clone(),
                    EntityKind::of_arn(arn).unwrap_or(EntityKind::Role),
                )
            })
            .collect()
    };
    if options.include_managed_policies {
        targets.extend(
            details
                .policies
                .iter()
                .filter(|p| !p.arn.starts_with("arn:aws:iam::aws:") && in_path(&p.path))
                .map(|p| (p.arn.clone(), EntityKind::Policy)),
        );
    }
    let mut seen = std::collections::HashSet::new();
    targets.retain(|(arn, _)| seen.insert(arn.clone()));
    targets
}

/// Where a fetch into `out` checkpoints its progress: `<out>.partial`.
pub fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// The completed reports of `out`'s checkpoint and of `out` itself (the
/// checkpoint's first: it is newer), for `--resume`. Missing files are skipped.
pub fn reusable_reports(out: &Path) -> Result<Vec<Report>, SnapshotError> {
    let mut reports = Vec::new();
    for path in [checkpoint_path(out), out.to_owned()] {
        if path.exists() {
            let snapshot = Snapshot::read(&path)?;
            reports.extend(snapshot.reports.into_iter().filter(Report::is_complete));
        }
    }
    Ok(reports)
}
