//! End-to-end tests of `whittle fetch`, `whittle import` and `whittle
//! access-advisor` against a fake IAM endpoint on 127.0.0.1 that answers with
//! IAM's recorded XML (`testdata/wire/`): a fetch killed midway leaves the
//! previous snapshot intact and `--resume` finishes it without re-running jobs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::fake_iam::{FakeIam, Reply};
use crate::support::testdata;

const GENERATE: &str = "GenerateServiceLastAccessedDetails";
const GET: &str = "GetServiceLastAccessedDetails";
const DETAILS: &str = "GetAccountAuthorizationDetails";
const BATCH_ROLE: &str = "arn:aws:iam::123456789012:role/batch-role";

/// A fake IAM endpoint served by its own runtime for as long as it lives.
pub(crate) struct Endpoint {
    pub(crate) fake: FakeIam,
    pub(crate) url: String,
    _server: wiremock::MockServer,
    _runtime: tokio::runtime::Runtime,
}

/// An endpoint listing the two-page account of `testdata/wire/`, then
/// answering as `setup` scripts.
pub(crate) fn endpoint(setup: impl FnOnce(&FakeIam)) -> Endpoint {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fake = FakeIam::default();
    fake.always(DETAILS, Reply::ok("authorization-details-page1.xml"))
        .always_after(
            DETAILS,
            "details-page-2",
            Reply::ok("authorization-details-page2.xml"),
        );
    setup(&fake);
    let server = runtime.block_on(fake.start());
    Endpoint {
        fake,
        url: server.uri(),
        _server: server,
        _runtime: runtime,
    }
}

/// The whittle binary with test credentials and no shared config files.
pub(crate) fn whittle(args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("whittle"));
    command
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDWHITTLETEST")
        .env("AWS_SECRET_ACCESS_KEY", "not-a-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    command
}

/// `whittle fetch --endpoint-url URL --out OUT ARGS…` with the test credentials.
pub(crate) fn fetch_into(url: &str, out: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "fetch",
        "--endpoint-url",
        url,
        "--out",
        out.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    whittle(&all).output().unwrap()
}

/// `DIR/snap.json`, holding a previous snapshot.
pub(crate) fn previous_snapshot(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("snap.json");
    std::fs::write(&out, PREVIOUS).unwrap();
    out
}

const PREVIOUS: &str = "the previous snapshot";

/// Asserts that `out` still holds what [`previous_snapshot`] wrote.
pub(crate) fn assert_untouched(out: &Path) {
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        PREVIOUS,
        "nothing is written over the previous snapshot"
    );
}

pub(crate) fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn report_arns(snapshot: &Value) -> Vec<String> {
    snapshot["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["arn"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_killed_fetch_leaves_the_previous_snapshot_and_resume_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let partial = dir.path().join("snap.json.partial");
    // Yesterday's snapshot, from an import.
    let details = testdata("inputs/account-authorization-details.json");
    let status = whittle(&[
        "import",
        "--authorization-details",
        details.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .status()
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let previous = std::fs::read_to_string(&out).unwrap();

    // batch-role's job hangs; the user's and app-role's complete.
    let slow = endpoint(|fake| {
        fake.script_for(
            GENERATE,
            BATCH_ROLE,
            [Reply::ok("generate-job.xml").delayed(Duration::from_secs(60))],
        )
        .always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"));
    });
    let mut child = whittle(&[
        "fetch",
        "--endpoint-url",
        &slow.url,
        "--out",
        out.to_str().unwrap(),
        "--concurrency",
        "3",
        "--checkpoint-interval",
        "0",
        "--poll-interval",
        "10",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let checkpointed = loop {
        if let Ok(text) = std::fs::read_to_string(&partial)
            && let Ok(snapshot) = serde_json::from_str::<Value>(&text)
            && report_arns(&snapshot).len() == 2
        {
            break snapshot;
        }
        assert!(Instant::now() < deadline, "no checkpoint with two reports");
        assert!(child.try_wait().unwrap().is_none(), "the fetch ended early");
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        previous,
        "the previous snapshot is intact"
    );
    assert_eq!(checkpointed["complete"], false);
    let done = report_arns(&checkpointed);
    assert!(!done.contains(&BATCH_ROLE.to_owned()));

    let fresh = endpoint(|fake| {
        fake.always(GENERATE, Reply::ok("generate-job.xml"))
            .always(GET, Reply::ok("get-page2.xml"));
    });
    let status = whittle(&[
        "fetch",
        "--endpoint-url",
        &fresh.url,
        "--out",
        out.to_str().unwrap(),
        "--resume",
        "--poll-interval",
        "10",
    ])
    .status()
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let generated: Vec<String> = fresh
        .fake
        .seen_for(GENERATE)
        .into_iter()
        .map(|s| s.params["Arn"].clone())
        .collect();
    assert_eq!(
        generated,
        [BATCH_ROLE],
        "only the unfinished job runs again"
    );
    let snapshot = read(&out);
    assert_eq!(snapshot["complete"], true);
    assert_eq!(report_arns(&snapshot).len(), 3);
    assert_eq!(snapshot["stats"]["reused_reports"], 2);
    assert!(
        !partial.exists(),
        "the checkpoint is removed once the snapshot is written"
    );
}

#[test]
fn a_partial_fetch_names_the_principals_without_data_and_exits_3() {
    let iam = endpoint(|fake| {
        fake.script_for(GENERATE, BATCH_ROLE, vec![Reply::not_implemented(); 5])
            .always(GENERATE, Reply::ok("generate-job.xml"))
            .always(GET, Reply::ok("get-page2.xml"));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let output = whittle(&[
        "fetch",
        "--endpoint-url",
        &iam.url,
        "--out",
        out.to_str().unwrap(),
        "--max-attempts",
        "1",
        "--poll-interval",
        "10",
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("1 principals without last-accessed data:"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "  {BATCH_ROLE}: GenerateServiceLastAccessedDetails: the endpoint answered HTTP 500 with an HTML page, not an IAM response: it may not implement GenerateServiceLastAccessedDetails"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("API calls"), "{stderr}");
    assert!(!stderr.contains("not-a-secret") && !stderr.contains("AKIDWHITTLETEST"));
    let snapshot = read(&out);
    assert_eq!(report_arns(&snapshot).len(), 2);
    assert_eq!(snapshot["errors"][0]["arn"], BATCH_ROLE);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains("not-a-secret") && !text.contains("AKIDWHITTLETEST"),
        "no secrets in snapshots"
    );
}

#[test]
fn access_advisor_commands_print_the_aws_cli_shapes() {
    let iam = endpoint(|fake| {
        fake.script(GENERATE, [Reply::ok("generate-job.xml")])
            .script(
                GET,
                [
                    Reply::ok("get-in-progress.xml"),
                    Reply::ok("get-page1.xml"),
                    Reply::ok("get-page2.xml"),
                ],
            )
            .always(
                "GetServiceLastAccessedDetailsWithEntities",
                Reply::ok("get-with-entities.xml"),
            );
    });
    let run = |args: &[&str]| {
        let mut all = vec!["access-advisor"];
        all.extend_from_slice(args);
        all.extend(["--endpoint-url", &iam.url]);
        let output = whittle(&all).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let generated: Value = serde_json::from_str(&run(&["generate", "--arn", BATCH_ROLE])).unwrap();
    assert_eq!(
        generated,
        serde_json::json!({"JobId": "examplef-1305-c245-eba4-71fe298bcda7"})
    );

    let job = "examplef-1305-c245-eba4-71fe298bcda7";
    let report: Value = serde_json::from_str(&run(&["get", "--job-id", job, "--wait"])).unwrap();
    assert_eq!(report["JobStatus"], "COMPLETED");
    assert_eq!(report["IsTruncated"], false);
    assert_eq!(
        report["ServicesLastAccessed"].as_array().unwrap().len(),
        4,
        "pages merged"
    );
    assert_eq!(
        report["ServicesLastAccessed"][1]["TrackedActionsLastAccessed"][1],
        serde_json::json!({"ActionName": "PutObject"})
    );

    let entities: Value = serde_json::from_str(&run(&[
        "get-with-entities",
        "--job-id",
        job,
        "--service-namespace",
        "s3",
    ]))
    .unwrap();
    assert_eq!(
        entities["EntityDetailsList"][0]["EntityInfo"]["Type"],
        "ROLE"
    );
    let table = run(&[
        "get-with-entities",
        "--job-id",
        job,
        "--service-namespace",
        "s3",
        "--output",
        "table",
    ]);
    assert!(table.contains("never (in the tracking period)"), "{table}");
}

#[test]
fn import_builds_the_same_snapshot_from_aws_cli_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let details = testdata("inputs/account-authorization-details-encoded.json");
    let role = "arn:aws:iam::123456789012:role/report-lambda";
    let good = format!(
        "{role}={}",
        testdata("import/report-lambda-last-accessed.json").display()
    );
    let broken_file = testdata("import/broken-last-accessed.json");
    let broken = format!(
        "arn:aws:iam::123456789012:user/alice={}",
        broken_file.display()
    );
    let output = whittle(&[
        "import",
        "--authorization-details",
        details.to_str().unwrap(),
        "--last-accessed",
        &good,
        "--last-accessed",
        &broken,
        "--out",
        out.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The broken file is named with its position; the other one is still used.
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:4:", broken_file.display())),
        "{stderr}"
    );
    let snapshot = read(&out);
    assert_eq!(snapshot["source"]["kind"], "import");
    assert_eq!(report_arns(&snapshot), [role]);
    let services = snapshot["reports"][0]["last_accessed"]["ServicesLastAccessed"]
        .as_array()
        .unwrap();
    let s3 = services
        .iter()
        .find(|s| s["ServiceNamespace"] == "s3")
        .unwrap();
    assert_eq!(
        s3["TrackedActionsLastAccessed"][0]["LastAccessedTime"],
        "2026-09-28T14:32:00Z"
    );
    // Documents URL-encoded in the export are decoded.
    let roles = snapshot["authorization_details"]["RoleDetailList"]
        .as_array()
        .unwrap();
    assert!(
        roles
            .iter()
            .all(|r| r["AssumeRolePolicyDocument"].is_object()),
        "{roles:?}"
    );
    assert!(
        roles
            .iter()
            .any(|r| r["RolePolicyList"].as_array().is_some_and(|l| l
                .iter()
                .any(|p| p["PolicyDocument"]["Statement"].is_array())))
    );
}

#[test]
fn accounts_are_fetched_with_an_assumed_role_and_a_failed_one_is_reported() {
    let denied = "arn:aws:iam::222222222222:role/audit/whittle-reader";
    let iam = endpoint(|fake| {
        fake.script_for(
            "AssumeRole",
            denied,
            vec![Reply::file(403, "sts-access-denied.xml"); 10],
        )
        .always("AssumeRole", Reply::ok("sts-assume-role.xml"))
        .always(GENERATE, Reply::ok("generate-job.xml"))
        .always(GET, Reply::ok("get-page2.xml"));
    });
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.txt");
    std::fs::write(
        &accounts,
        "# prod\n111111111111\n222222222222\n333333333333  # sandbox\n",
    )
    .unwrap();
    let out_dir = dir.path().join("snapshots");
    let output = whittle(&[
        "fetch",
        "--accounts",
        accounts.to_str().unwrap(),
        "--role-name",
        "/audit/whittle-reader",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--endpoint-url",
        &iam.url,
        "--poll-interval",
        "10",
        "--max-attempts",
        "1",
    ])
    .env("AWS_ENDPOINT_URL_STS", &iam.url)
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("account 222222222222: failed"), "{stderr}");
    assert!(
        stderr.contains("2 of 3 accounts fetched; 1 failed"),
        "{stderr}"
    );
    for account in ["111111111111", "333333333333"] {
        let snapshot = read(&out_dir.join(format!("{account}.json")));
        assert_eq!(snapshot["account_id"], account);
        assert_eq!(report_arns(&snapshot).len(), 3, "{account}");
    }
    assert!(!out_dir.join("222222222222.json").exists());
    let assumed: Vec<String> = iam
        .fake
        .seen_for("AssumeRole")
        .into_iter()
        .map(|s| s.params["RoleArn"].clone())
        .collect();
    for account in ["111111111111", "222222222222", "333333333333"] {
        let role = format!("arn:aws:iam::{account}:role/audit/whittle-reader");
        assert!(assumed.contains(&role), "{assumed:?}");
    }
    // Every IAM call was signed with the assumed role's credentials.
    let iam_calls: Vec<_> = iam
        .fake
        .seen()
        .into_iter()
        .filter(|s| s.action != "AssumeRole")
        .collect();
    assert!(!iam_calls.is_empty());
    assert!(
        iam_calls
            .iter()
            .all(|s| s.access_key == "ASIAWHITTLEASSUMED01"),
        "{iam_calls:?}"
    );
    // No secret of the assumed role reaches a snapshot or the log.
    let text = std::fs::read_to_string(out_dir.join("111111111111.json")).unwrap();
    for secret in [
        "assumed-role-secret-not-real",
        "assumed-role-session-token-not-real",
    ] {
        assert!(!text.contains(secret) && !stderr.contains(secret));
    }
}

#[test]
fn debug_logs_show_the_sdk_at_work_without_any_secret() {
    let iam = endpoint(|fake| {
        fake.always(GENERATE, Reply::ok("generate-job.xml"));
    });
    let output = whittle(&[
        "--debug",
        "access-advisor",
        "generate",
        "--arn",
        BATCH_ROLE,
        "--endpoint-url",
        &iam.url,
    ])
    .env("RUST_LOG", "trace")
    .env("AWS_ACCESS_KEY_ID", "AKIAWHITTLETEST00001")
    .env("AWS_SECRET_ACCESS_KEY", "secret-key-value-xyz")
    .env("AWS_SESSION_TOKEN", "session-token-value-xyz")
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("GenerateServiceLastAccessedDetails"),
        "{stderr}"
    );
    assert!(stderr.contains("[redacted"), "{stderr}");
    for secret in [
        "AKIAWHITTLETEST00001",
        "secret-key-value-xyz",
        "session-token-value-xyz",
    ] {
        assert!(!stderr.contains(secret), "{secret} leaked");
    }
    // The request did carry the token: it was signed with it, and redacted in logs.
    assert_eq!(
        iam.fake.seen_for(GENERATE)[0].access_key,
        "AKIAWHITTLETEST00001"
    );
}

#[test]
fn a_fetch_that_cannot_list_the_account_writes_nothing_over_the_snapshot() {
    let iam = endpoint(|fake| {
        fake.script(DETAILS, vec![Reply::not_implemented(); 10]);
    });
    let dir = tempfile::tempdir().unwrap();
    let out = previous_snapshot(dir.path());
    let output = fetch_into(&iam.url, &out, &["--max-attempts", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GetAccountAuthorizationDetails"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written to"), "{stderr}");
    assert_untouched(&out);
}

#[test]
fn pages_whose_marker_comes_back_stop_instead_of_looping_forever() {
    // The second page is the first again, naming the same marker: a loop.
    let iam = endpoint(|fake| {
        fake.always_after(
            DETAILS,
            "details-page-2",
            Reply::ok("authorization-details-page1.xml"),
        );
    });
    let dir = tempfile::tempdir().unwrap();
    let out = previous_snapshot(dir.path());
    let output = fetch_into(&iam.url, &out, &["--max-attempts", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("page marker it had given before"),
        "{stderr}"
    );
    assert_untouched(&out);
    // It asked for the looping page once, not forever.
    assert_eq!(iam.fake.seen_for(DETAILS).len(), 2);
}

#[test]
fn a_listing_that_fails_on_its_second_page_writes_nothing_over_the_snapshot() {
    let iam = endpoint(|fake| {
        fake.always_after(DETAILS, "details-page-2", Reply::not_implemented());
    });
    let dir = tempfile::tempdir().unwrap();
    let out = previous_snapshot(dir.path());
    let output = fetch_into(&iam.url, &out, &["--max-attempts", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing was written to"), "{stderr}");
    assert_untouched(&out);
    let markers: Vec<Option<String>> = (iam.fake.seen_for(DETAILS).into_iter())
        .map(|s| s.params.get("Marker").cloned())
        .collect();
    assert_eq!(markers, [None, Some("details-page-2".to_owned())]);
}

/// A profile whose `credential_process` gives credentials valid for five
/// seconds (so the SDK asks again at every call) the first `good` times it
/// runs, then fails.
fn expiring_profile(dir: &Path, good: u32) -> std::path::PathBuf {
    let script = dir.join("credentials.sh");
    let count = dir.join("count");
    std::fs::write(
        &script,
        format!(
            r#"#!/bin/sh
n=$(cat '{count}' 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > '{count}'
if [ "$n" -gt {good} ]; then
  echo "the token service refused: session expired" >&2
  exit 1
fi
printf '{{"Version": 1, "AccessKeyId": "ASIAWHITTLEPROCESS01", "SecretAccessKey": "process-secret-not-real", "SessionToken": "process-token-not-real", "Expiration": "%s"}}' "$(date -u -d '+5 seconds' +%Y-%m-%dT%H:%M:%SZ)"
"#,
            count = count.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[profile expiring]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    config
}

/// `whittle fetch` with the expiring profile instead of static keys.
fn fetch_with_profile(config: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["fetch", "--profile", "expiring"];
    all.extend_from_slice(args);
    whittle(&all)
        .env("AWS_CONFIG_FILE", config)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap()
}

#[test]
fn credentials_that_expire_after_the_listing_keep_what_was_fetched_and_exit_3() {
    let iam = endpoint(|fake| {
        fake.always(GENERATE, Reply::ok("generate-job.xml"))
            .always(GET, Reply::ok("get-page2.xml"));
    });
    let dir = tempfile::tempdir().unwrap();
    // Two pages of listing and one job's Generate; its first poll fails.
    let config = expiring_profile(dir.path(), 3);
    let out = previous_snapshot(dir.path());
    let output = fetch_with_profile(
        &config,
        &[
            "--endpoint-url",
            &iam.url,
            "--out",
            out.to_str().unwrap(),
            "--concurrency",
            "1",
            "--poll-interval",
            "10",
            "--max-attempts",
            "1",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with(
            "error: the credentials stopped working during the fetch (the credentials could not be loaded:"
        ) && l.contains("--resume")),
        "{stderr}"
    );
    assert!(stderr.contains("session expired"), "{stderr}");
    // The listing succeeded: the snapshot replaces the previous one, with
    // every principal's missing data recorded, and is not complete.
    let snapshot = read(&out);
    assert_eq!(snapshot["complete"], false);
    assert_eq!(
        snapshot["authorization_details"]["RoleDetailList"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let errors = snapshot["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0]["code"], "CredentialsError", "{errors:?}");
    assert!(
        errors[1..]
            .iter()
            .all(|e| e["message"].as_str().unwrap().starts_with("not run:")),
        "{errors:?}"
    );
    // Only the first job was started.
    assert_eq!(iam.fake.seen_for(GENERATE).len(), 1);
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in ["process-secret-not-real", "process-token-not-real"] {
        assert!(!text.contains(secret) && !stderr.contains(secret));
    }
}

#[test]
fn credentials_that_expire_during_the_listing_write_nothing_and_exit_2() {
    let iam = endpoint(|_| {});
    let dir = tempfile::tempdir().unwrap();
    // The first page is read; the second page's credentials fail.
    let config = expiring_profile(dir.path(), 1);
    let out = previous_snapshot(dir.path());
    let output = fetch_with_profile(
        &config,
        &[
            "--endpoint-url",
            &iam.url,
            "--out",
            out.to_str().unwrap(),
            "--max-attempts",
            "1",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with(
            "error: cannot list the account: GetAccountAuthorizationDetails: the credentials could not be loaded:"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written to"), "{stderr}");
    assert_untouched(&out);
    assert_eq!(iam.fake.seen_for(DETAILS).len(), 1);
}

#[test]
fn an_endpoint_that_starts_answering_expired_token_stops_the_fetch_with_exit_3() {
    let iam = endpoint(|fake| {
        fake.always(GENERATE, Reply::file(403, "error-expired-token.xml"));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let output = fetch_into(&iam.url, &out, &["--concurrency", "1"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(
            "error: the credentials stopped working during the fetch (ExpiredToken: The security token included in the request is expired)"
        ),
        "{stderr}"
    );
    assert_eq!(iam.fake.seen_for(GENERATE).len(), 1);
    assert_eq!(read(&out)["errors"].as_array().unwrap().len(), 3);
}
