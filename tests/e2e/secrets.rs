//! Canary credentials against an endpoint that echoes every request header
//! (Authorization with its signature, X-Amz-Security-Token) in its error
//! messages, plainly, as JSON with escaped quotes, as `name=\"value\"` and
//! URL-encoded: none of the key id, secret key, session token or signatures
//! may reach a snapshot, a checkpoint, a journal, stdout, stderr or the
//! `--debug` log.

use std::path::Path;
use std::process::{Command, Output};

use whittle_model::{Expectation, Operation, Plan, Step, Tool};

use crate::fetch_wire::{Endpoint, assert_untouched, endpoint, previous_snapshot, whittle};
use crate::support::fake_iam::Reply;

/// Shaped like no AWS key id (not AKIA/ASIA): only where it stands tells.
const KEY_ID: &str = "CANARYKEYIDWHITTLE42";
const SECRET: &str = "canary-secret-access-key-Zx81/Qw+vB";
const TOKEN: &str = "CanarySessionToken/with+slashes=and/Equals//Zq9==";
const ROLE: &str = "arn:aws:iam::123456789012:role/app-role";

/// `args` run with the canary credentials, with `--debug` and every log.
fn canary(args: &[&str]) -> Output {
    let mut all = vec!["--debug"];
    all.extend_from_slice(args);
    let mut command: Command = whittle(&all);
    command
        .env("RUST_LOG", "trace")
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN);
    command.output().unwrap()
}

/// The secrets the run had: the canaries and the signature of every request
/// the endpoint saw.
fn secrets(iam: &Endpoint) -> Vec<String> {
    let mut secrets: Vec<String> = [KEY_ID, SECRET, TOKEN].map(str::to_owned).into();
    // Parts long enough to be recognised if a secret were cut or re-encoded.
    secrets.extend(["CanarySessionToken", "canary-secret-access-key"].map(str::to_owned));
    for seen in iam.fake.seen() {
        let signature = seen
            .authorization
            .split("Signature=")
            .nth(1)
            .unwrap_or_default();
        assert_eq!(signature.len(), 64, "{}", seen.authorization);
        secrets.push(signature.to_owned());
    }
    secrets
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{secret} in {what}:\n{text}"
        );
    }
}

/// Asserts that the run exited `code`, that stderr shows the echo arrived,
/// and that no secret is in stdout, stderr (the debug log with it) or any of
/// `files`.
fn assert_no_secret(iam: &Endpoint, output: &Output, code: i32, files: &[&Path]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains("denied; you sent"), "{stderr}");
    let secrets = secrets(iam);
    assert!(secrets.len() > 5, "requests were signed");
    assert_clean("stderr and the debug log", &stderr, &secrets);
    assert_clean("stdout", &String::from_utf8_lossy(&output.stdout), &secrets);
    for file in files {
        assert_clean(&file.display().to_string(), &read(file), &secrets);
    }
    // The requests were signed with the canaries: they were there to leak.
    assert!(iam.fake.seen().iter().all(|s| s.access_key == KEY_ID));
}

/// A canary fetch of `iam` into `out`, one attempt per call, checkpointing
/// after every job.
fn canary_fetch(iam: &Endpoint, out: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "fetch",
        "--endpoint-url",
        &iam.url,
        "--out",
        out.to_str().unwrap(),
        "--max-attempts",
        "1",
        "--checkpoint-interval",
        "0",
    ];
    all.extend_from_slice(args);
    canary(&all)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn echoed_credentials_reach_no_snapshot_or_log() {
    // The account is listed; every job's first call is answered with an echo.
    let iam = endpoint(|fake| {
        fake.always("GenerateServiceLastAccessedDetails", Reply::echo(403));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let output = canary_fetch(&iam, &out, &[]);
    assert_no_secret(&iam, &output, 3, &[&out]);
    // The echo arrived (the endpoint's words are kept), its secrets did not.
    let snapshot = read(&out);
    assert!(snapshot.contains("denied; you sent") && snapshot.contains("[redacted"));
}

#[test]
fn echoed_credentials_reach_no_checkpoint_of_a_fetch_that_cannot_list() {
    // The listing is answered with an echo; so is the job of --principal,
    // whose error stays in the checkpoint.
    let iam = endpoint(|fake| {
        fake.script("GetAccountAuthorizationDetails", vec![Reply::echo(403); 5])
            .always("GenerateServiceLastAccessedDetails", Reply::echo(403));
    });
    let dir = tempfile::tempdir().unwrap();
    let out = previous_snapshot(dir.path());
    let output = canary_fetch(&iam, &out, &["--principal", ROLE]);
    assert_untouched(&out);
    let checkpoint = dir.path().join("snap.json.partial");
    assert!(read(&checkpoint).contains("denied; you sent"));
    assert_no_secret(&iam, &output, 2, &[&checkpoint]);
}

#[test]
fn echoed_credentials_reach_no_access_advisor_output() {
    let iam = endpoint(|fake| {
        fake.always("GenerateServiceLastAccessedDetails", Reply::echo(400))
            .always("GetServiceLastAccessedDetails", Reply::echo(400));
    });
    for args in [
        vec!["access-advisor", "generate", "--arn", ROLE],
        vec!["access-advisor", "get", "--job-id", "x", "--wait"],
    ] {
        let mut all = args.clone();
        all.extend(["--endpoint-url", &iam.url, "--max-attempts", "1"]);
        assert_no_secret(&iam, &canary(&all), 2, &[]);
    }
}

/// A plan taking user/ci-bot out of `groups`, one step each.
fn leave_groups(groups: &[&str]) -> Plan {
    let tool = Tool {
        name: "whittle".into(),
        version: "test".into(),
        catalog: None,
    };
    let mut plan = Plan::new(tool, None);
    plan.steps = (groups.iter())
        .map(|group| Step {
            id: format!("leave-{group}"),
            description: format!("remove user/ci-bot from group/{group}"),
            operation: Operation::RemoveUserFromGroup {
                user_name: "ci-bot".into(),
                group_name: (*group).into(),
            },
            expect: vec![Expectation::MemberOf {
                user_name: "ci-bot".into(),
                group_name: (*group).into(),
            }],
        })
        .collect();
    plan
}

#[test]
fn echoed_credentials_reach_no_apply_journal_or_error() {
    // The first step is applied and journaled; the second's change is
    // answered with an echo.
    let iam = endpoint(|fake| {
        fake.always("ListGroupsForUser", Reply::ok("groups-for-user-page1.xml"))
            .always_after(
                "ListGroupsForUser",
                "groups-page-2",
                Reply::ok("groups-for-user-page2.xml"),
            )
            .script(
                "RemoveUserFromGroup",
                [Reply::ok("remove-user-from-group.xml")],
            )
            .always("RemoveUserFromGroup", Reply::echo(403));
    });
    let dir = tempfile::tempdir().unwrap();
    let plan_path = dir.path().join("plan.json");
    leave_groups(&["deployers", "readers"])
        .write(&plan_path)
        .unwrap();
    let output = canary(&[
        "apply",
        plan_path.to_str().unwrap(),
        "--yes",
        "--endpoint-url",
        &iam.url,
        "--max-attempts",
        "1",
    ]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("step leave-readers"));
    let journal = whittle_model::journal_path(&plan_path);
    assert!(read(&journal).contains("leave-deployers"));
    assert_no_secret(&iam, &output, 2, &[&journal]);
}
