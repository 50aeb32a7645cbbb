//! IAM's last-accessed jobs: GenerateServiceLastAccessedDetails, then
//! GetServiceLastAccessedDetails polled with backoff and jitter until the job
//! completes or fails, every page read; for groups and policies,
//! GetServiceLastAccessedDetailsWithEntities for each service used. A job's
//! [`Deadline`] bounds all of it: every call, every page, every wait.
//!
//! A job id is readable only by the identity that created it, so one client
//! generates and reads each job.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use aws_sdk_iam::Client;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::AccessAdvisorUsageGranularityType;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use whittle_model::{EntitiesDetails, EntityKind, JobStatus, LastAccessedDetails, Problem, Report};

use crate::convert;
use crate::redact::redact;

const WITH_ENTITIES: &str = "GetServiceLastAccessedDetailsWithEntities";

/// Error codes that mean "slow down": retried by the job as well as by the SDK.
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
];

/// How jobs are run.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// `ACTION_LEVEL` (default) or `SERVICE_LEVEL`.
    pub granularity: Granularity,
    /// The first wait between polls; later waits grow by half up to `poll_max`.
    pub poll_initial: Duration,
    /// The longest wait between polls.
    pub poll_max: Duration,
    /// The longest one job may take, every call, page, poll and restart
    /// included, before it is given up.
    pub job_timeout: Duration,
    /// Attempts per job when IAM keeps throttling after the SDK's own retries.
    pub job_attempts: u32,
}

impl Default for JobOptions {
    fn default() -> Self {
        Self {
            granularity: Granularity::ActionLevel,
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(10),
            job_timeout: Duration::from_secs(300),
            job_attempts: 3,
        }
    }
}

/// The granularity of a last-accessed report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// Services only.
    ServiceLevel,
    /// Services and, for tracked services, actions.
    ActionLevel,
}

impl Granularity {
    fn sdk(self) -> AccessAdvisorUsageGranularityType {
        match self {
            Self::ServiceLevel => AccessAdvisorUsageGranularityType::ServiceLevel,
            Self::ActionLevel => AccessAdvisorUsageGranularityType::ActionLevel,
        }
    }
}

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct CallError {
    /// The operation, e.g. `GetServiceLastAccessedDetails`.
    pub operation: &'static str,
    /// AWS's error code, when the response carried one.
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// Most pages one listing may take: far more than any account needs (a
/// 10,000-role account is a few hundred pages), far fewer than forever.
const MAX_PAGES: usize = 100_000;

/// Guards a paged listing against an endpoint that never ends it: a marker it
/// gave before (a loop), or more than [`MAX_PAGES`] pages.
pub(crate) struct Pages {
    operation: &'static str,
    seen: std::collections::HashSet<String>,
}

impl Pages {
    /// A guard for the pages of `operation`.
    pub(crate) fn new(operation: &'static str) -> Self {
        Self {
            operation,
            seen: std::collections::HashSet::new(),
        }
    }

    /// `marker`, to ask for the next page with; an error when it was given
    /// before or there have been too many pages.
    pub(crate) fn next(&mut self, marker: String) -> Result<String, CallError> {
        if self.seen.len() >= MAX_PAGES {
            return Err(CallError {
                operation: self.operation,
                code: None,
                message: format!("the endpoint gave more than {MAX_PAGES} pages: stopped"),
            });
        }
        if !self.seen.insert(marker.clone()) {
            return Err(CallError {
                operation: self.operation,
                code: None,
                message: "the endpoint gave a page marker it had given before (the pages would never end): stopped".to_owned(),
            });
        }
        Ok(marker)
    }
}

impl CallError {
    /// The error of a failed SDK call, in one line (see [`crate::describe`]),
    /// with every secret the text may carry redacted.
    pub(crate) fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (code, message) = crate::describe::describe(operation, &err);
        Self {
            operation,
            code: code.map(|code| redact(&code)),
            message: redact(&message),
        }
    }

    /// True when the credentials do not work (expired, revoked, none found):
    /// every later call would fail the same way.
    pub fn is_credentials_failure(&self) -> bool {
        crate::describe::is_credentials_failure(self.code.as_deref())
    }

    /// True when IAM asked to slow down.
    pub fn is_throttling(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|code| THROTTLING.contains(&code))
    }

    /// The error as a snapshot problem about `arn`.
    pub fn problem(&self, arn: &str) -> Problem {
        Problem {
            arn: Some(arn.to_owned()),
            operation: self.operation.to_owned(),
            code: self.code.clone(),
            message: self.message.clone(),
        }
    }
}

/// A job that produced no usable report.
#[derive(Debug, Clone)]
pub struct JobFailure {
    /// What went wrong.
    pub problem: Problem,
    /// The report as far as it got (a FAILED job's, with its Error).
    pub report: Option<Report>,
    /// API calls spent.
    pub api_calls: u32,
}

/// Counts the calls of one job.
struct Calls(u32);

/// The end of a job's time (`--job-timeout`): every call of the job, and every
/// wait between two, ends before it, however slowly the endpoint answers.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Option<(Instant, Duration)>,
}

impl Deadline {
    /// No deadline: each call is still bounded by the operation timeout.
    pub const NONE: Self = Self { at: None };

    /// `limit` from now (none, if that is past what a clock can hold).
    pub fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now().checked_add(limit).map(|at| (at, limit)),
        }
    }

    /// True once the deadline has passed.
    fn passed(&self) -> bool {
        self.at.is_some_and(|(at, _)| Instant::now() >= at)
    }

    /// `wait`, cut short at the deadline.
    fn cap(&self, wait: Duration) -> Duration {
        match self.at {
            Some((at, _)) => wait.min(at.saturating_duration_since(Instant::now())),
            None => wait,
        }
    }

    /// `call` of `operation`, or a timeout error if the deadline comes first.
    async fn bound<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, CallError>>,
    ) -> Result<T, CallError> {
        let Some((at, limit)) = self.at else {
            return call.await;
        };
        match tokio::time::timeout_at(at, call).await {
            Ok(result) => result,
            Err(_) => Err(CallError {
                operation,
                code: Some(crate::describe::JOB_TIMEOUT.to_owned()),
                message: format!(
                    "the job took longer than {} s (--job-timeout): no answer to {operation} in time",
                    limit.as_secs_f64()
                ),
            }),
        }
    }

    fn still_in_progress(&self, job_id: &str) -> CallError {
        let limit = self.at.map_or(Duration::ZERO, |(_, limit)| limit);
        CallError {
            operation: "GetServiceLastAccessedDetails",
            code: Some(crate::describe::JOB_TIMEOUT.to_owned()),
            message: format!(
                "job {job_id} still in progress after {} s (--job-timeout)",
                limit.as_secs_f64()
            ),
        }
    }
}

/// Starts a job; returns its id.
pub async fn generate(
    client: &Client,
    arn: &str,
    granularity: Granularity,
) -> Result<String, CallError> {
    let out = client
        .generate_service_last_accessed_details()
        .arn(arn)
        .granularity(granularity.sdk())
        .send()
        .await
        .map_err(|e| CallError::from_sdk("GenerateServiceLastAccessedDetails", e))?;
    out.job_id.ok_or_else(|| CallError {
        operation: "GenerateServiceLastAccessedDetails",
        code: None,
        message: "the response has no JobId".to_owned(),
    })
}

/// Reads a job's report once, every page merged (a job in progress has none).
/// Returns the report and the number of calls made.
pub async fn get(client: &Client, job_id: &str) -> Result<(LastAccessedDetails, u32), CallError> {
    read_report(client, job_id, &Deadline::NONE).await
}

/// [`get`], every page before `deadline`.
async fn read_report(
    client: &Client,
    job_id: &str,
    deadline: &Deadline,
) -> Result<(LastAccessedDetails, u32), CallError> {
    let mut calls = 0;
    let mut marker: Option<String> = None;
    let mut pages = Pages::new("GetServiceLastAccessedDetails");
    let mut details: Option<LastAccessedDetails> = None;
    loop {
        calls += 1;
        let call = client
            .get_service_last_accessed_details()
            .job_id(job_id)
            .set_marker(marker.take())
            .send();
        let page = deadline
            .bound("GetServiceLastAccessedDetails", async {
                call.await
                    .map_err(|e| CallError::from_sdk("GetServiceLastAccessedDetails", e))
            })
            .await?;
        let status = convert::status(&page.job_status);
        let services = page
            .services_last_accessed
            .into_iter()
            .map(convert::service);
        match &mut details {
            Some(d) => d.services_last_accessed.extend(services),
            None => {
                details = Some(LastAccessedDetails {
                    job_status: status,
                    job_type: page.job_type.map(|t| t.as_str().to_owned()),
                    job_creation_date: convert::present(&page.job_creation_date),
                    services_last_accessed: services.collect(),
                    job_completion_date: (status != JobStatus::InProgress)
                        .then(|| convert::present(&page.job_completion_date))
                        .flatten(),
                    error: convert::error(page.error),
                })
            }
        }
        match page.marker {
            Some(next) if page.is_truncated && status == JobStatus::Completed => {
                marker = Some(pages.next(next)?)
            }
            _ => break,
        }
    }
    Ok((details.expect("the loop reads at least one page"), calls))
}

/// Reads which entities used one service, every page merged.
pub async fn get_with_entities(
    client: &Client,
    job_id: &str,
    namespace: &str,
) -> Result<(EntitiesDetails, u32), CallError> {
    read_entities(client, job_id, namespace, &Deadline::NONE).await
}

/// [`get_with_entities`], every page before `deadline`.
async fn read_entities(
    client: &Client,
    job_id: &str,
    namespace: &str,
    deadline: &Deadline,
) -> Result<(EntitiesDetails, u32), CallError> {
    let mut calls = 0;
    let mut marker: Option<String> = None;
    let mut pages = Pages::new("GetServiceLastAccessedDetailsWithEntities");
    let mut details: Option<EntitiesDetails> = None;
    loop {
        calls += 1;
        let call = client
            .get_service_last_accessed_details_with_entities()
            .job_id(job_id)
            .service_namespace(namespace)
            .set_marker(marker.take())
            .send();
        let page = deadline
            .bound(WITH_ENTITIES, async {
                call.await
                    .map_err(|e| CallError::from_sdk(WITH_ENTITIES, e))
            })
            .await?;
        let status = convert::status(&page.job_status);
        let entities = page
            .entity_details_list
            .into_iter()
            .filter_map(convert::entity);
        match &mut details {
            Some(d) => d.entity_details_list.extend(entities),
            None => {
                details = Some(EntitiesDetails {
                    job_status: status,
                    job_creation_date: convert::present(&page.job_creation_date),
                    job_completion_date: (status != JobStatus::InProgress)
                        .then(|| convert::present(&page.job_completion_date))
                        .flatten(),
                    entity_details_list: entities.collect(),
                    error: convert::error(page.error),
                })
            }
        }
        match page.marker {
            Some(next) if page.is_truncated => marker = Some(pages.next(next)?),
            _ => break,
        }
    }
    Ok((details.expect("the loop reads at least one page"), calls))
}

/// Polls a job until it is no longer in progress, or `job_timeout` passes.
pub async fn wait(
    client: &Client,
    job_id: &str,
    options: &JobOptions,
) -> Result<(LastAccessedDetails, u32), CallError> {
    wait_until(
        client,
        job_id,
        options,
        &Deadline::after(options.job_timeout),
    )
    .await
}

/// Polls a job until it is no longer in progress, every call and pause
/// before `deadline`.
async fn wait_until(
    client: &Client,
    job_id: &str,
    options: &JobOptions,
    deadline: &Deadline,
) -> Result<(LastAccessedDetails, u32), CallError> {
    let mut calls = 0;
    let mut delay = options.poll_initial;
    loop {
        let (details, n) = read_report(client, job_id, deadline).await?;
        calls += n;
        if details.job_status != JobStatus::InProgress {
            return Ok((details, calls));
        }
        if deadline.passed() {
            return Err(deadline.still_in_progress(job_id));
        }
        tokio::time::sleep(deadline.cap(jitter(delay))).await;
        if deadline.passed() {
            return Err(deadline.still_in_progress(job_id));
        }
        delay = (delay * 3 / 2).min(options.poll_max);
    }
}

/// `delay` scaled by a random factor in [0.75, 1.25), so that many jobs started
/// together do not poll in lockstep.
fn jitter(delay: Duration) -> Duration {
    delay.mul_f64(0.75 + fastrand::f64() / 2.0)
}

/// Runs a whole job for `arn`: generate, wait, read every page and, for groups
/// and policies, the entities of each service used. Throttling that outlasts the
/// SDK's retries restarts the job after a pause, up to `job_attempts` times.
pub async fn run(
    client: &Client,
    arn: &str,
    kind: EntityKind,
    options: &JobOptions,
) -> Result<Report, JobFailure> {
    let mut calls = Calls(0);
    let mut pause = options.poll_initial.max(Duration::from_millis(100));
    let mut attempt = 1;
    let deadline = Deadline::after(options.job_timeout);
    loop {
        match attempt_job(client, arn, kind, options, &deadline, &mut calls).await {
            Err(e)
                if e.is_throttling()
                    && attempt < options.job_attempts.max(1)
                    && !deadline.passed() =>
            {
                attempt += 1;
                tokio::time::sleep(deadline.cap(jitter(pause))).await;
                pause *= 2;
            }
            Err(e) => {
                return Err(JobFailure {
                    problem: e.problem(arn),
                    report: None,
                    api_calls: calls.0,
                });
            }
            Ok(report) if report.last_accessed.job_status == JobStatus::Failed => {
                let error = report.last_accessed.error.clone();
                return Err(JobFailure {
                    problem: Problem {
                        arn: Some(arn.to_owned()),
                        operation: "GetServiceLastAccessedDetails".to_owned(),
                        code: error.as_ref().map(|e| e.code.clone()),
                        message: error.map_or_else(
                            || "the job failed without saying why".to_owned(),
                            |e| format!("the job failed: {}", e.message),
                        ),
                    },
                    api_calls: calls.0,
                    report: Some(report),
                });
            }
            Ok(mut report) => {
                report.api_calls = calls.0;
                return Ok(report);
            }
        }
    }
}

async fn attempt_job(
    client: &Client,
    arn: &str,
    kind: EntityKind,
    options: &JobOptions,
    deadline: &Deadline,
    calls: &mut Calls,
) -> Result<Report, CallError> {
    calls.0 += 1;
    let job_id = deadline
        .bound(
            "GenerateServiceLastAccessedDetails",
            generate(client, arn, options.granularity),
        )
        .await?;
    let (last_accessed, n) = wait_until(client, &job_id, options, deadline).await?;
    calls.0 += n;
    let mut entities = BTreeMap::new();
    if matches!(kind, EntityKind::Group | EntityKind::Policy)
        && last_accessed.job_status == JobStatus::Completed
    {
        for service in &last_accessed.services_last_accessed {
            if service.last_authenticated.is_none() {
                continue;
            }
            let (details, n) =
                read_entities(client, &job_id, &service.service_namespace, deadline).await?;
            calls.0 += n;
            entities.insert(service.service_namespace.clone(), details);
        }
    }
    Ok(Report {
        arn: arn.to_owned(),
        kind,
        job_id: Some(job_id),
        last_accessed,
        entities,
        api_calls: calls.0,
    })
}

#[cfg(test)]
mod tests {
    use super::{Deadline, MAX_PAGES, Pages};

    #[test]
    fn a_deadline_past_any_clock_is_no_deadline() {
        assert!(Deadline::after(std::time::Duration::MAX).at.is_none());
        assert!(
            Deadline::after(std::time::Duration::from_secs(1))
                .at
                .is_some()
        );
    }

    #[test]
    fn a_listing_stops_past_its_most_pages() {
        let mut pages = Pages::new("GetAccountAuthorizationDetails");
        for n in 0..MAX_PAGES {
            assert!(pages.next(format!("marker-{n}")).is_ok(), "page {n}");
        }
        let err = pages.next("one-more".to_owned()).unwrap_err();
        assert!(err.message.contains("more than 100000 pages"), "{err}");
    }
}
