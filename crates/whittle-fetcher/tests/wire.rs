//! Wire-level tests: aws-sdk-iam against a fake IAM endpoint on 127.0.0.1 that
//! answers with recorded responses in IAM's exact XML (`testdata/wire/`), and
//! against raw endpoints that misbehave (answers that trickle in or never end).

#[path = "../../../tests/support/fake_iam.rs"]
mod fake_iam;
#[path = "../../../tests/support/raw_http.rs"]
mod raw_http;

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use fake_iam::{FakeIam, Reply, wire_file};
use raw_http::{Behaviour, RawEndpoint};
use whittle_fetcher::client::{ClientOptions, IamClient, from_config};
use whittle_fetcher::fetch::{FetchOptions, fetch};
use whittle_fetcher::jobs::{self, JobOptions};
use whittle_model::{EntityKind, JobStatus, Tool};

const ROLE: &str = "arn:aws:iam::123456789012:role/app-role";
const POLICY: &str = "arn:aws:iam::123456789012:policy/app-policy";
const GENERATE: &str = "GenerateServiceLastAccessedDetails";
const GET: &str = "GetServiceLastAccessedDetails";
const WITH_ENTITIES: &str = "GetServiceLastAccessedDetailsWithEntities";
const DETAILS: &str = "GetAccountAuthorizationDetails";

fn client(server: &wiremock::MockServer) -> IamClient {
    client_at(
        &server.uri(),
        ClientOptions {
            max_attempts: 3,
            max_backoff: Some(Duration::from_millis(40)),
            ..ClientOptions::default()
        },
    )
}

/// A client of the endpoint at `url` with `options` (its endpoint replaced).
fn client_at(url: &str, options: ClientOptions) -> IamClient {
    let shared = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDWHITTLETEST",
            "not-a-secret",
            None,
            None,
            "test",
        )))
        .build();
    from_config(
        &shared,
        &ClientOptions {
            endpoint_url: Some(url.to_owned()),
            ..options
        },
    )
}

fn fast() -> JobOptions {
    JobOptions {
        poll_initial: Duration::from_millis(10),
        poll_max: Duration::from_millis(50),
        job_timeout: Duration::from_secs(10),
        ..JobOptions::default()
    }
}

#[tokio::test]
async fn a_job_in_progress_then_completed_is_read_across_pages() {
    let fake = FakeIam::default();
    fake.script(GENERATE, [Reply::ok("generate-job.xml")])
        .script(
            GET,
            [
                Reply::ok("get-in-progress.xml"),
                Reply::ok("get-in-progress.xml"),
                Reply::ok("get-page1.xml"),
                Reply::ok("get-page2.xml"),
            ],
        );
    let server = fake.start().await;
    let iam = client(&server);
    let report = jobs::run(&iam.client, ROLE, EntityKind::Role, &fast())
        .await
        .expect("the job completes");

    let details = &report.last_accessed;
    assert_eq!(details.job_status, JobStatus::Completed);
    assert_eq!(details.job_type.as_deref(), Some("ACTION_LEVEL"));
    assert!(details.job_completion_date.is_some());
    let namespaces: Vec<&str> = details
        .services_last_accessed
        .iter()
        .map(|s| s.service_namespace.as_str())
        .collect();
    assert_eq!(namespaces, ["iam", "s3", "ec2", "sts"]);
    let s3 = &details.services_last_accessed[1];
    let tracked = s3.tracked_actions_last_accessed.as_ref().unwrap();
    assert_eq!(tracked[0].action_name, "GetObject");
    assert!(tracked[0].last_accessed_time.is_some());
    // Tracked but never used: no LastAccessedTime.
    assert_eq!(tracked[1].action_name, "PutObject");
    assert!(tracked[1].last_accessed_time.is_none());
    // A service without action-level tracking has no tracked list at all.
    assert!(
        details.services_last_accessed[3]
            .tracked_actions_last_accessed
            .is_none()
    );
    assert!(
        details.services_last_accessed[0]
            .last_authenticated
            .is_none()
    );

    let generate = fake.seen_for(GENERATE);
    assert_eq!(generate[0].params["Arn"], ROLE);
    assert_eq!(generate[0].params["Granularity"], "ACTION_LEVEL");
    let gets = fake.seen_for(GET);
    assert_eq!(gets.len(), 4);
    assert_eq!(gets[3].params["Marker"], "page-2-marker");
    assert!(
        gets.iter()
            .all(|g| g.params["JobId"] == "examplef-1305-c245-eba4-71fe298bcda7")
    );
    assert_eq!(report.api_calls, 5);
    // No with-entities calls for a role.
    assert!(fake.seen_for(WITH_ENTITIES).is_empty());
}

#[tokio::test]
async fn a_policy_report_reads_the_entities_of_each_service_used() {
    let fake = FakeIam::default();
    fake.script(GENERATE, [Reply::ok("generate-job.xml")])
        .script(
            GET,
            [Reply::ok("get-page1.xml"), Reply::ok("get-page2.xml")],
        )
        .always(WITH_ENTITIES, Reply::ok("get-with-entities.xml"));
    let server = fake.start().await;
    let report = jobs::run(&client(&server).client, POLICY, EntityKind::Policy, &fast())
        .await
        .unwrap();
    // s3, ec2 and sts were used (sts at service level only); iam was not.
    let asked: Vec<String> = fake
        .seen_for(WITH_ENTITIES)
        .into_iter()
        .map(|s| s.params["ServiceNamespace"].clone())
        .collect();
    assert_eq!(
        report.entities.keys().collect::<Vec<_>>(),
        ["ec2", "s3", "sts"]
    );
    assert_eq!(asked.len(), 3, "{asked:?}");
    let s3 = &report.entities["s3"].entity_details_list;
    assert_eq!(s3.len(), 2);
    assert_eq!(s3[0].entity_info.entity_type, "ROLE");
    assert!(s3[0].last_authenticated.is_some());
    assert!(s3[1].last_authenticated.is_none());
}

#[tokio::test]
async fn a_failed_job_keeps_its_error() {
    let fake = FakeIam::default();
    fake.script(GENERATE, [Reply::ok("generate-job.xml")])
        .script(
            GET,
            [
                Reply::ok("get-in-progress.xml"),
                Reply::ok("get-failed.xml"),
            ],
        );
    let server = fake.start().await;
    let failure = jobs::run(&client(&server).client, ROLE, EntityKind::Role, &fast())
        .await
        .expect_err("the job failed");
    let report = failure.report.expect("the failed report is kept");
    assert_eq!(report.last_accessed.job_status, JobStatus::Failed);
    let error = report.last_accessed.error.expect("IAM said why");
    assert_eq!(failure.problem.code.as_deref(), Some(error.code.as_str()));
    assert!(failure.problem.message.contains(&error.message));
    assert_eq!(failure.problem.arn.as_deref(), Some(ROLE));
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_then_by_the_job() {
    let fake = FakeIam::default();
    // Two throttles: the SDK's own retries absorb them.
    fake.script(GENERATE, [Reply::ok("generate-job.xml")])
        .script(
            GET,
            [
                Reply::file(400, "error-throttling.xml"),
                Reply::file(400, "error-throttling.xml"),
                Reply::ok("get-page2.xml"),
            ],
        );
    let server = fake.start().await;
    let iam = client(&server);
    let report = jobs::run(&iam.client, ROLE, EntityKind::Role, &fast())
        .await
        .expect("throttling is retried");
    assert_eq!(report.last_accessed.services_last_accessed.len(), 2);
    assert_eq!(iam.calls.by_operation()[GET], 3);

    // Three throttles outlast the SDK's three attempts: the job starts again.
    let fake = FakeIam::default();
    fake.script(GENERATE, vec![Reply::file(400, "error-throttling.xml"); 3])
        .always(GENERATE, Reply::ok("generate-job.xml"))
        .script(GET, [Reply::ok("get-page2.xml")]);
    let server = fake.start().await;
    let report = jobs::run(&client(&server).client, ROLE, EntityKind::Role, &fast())
        .await
        .expect("the job is retried");
    assert_eq!(report.last_accessed.job_status, JobStatus::Completed);
    assert_eq!(fake.seen_for(GENERATE).len(), 4);
}

#[tokio::test]
async fn a_job_that_never_completes_times_out() {
    let fake = FakeIam::default();
    fake.script(GENERATE, [Reply::ok("generate-job.xml")])
        .always(GET, Reply::ok("get-in-progress.xml"));
    let server = fake.start().await;
    let options = JobOptions {
        job_timeout: Duration::from_secs(1),
        ..fast()
    };
    let failure = jobs::run(&client(&server).client, ROLE, EntityKind::Role, &options)
        .await
        .expect_err("the job never completes");
    assert_eq!(failure.problem.code.as_deref(), Some("Timeout"));
    // The deadline passes between two polls, or (on a loaded machine) during one.
    let message = &failure.problem.message;
    assert!(
        message.contains("still in progress") || message.contains("no answer to"),
        "{message}"
    );
    assert!(fake.seen_for(GET).len() >= 3, "it polled");
}

#[tokio::test]
async fn an_endpoint_without_the_operation_is_an_error_for_that_principal() {
    let fake = FakeIam::default();
    fake.always(GENERATE, Reply::not_implemented());
    let server = fake.start().await;
    let failure = jobs::run(&client(&server).client, ROLE, EntityKind::Role, &fast())
        .await
        .expect_err("the endpoint cannot run jobs");
    assert_eq!(failure.problem.operation, GENERATE);
    assert!(failure.report.is_none());
    // A 500 is retried by the SDK, not by the job (it is not throttling).
    assert_eq!(fake.seen_for(GENERATE).len(), 3);
}

fn tool() -> Tool {
    Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    }
}

fn fetch_options() -> FetchOptions {
    FetchOptions {
        principals: Vec::new(),
        path_prefix: None,
        include_managed_policies: false,
        concurrency: 4,
        jobs: fast(),
        reuse: Vec::new(),
        checkpoint: None,
        checkpoint_interval: Duration::ZERO,
        tool: tool(),
        budget: None,
    }
}

fn account(fake: &FakeIam) {
    fake.script(
        DETAILS,
        [
            Reply::ok("authorization-details-page1.xml"),
            Reply::ok("authorization-details-page2.xml"),
        ],
    );
}

#[tokio::test]
async fn a_fetch_decodes_every_page_and_goes_on_past_a_failed_principal() {
    let fake = FakeIam::default();
    account(&fake);
    fake.script_for(
        GENERATE,
        "arn:aws:iam::123456789012:role/batch-role",
        vec![Reply::not_implemented(); 3],
    )
    .always(GENERATE, Reply::ok("generate-job.xml"))
    .always(GET, Reply::ok("get-page2.xml"));
    let server = fake.start().await;
    let iam = client(&server);
    let events = std::sync::Mutex::new(Vec::new());
    let snapshot = fetch(&iam, &fetch_options(), &|e| {
        events.lock().unwrap().push(format!("{e:?}"))
    })
    .await;

    let details = &snapshot.authorization_details;
    assert_eq!(fake.seen_for(DETAILS)[1].params["Marker"], "details-page-2");
    assert_eq!(details.user_detail_list.len(), 1);
    assert_eq!(details.group_detail_list.len(), 1);
    assert_eq!(details.role_detail_list.len(), 2);
    // Documents arrive URL-encoded and are decoded exactly once: the literal
    // "%" in the Resource survives.
    let inline = &details.user_detail_list[0].user_policy_list[0].policy_document;
    assert_eq!(
        inline["Statement"][0]["Resource"],
        "arn:aws:s3:::reports/100%/*"
    );
    let policy = &details.policies[0];
    assert_eq!(
        policy.default_version().unwrap().document["Statement"][0]["Action"][0],
        "ec2:RunInstances"
    );
    assert_eq!(
        details.role_detail_list[0]
            .assume_role_policy_document
            .as_ref()
            .unwrap()["Version"],
        "2012-10-17"
    );
    assert!(
        details.role_detail_list[0]
            .role_last_used
            .as_ref()
            .unwrap()
            .last_used_date
            .is_some()
    );
    assert_eq!(snapshot.account_id.as_deref(), Some("123456789012"));

    // Reports for the user and app-role; batch-role's failure is recorded.
    let arns: Vec<&str> = snapshot.reports.iter().map(|r| r.arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::123456789012:role/app-role",
            "arn:aws:iam::123456789012:user/ci/deploy-bot"
        ]
    );
    assert_eq!(snapshot.errors.len(), 1);
    assert_eq!(
        snapshot.errors[0].arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/batch-role")
    );
    // A job failed: the snapshot says it is not complete.
    assert!(!snapshot.complete);
    assert_eq!(
        snapshot.stats.api_calls,
        snapshot.stats.calls_by_operation.values().sum::<u64>()
    );
    assert_eq!(snapshot.stats.calls_by_operation[DETAILS], 2);
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.contains("Planned { jobs: 3, reused: 0 }"))
    );
}

#[tokio::test]
async fn a_resumed_fetch_reuses_completed_reports() {
    let fake = FakeIam::default();
    account(&fake);
    fake.always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"));
    let server = fake.start().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("snap.json.partial");
    let first = fetch(
        &client(&server),
        &FetchOptions {
            checkpoint: Some(checkpoint.clone()),
            ..fetch_options()
        },
        &|_| {},
    )
    .await;
    assert_eq!(first.reports.len(), 3);
    let saved = whittle_model::Snapshot::read(&checkpoint).expect("checkpoints are snapshots");
    assert!(!saved.complete);
    assert!(!saved.reports.is_empty());

    // Resume with two of the three reports: only the third job runs.
    let fake = FakeIam::default();
    account(&fake);
    fake.always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"));
    let server = fake.start().await;
    let second = fetch(
        &client(&server),
        &FetchOptions {
            reuse: first.reports[..2].to_vec(),
            ..fetch_options()
        },
        &|_| {},
    )
    .await;
    let generated: Vec<String> = fake
        .seen_for(GENERATE)
        .into_iter()
        .map(|s| s.params["Arn"].clone())
        .collect();
    assert_eq!(generated, [first.reports[2].arn.clone()]);
    assert_eq!(
        second.reports,
        first
            .reports
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if r.arn == first.reports[2].arn {
                    r = second.reports[2].clone();
                }
                r
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(second.stats.reused_reports, 2);
}

/// A plan of one step taking user/ci-bot out of `group`, expecting `expect`.
fn leave_plan(group: &str, expect: whittle_model::Expectation) -> whittle_model::Plan {
    let mut plan = whittle_model::Plan::new(tool(), None);
    plan.steps = vec![whittle_model::Step {
        id: "leave".into(),
        description: format!("remove user/ci-bot from group/{group}"),
        operation: whittle_model::Operation::RemoveUserFromGroup {
            user_name: "ci-bot".into(),
            group_name: group.into(),
        },
        expect: vec![expect],
    }];
    plan
}

/// Applies [`leave_plan`]`(group, expect)` against `fake`, journaling into
/// `dir`; returns what apply returned and the journal's path.
async fn apply_leave(
    fake: &FakeIam,
    dir: &std::path::Path,
    group: &str,
    expect: whittle_model::Expectation,
) -> (
    Result<whittle_fetcher::apply::Progress, whittle_fetcher::apply::ApplyError>,
    std::path::PathBuf,
) {
    let server = fake.start().await;
    let journal = dir.join("plan.json.journal.json");
    let result = whittle_fetcher::apply::apply(
        &client(&server),
        &leave_plan(group, expect),
        &journal,
        &whittle_fetcher::apply::ApplyOptions::default(),
    )
    .await;
    (result, journal)
}

fn groups_on_two_pages() -> FakeIam {
    let fake = FakeIam::default();
    fake.always("ListGroupsForUser", Reply::ok("groups-for-user-page1.xml"))
        .always_after(
            "ListGroupsForUser",
            "groups-page-2",
            Reply::ok("groups-for-user-page2.xml"),
        )
        .always(
            "RemoveUserFromGroup",
            Reply::ok("remove-user-from-group.xml"),
        );
    fake
}

#[tokio::test]
async fn a_membership_on_the_second_page_of_groups_is_found() {
    let fake = groups_on_two_pages();
    let server = fake.start().await;
    let member = whittle_model::Expectation::MemberOf {
        user_name: "ci-bot".into(),
        group_name: "deployers".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("plan.json.journal.json");
    let plan = leave_plan("deployers", member);
    let progress = whittle_fetcher::apply::apply(
        &client(&server),
        &plan,
        &journal,
        &whittle_fetcher::apply::ApplyOptions::default(),
    )
    .await
    .expect("the user is in deployers, on the second page");
    assert_eq!(progress.done, ["leave"]);
    let removed = fake.seen_for("RemoveUserFromGroup");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].params["UserName"], "ci-bot");
    assert_eq!(removed[0].params["GroupName"], "deployers");
    let markers: Vec<Option<String>> = (fake.seen_for("ListGroupsForUser").into_iter())
        .map(|s| s.params.get("Marker").cloned())
        .collect();
    assert!(
        markers.contains(&Some("groups-page-2".to_owned())),
        "{markers:?}"
    );
}

#[tokio::test]
async fn a_user_found_in_a_group_it_should_not_be_in_changes_nothing() {
    let fake = groups_on_two_pages();
    let not_member = whittle_model::Expectation::NotMemberOf {
        user_name: "ci-bot".into(),
        group_name: "deployers".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let (result, _) = apply_leave(&fake, dir.path(), "deployers", not_member).await;
    let err = result.unwrap_err();
    assert!(err.is_changed(), "{err}");
    assert!(
        err.to_string()
            .contains("step leave: user/ci-bot is in group/deployers"),
        "{err}"
    );
    assert!(fake.seen_for("RemoveUserFromGroup").is_empty());
}

#[tokio::test]
async fn a_step_applied_by_a_run_killed_before_its_journal_is_journaled_not_run_again() {
    // An earlier run took user/ci-bot out of group/auditors and was killed
    // before it wrote its journal: the step's expectation fails, but IAM is
    // exactly in the state the step leads to.
    let fake = groups_on_two_pages();
    let server = fake.start().await;
    let member = whittle_model::Expectation::MemberOf {
        user_name: "ci-bot".into(),
        group_name: "auditors".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("plan.json.journal.json");
    let plan = leave_plan("auditors", member);
    let progress = whittle_fetcher::apply::apply(
        &client(&server),
        &plan,
        &journal_path,
        &whittle_fetcher::apply::ApplyOptions::default(),
    )
    .await
    .expect("the step is recognised as applied");
    assert_eq!(progress.found_applied, ["leave"]);
    assert!(progress.done.is_empty());
    assert!(fake.seen_for("RemoveUserFromGroup").is_empty());
    let journal = whittle_model::Journal::read_for(&journal_path, &plan).unwrap();
    assert!(journal.is_applied("leave"));
    assert_eq!(
        journal.step("leave").unwrap().note.as_deref(),
        Some(whittle_fetcher::apply::FOUND_APPLIED)
    );
}

#[tokio::test]
async fn a_failed_expectation_without_the_step_s_after_state_still_changes_nothing() {
    // The plan expects user/ci-bot in group/auditors and would take it out of
    // group/deployers; it is in neither state: IAM changed.
    let fake = groups_on_two_pages();
    let member = whittle_model::Expectation::MemberOf {
        user_name: "ci-bot".into(),
        group_name: "auditors".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let (result, journal_path) = apply_leave(&fake, dir.path(), "deployers", member).await;
    let err = result.unwrap_err();
    assert!(err.is_changed(), "{err}");
    assert!(
        err.to_string()
            .contains("step leave: user/ci-bot is not in group/auditors"),
        "{err}"
    );
    assert!(fake.seen_for("RemoveUserFromGroup").is_empty());
    assert!(!journal_path.exists());
}

/// At most this long for a test's call: a hang fails the test instead.
const GUARD: Duration = Duration::from_secs(30);

#[tokio::test]
async fn an_answer_that_trickles_in_is_cut_off_at_the_operation_timeout() {
    // A valid IAM answer, one byte every 100 ms: 40 s in all, never slow
    // enough for the SDK's minimum-throughput check nor the read timeout.
    let body = wire_file("generate-job.xml");
    let endpoint = RawEndpoint::start(Behaviour::Trickle {
        body: body.clone(),
        gap: Duration::from_millis(100),
    });
    let iam = client_at(
        &endpoint.url,
        ClientOptions {
            operation_timeout: Some(Duration::from_secs(1)),
            read_timeout: Some(Duration::from_secs(5)),
            max_attempts: 1,
            ..ClientOptions::default()
        },
    );
    let started = Instant::now();
    let err = tokio::time::timeout(
        GUARD,
        jobs::generate(&iam.client, ROLE, jobs::Granularity::ActionLevel),
    )
    .await
    .expect("the call ends at the operation timeout")
    .expect_err("the answer never completes in time");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.message.contains("--operation-timeout"), "{err}");
    assert!(
        !err.message.contains('\n') && !err.message.contains("Error {"),
        "{err}"
    );
    assert!(endpoint.body_bytes_sent() < body.len() as u64);
}

#[tokio::test]
async fn an_endless_answer_is_cut_at_the_size_limit_and_not_asked_for_again() {
    let endpoint = RawEndpoint::start(Behaviour::Endless);
    let iam = client_at(
        &endpoint.url,
        ClientOptions {
            max_response_bytes: Some(1024 * 1024),
            max_attempts: 3,
            max_backoff: Some(Duration::from_millis(40)),
            ..ClientOptions::default()
        },
    );
    let err = tokio::time::timeout(
        GUARD,
        jobs::generate(&iam.client, ROLE, jobs::Granularity::ActionLevel),
    )
    .await
    .expect("the call ends at the limit")
    .expect_err("no answer that large is IAM's");
    assert_eq!(err.code.as_deref(), Some("ResponseTooLarge"), "{err}");
    assert!(err.message.contains("larger than 1 MiB"), "{err}");
    // Not retried: reading it again would only cost another MiB.
    assert_eq!(endpoint.requests(), 1);
    // What was sent is the limit and what sockets buffer, not without end.
    assert!(endpoint.body_bytes_sent() < 32 * 1024 * 1024);
}

#[tokio::test]
async fn a_declared_300_mb_answer_is_refused_before_its_body_is_read() {
    let endpoint = RawEndpoint::start(Behaviour::Declared {
        declared: 300 * 1024 * 1024,
    });
    let iam = client_at(
        &endpoint.url,
        ClientOptions {
            max_response_bytes: Some(1024 * 1024),
            max_attempts: 3,
            ..ClientOptions::default()
        },
    );
    let err = tokio::time::timeout(GUARD, jobs::get(&iam.client, "job"))
        .await
        .expect("the call ends at once")
        .expect_err("300 MB is not an IAM answer");
    assert_eq!(err.code.as_deref(), Some("ResponseTooLarge"), "{err}");
    assert_eq!(endpoint.requests(), 1);
    assert!(endpoint.body_bytes_sent() < 32 * 1024 * 1024);
}

#[tokio::test]
async fn the_default_limit_is_64_mib() {
    let endpoint = RawEndpoint::start(Behaviour::Endless);
    let iam = client_at(
        &endpoint.url,
        ClientOptions {
            max_attempts: 1,
            ..ClientOptions::default()
        },
    );
    let err = tokio::time::timeout(GUARD, jobs::get(&iam.client, "job"))
        .await
        .expect("the call ends at the limit")
        .expect_err("no answer that large is IAM's");
    assert_eq!(err.code.as_deref(), Some("ResponseTooLarge"), "{err}");
    assert!(err.message.contains("larger than 64 MiB"), "{err}");
    let sent = endpoint.body_bytes_sent();
    assert!(
        (64 * 1024 * 1024..96 * 1024 * 1024).contains(&sent),
        "{sent}"
    );
}

/// A completed page of GetServiceLastAccessedDetails whose marker names page `n + 1`.
fn report_page(n: usize) -> Reply {
    let body = wire_file("get-page1.xml").replace("page-2-marker", &format!("page-{}", n + 1));
    Reply::body(200, body)
}

/// A page of GetServiceLastAccessedDetailsWithEntities naming page `n + 1`.
fn entities_page(n: usize) -> Reply {
    let body = wire_file("get-with-entities.xml").replace(
        "<IsTruncated>false</IsTruncated>",
        &format!(
            "<IsTruncated>true</IsTruncated>\n    <Marker>entities-{}</Marker>",
            n + 1
        ),
    );
    Reply::body(200, body)
}

/// Fetches `principals` of the two-page account with a job timeout of 500 ms.
async fn fetch_with_job_timeout(
    fake: &FakeIam,
    principals: &[&str],
) -> (whittle_model::Snapshot, Duration) {
    account(fake);
    let server = fake.start().await;
    let options = FetchOptions {
        principals: principals.iter().map(|p| (*p).to_owned()).collect(),
        jobs: JobOptions {
            job_timeout: Duration::from_millis(500),
            ..fast()
        },
        ..fetch_options()
    };
    let started = Instant::now();
    let snapshot = tokio::time::timeout(GUARD, fetch(&client(&server), &options, &|_| {}))
        .await
        .expect("the fetch ends at the job timeout");
    (snapshot, started.elapsed())
}

fn assert_timed_out(snapshot: &whittle_model::Snapshot, arn: &str, operation: &str) {
    let problem = snapshot
        .errors
        .iter()
        .find(|e| e.arn.as_deref() == Some(arn))
        .unwrap_or_else(|| panic!("no error for {arn}: {:?}", snapshot.errors));
    assert_eq!(problem.code.as_deref(), Some("Timeout"), "{problem:?}");
    assert_eq!(problem.operation, operation, "{problem:?}");
    assert!(problem.message.contains("--job-timeout"), "{problem:?}");
    assert!(snapshot.reports.iter().all(|r| r.arn != arn));
}

#[tokio::test]
async fn pages_that_keep_coming_slowly_end_at_the_job_timeout() {
    // Every page names another: 200 pages of 100 ms each would take 20 s.
    let fake = FakeIam::default();
    fake.always(GENERATE, Reply::ok("generate-job.xml")).script(
        GET,
        (0..200).map(|n| report_page(n).delayed(Duration::from_millis(100))),
    );
    let (snapshot, took) = fetch_with_job_timeout(&fake, &[ROLE]).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_timed_out(&snapshot, ROLE, GET);
    assert!(fake.seen_for(GET).len() < 20);
}

#[tokio::test]
async fn a_generate_call_that_never_answers_ends_at_the_job_timeout() {
    let fake = FakeIam::default();
    fake.always(
        GENERATE,
        Reply::ok("generate-job.xml").delayed(Duration::from_secs(60)),
    );
    let (snapshot, took) = fetch_with_job_timeout(&fake, &[ROLE]).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_timed_out(&snapshot, ROLE, GENERATE);
}

#[tokio::test]
async fn entities_pages_that_keep_coming_slowly_end_at_the_job_timeout() {
    let fake = FakeIam::default();
    fake.always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"))
        .script(
            WITH_ENTITIES,
            (0..200).map(|n| entities_page(n).delayed(Duration::from_millis(100))),
        );
    let (snapshot, took) = fetch_with_job_timeout(&fake, &[POLICY]).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_timed_out(&snapshot, POLICY, WITH_ENTITIES);
}

/// Runs the job of `arn` and asserts that it stopped at `operation`'s second
/// page, which named a marker given before.
async fn assert_pages_loop(fake: &FakeIam, arn: &str, kind: EntityKind, operation: &str) {
    let server = fake.start().await;
    let failure = jobs::run(&client(&server).client, arn, kind, &fast())
        .await
        .expect_err("the pages loop");
    assert_eq!(failure.problem.operation, operation);
    let message = &failure.problem.message;
    assert!(
        message.contains("page marker it had given before"),
        "{message}"
    );
    assert_eq!(fake.seen_for(operation).len(), 2);
}

#[tokio::test]
async fn report_and_entities_pages_whose_marker_comes_back_stop() {
    // The report's second page names the first page's marker again.
    let fake = FakeIam::default();
    fake.always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page1.xml"));
    assert_pages_loop(&fake, ROLE, EntityKind::Role, GET).await;

    // The same for the entities of a policy's service.
    let fake = FakeIam::default();
    fake.always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"))
        .always(WITH_ENTITIES, entities_page(0));
    assert_pages_loop(&fake, POLICY, EntityKind::Policy, WITH_ENTITIES).await;
}

#[tokio::test]
async fn credentials_that_stop_working_stop_the_jobs_not_yet_started() {
    // The listing succeeds; then every call answers ExpiredToken.
    let fake = FakeIam::default();
    account(&fake);
    fake.always(GENERATE, Reply::file(403, "error-expired-token.xml"));
    let server = fake.start().await;
    let events = std::sync::Mutex::new(Vec::new());
    let options = FetchOptions {
        concurrency: 1,
        ..fetch_options()
    };
    let snapshot = fetch(&client(&server), &options, &|e| {
        events.lock().unwrap().push(format!("{e:?}"))
    })
    .await;
    // One job found out; the two after it were not started.
    assert_eq!(fake.seen_for(GENERATE).len(), 1);
    assert_eq!(snapshot.errors.len(), 3, "{:?}", snapshot.errors);
    let expired: Vec<_> = (snapshot.errors.iter())
        .filter(|e| e.code.as_deref() == Some("ExpiredToken"))
        .collect();
    assert_eq!(expired.len(), 1, "{:?}", snapshot.errors);
    assert!(expired[0].message.contains("expired"));
    assert!(
        (snapshot.errors.iter())
            .filter(|e| e.code.is_none())
            .all(|e| e
                .message
                .contains("not run: the credentials stopped working")),
        "{:?}",
        snapshot.errors
    );
    assert_eq!(
        whittle_fetcher::fetch::credentials_failure(&snapshot).map(|p| p.code.as_deref()),
        Some(Some("ExpiredToken"))
    );
    // What was listed before is kept; the snapshot says it is incomplete.
    assert!(!whittle_fetcher::fetch::listing_failed(&snapshot));
    assert_eq!(snapshot.authorization_details.role_detail_list.len(), 2);
    assert!(!snapshot.complete);
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.starts_with("CredentialsFailed"))
    );
}

#[tokio::test]
async fn apply_stops_on_groups_pages_whose_marker_comes_back_and_changes_nothing() {
    // The second page of the user's groups is the first again.
    let fake = FakeIam::default();
    fake.always("ListGroupsForUser", Reply::ok("groups-for-user-page1.xml"))
        .always(
            "RemoveUserFromGroup",
            Reply::ok("remove-user-from-group.xml"),
        );
    let member = whittle_model::Expectation::MemberOf {
        user_name: "ci-bot".into(),
        group_name: "deployers".into(),
    };
    let dir = tempfile::tempdir().unwrap();
    let (result, journal) = apply_leave(&fake, dir.path(), "deployers", member).await;
    let err = result.unwrap_err();
    assert!(
        err.to_string().contains("page marker it had given before"),
        "{err}"
    );
    assert_eq!(fake.seen_for("ListGroupsForUser").len(), 2);
    assert!(fake.seen_for("RemoveUserFromGroup").is_empty());
    assert!(!journal.exists());
}
