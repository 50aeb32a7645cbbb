//! End-to-end tests of `whittle recommend` on `testdata/recommend/account.json`:
//! every format, policy files ready to apply, reproducible runs.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

use crate::support::{sarif_validator, testdata};

const AS_OF: &str = "2026-11-20T00:00:00Z";

fn snapshot() -> PathBuf {
    testdata("recommend/account.json")
}

fn recommend(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args(["recommend", "--snapshot"])
        .arg(snapshot())
        .args(["--as-of", AS_OF])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn json_lists_recommendations_with_reasons_and_is_reproducible() {
    let (code, stdout, stderr) = recommend(&["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["schema"], "whittle.recommend/v1");
    assert_eq!(report["as_of"], AS_OF);
    let recs = report["recommendations"].as_array().unwrap();
    let app = recs.iter().find(|r| r["policy"] == "app-access").unwrap();
    assert_eq!(app["principal"], "arn:aws:iam::123456789012:role/app");
    assert_eq!(app["policy_type"], "inline");
    assert_eq!(app["kept_untracked"], serde_json::json!(["sts:AssumeRole"]));
    let put = app["removed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "s3:PutObject")
        .unwrap();
    assert_eq!(put["last_used"], "2026-04-01T09:00:00Z");
    assert!(
        put["reason"]
            .as_str()
            .unwrap()
            .contains("before the window")
    );
    // Its three holders use different parts of it: each gets its own copy.
    let shared: Vec<&Value> = recs
        .iter()
        .filter(|r| r["policy"] == "arn:aws:iam::123456789012:policy/shared-readers")
        .collect();
    assert_eq!(shared.len(), 3);
    assert!(
        shared
            .iter()
            .all(|r| r["scope"] == "principal" && r["principal"].is_string())
    );
    assert_eq!(app["scope"], "policy");
    let sqs = recs
        .iter()
        .find(|r| r["policy_type"] == "aws-managed")
        .unwrap();
    assert!(sqs["suggested"].is_null());
    assert_eq!(
        report["unused_roles"][0]["arn"],
        "arn:aws:iam::123456789012:role/ghost"
    );
    // The SQS policy, and the shared one for the deployer, who used none of it.
    assert_eq!(report["summary"]["policies_to_detach"], 2);
    // The same snapshot and --as-of give the same report.
    assert_eq!(recommend(&["--format", "json"]).1, stdout);
    assert!(
        stderr.contains(
            "role/newbie: nothing removed: created 2026-11-10T00:00:00Z, inside the 90-day window"
        ),
        "{stderr}"
    );
}

#[test]
fn a_principal_that_matches_nothing_is_an_error() {
    let (code, stdout, stderr) =
        recommend(&["--principal", "arn:aws:iam::123456789012:role/nobody"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("role/nobody: no such user or role"),
        "{stderr}"
    );
    assert!(stdout.is_empty());
}

#[test]
fn diffs_show_only_what_changes() {
    let (code, stdout, _) = recommend(&["--format", "diff"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("--- a/inline-app-app-access.json\n+++ b/inline-app-app-access.json\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-        \"s3:PutObject\",\n"), "{stdout}");
    assert!(stdout.contains("+++ /dev/null"), "{stdout}");
    // Unchanged statements appear only as context, never as removed lines.
    assert!(!stdout.contains("-      \"Sid\": \"NoIam\""), "{stdout}");
}

#[test]
fn written_policies_are_the_plans_shell_form_one_folder_per_principal_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("suggested");
    let (code, stdout, stderr) = recommend(&["--write-policies", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Reduction"), "{stdout}");
    assert!(
        stdout.contains("run ") && stdout.contains("apply.sh"),
        "{stdout}"
    );
    for script in ["apply.sh", "rollback.sh", "plan.json", "plan.sha256"] {
        assert!(out.join(script).is_file(), "{script}");
    }
    let files = |folder: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(out.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    // The inline policy: its new document and its original, for rolling back.
    let inline = files("roles/app/inline/app-access");
    assert_eq!(inline.len(), 2, "{inline:?}");
    assert!(inline.iter().any(|n| n.ends_with(".original.json")));
    // Two holders of the same shared policy: each copy in its own folder.
    let app = files("policies/whittle/whittle-app-shared-readers");
    let batch = files("policies/whittle/whittle-batch-shared-readers");
    assert_eq!((app.len(), batch.len()), (1, 1));
    let copy: Value = serde_json::from_str(
        &std::fs::read_to_string(
            out.join("policies/whittle/whittle-app-shared-readers")
                .join(&app[0]),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        copy["Statement"][0]["Action"],
        serde_json::json!(["dynamodb:GetItem"])
    );
    // Another plan into the same folder is refused, and changes nothing.
    let before = std::fs::read(out.join("apply.sh")).unwrap();
    let (code, _, stderr) = recommend(&[
        "--write-policies",
        out.to_str().unwrap(),
        "--strategy",
        "in-place",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("another plan"), "{stderr}");
    assert_eq!(std::fs::read(out.join("apply.sh")).unwrap(), before);
}

#[test]
fn sarif_names_unused_services_actions_and_roles_by_arn() {
    let (code, stdout, _) = recommend(&["--format", "sarif"]);
    assert_eq!(code, 0);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert!(sarif_validator().is_valid(&sarif));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"WH401") && rules.contains(&"WH402") && rules.contains(&"WH403"),
        "{rules:?}"
    );
    let names: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["unused-service", "unused-action", "unused-role"]);
    let shared = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::123456789012:policy/shared-readers")
        })
        .unwrap();
    assert_eq!(
        shared["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "arn:aws:iam::123456789012:policy/shared-readers"
    );
    // Each result points at its policy's or role's entry in the snapshot.
    let snapshot = std::fs::read_to_string(self::snapshot()).unwrap();
    let line_of = |needle: &str| {
        let offset = snapshot.find(needle).unwrap();
        snapshot[..offset].matches('\n').count() as u64 + 1
    };
    let start_line =
        |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64();
    assert_eq!(
        start_line(shared),
        Some(line_of(
            "\"Arn\": \"arn:aws:iam::123456789012:policy/shared-readers\""
        ))
    );
    let inline = results
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                == "arn:aws:iam::123456789012:role/app#inline-policy:app-access"
        })
        .unwrap();
    assert_eq!(
        start_line(inline),
        Some(line_of("\"PolicyName\": \"app-access\""))
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("snap.json");
    std::fs::write(
        &broken,
        "{\"schema\": \"whittle.snapshot/v1\",\n \"account_id\": }",
    )
    .unwrap();
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args(["recommend", "--snapshot"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:2:", broken.display())),
        "{stderr}"
    );
    let (code, _, stderr) = recommend(&["--unused-days", "401"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("tracking period"), "{stderr}");
}

#[test]
fn aws_cli_output_imported_then_recommended_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let role = "arn:aws:iam::123456789012:role/report-lambda";
    let imported = Command::cargo_bin("whittle")
        .unwrap()
        .args(["import", "--authorization-details"])
        .arg(testdata("inputs/account-authorization-details.json"))
        .arg("--last-accessed")
        .arg(format!(
            "{role}={}",
            testdata("import/report-lambda-last-accessed.json").display()
        ))
        .arg("--out")
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(imported.status.code(), Some(0));
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args([
            "recommend",
            "--format",
            "json",
            "--as-of",
            "2026-10-02T00:00:00Z",
            "--snapshot",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "schema",
        "as_of",
        "window_start",
        "recommendations",
        "unused_roles",
        "principals",
        "summary",
    ] {
        assert!(report.get(key).is_some(), "{key} missing");
    }
    let rec = &report["recommendations"][0];
    for key in [
        "principal",
        "policy",
        "original",
        "suggested",
        "removed",
        "kept_untracked",
        "reasons",
        "scope",
    ] {
        assert!(rec.get(key).is_some(), "{key} missing: {rec}");
    }
    assert_eq!(rec["principal"], role);
    // CreateLogStream is tracked and was never used; PutLogEvents was used.
    assert_eq!(rec["removed"][0]["action"], "logs:CreateLogStream");
    assert_eq!(
        rec["suggested"]["Statement"][0]["Action"],
        serde_json::json!(["logs:PutLogEvents"])
    );
    // The other principals have no data: named, nothing removed.
    let statuses: Vec<&str> = report["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"no-data") && statuses.contains(&"analysed"),
        "{statuses:?}"
    );
}

#[test]
fn a_snapshot_can_be_linted_like_the_export_it_holds() {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .arg(snapshot())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // The group's NotAction policy, found inside the snapshot's export.
    let not_action = findings
        .iter()
        .find(|f| f["rule"] == "allow-not-action")
        .unwrap();
    assert_eq!(
        not_action["location"]["subject"],
        "group/devs inline policy \"dev-tools\""
    );
    // Account analysis runs too: findings on managed policies name who holds them.
    assert!(
        findings.iter().any(|f| {
            let notes = f["notes"].to_string();
            notes.contains("held by") && notes.contains("role arn:aws:iam::123456789012:role/app")
        }),
        "{report}"
    );
}

#[test]
fn day_counts_reaching_before_the_calendar_are_refused_not_a_panic() {
    for args in [
        &["--grace-days", "4294967295"][..],
        &["--max-data-age", "106751991"][..],
    ] {
        let (code, _, stderr) = recommend(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains(args[0]) && stderr.contains("earliest time"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // The earliest time there is: the window cannot reach back from it.
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args(["recommend", "--snapshot"])
        .arg(snapshot())
        .arg("--as-of=-009999-01-02T01:59:59Z")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--unused-days 90 days before"), "{stderr}");
}
