//! End-to-end tests of what CI setups rely on: whittle.toml, user rule
//! directories, baselines, exit codes, and the SARIF and GitHub formats.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::support::{sarif_validator, testdata};

/// A project directory: whittle runs inside it, with a private catalog cache.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).expect("temp dir is writable");
        path
    }

    fn whittle(&self) -> Command {
        let mut cmd = Command::cargo_bin("whittle").expect("the binary is built");
        cmd.current_dir(self.path())
            .env("WHITTLE_CACHE_DIR", self.path().join(".cache"));
        cmd
    }

    /// Runs `whittle lint ARGS --format json`; returns the report and exit code.
    fn lint_json(&self, args: &[&str]) -> (Value, i32) {
        let output = self
            .whittle()
            .arg("lint")
            .args(args)
            .args(["--format", "json"])
            .output()
            .expect("whittle runs");
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (report, output.status.code().expect("exit code"))
    }
}

/// `(rule, severity)` of every finding, sorted.
fn findings(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn has_rule(report: &Value, rule: &str) -> bool {
    findings(report).iter().any(|(r, _)| r == rule)
}

const ADMIN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}
  ]
}"#;

/// `s3:*` on the buckets of one project: service-wide-wildcard (a warning) and
/// nothing else.
const S3_WIDE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Storage",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]
    }
  ]
}"#;

#[test]
fn whittle_toml_disables_rules_overrides_severities_and_ignores_by_path_and_sid() {
    let project = Project::new();
    project.write("policies/storage.json", S3_WIDE);
    project.write("legacy/admin.json", ADMIN);
    project.write(
        "policies/break-glass.json",
        &ADMIN.replace("Everything", "BreakGlassAdmin"),
    );

    let (report, code) = project.lint_json(&["."]);
    assert_eq!(code, 1, "two admin policies are errors");
    assert_eq!(
        findings(&report),
        [
            ("full-admin-access".into(), "error".into()),
            ("full-admin-access".into(), "error".into()),
            ("service-wide-wildcard".into(), "warning".into()),
        ]
    );

    project.write(
        "whittle.toml",
        r#"
fail-on = "warning"

[severity]
service-wide-wildcard = "note"

[[ignore]]
rules = ["full-admin-access"]
paths = ["legacy/**"]
reason = "decommissioned in Q3"

[[ignore]]
sids = ["breakglass*"]
"#,
    );
    let (report, code) = project.lint_json(&["."]);
    assert_eq!(
        findings(&report),
        [("service-wide-wildcard".into(), "note".into())]
    );
    assert_eq!(report["summary"]["ignored"], 2);
    assert_eq!(code, 0, "fail-on = warning and only a note is left");

    // A config in a parent directory is found; `--no-config` bypasses it.
    let (_, code) = project
        .lint_json(&["--no-config", "legacy/admin.json"])
        .clone();
    assert_eq!(code, 1);
    let sub = project.path().join("policies");
    let output = project
        .whittle()
        .current_dir(&sub)
        .args(["lint", "../legacy/admin.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (
            &report["summary"]["findings"],
            &report["summary"]["ignored"]
        ),
        (&Value::from(0), &Value::from(1)),
        "paths also match relative to whittle.toml: ../legacy from policies/ is legacy/**"
    );
    let absolute = project.path().join("legacy/admin.json");
    let output = project
        .whittle()
        .current_dir(&sub)
        .args(["lint", "--format", "json"])
        .arg(&absolute)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["summary"]["ignored"], 1,
        "and so does an absolute path"
    );
    project.write("elsewhere/legacy/admin.json", ADMIN);
    let output = project
        .whittle()
        .current_dir(project.path().join("elsewhere"))
        .args(["lint", "legacy/admin.json", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["summary"]["ignored"], 1,
        "as typed, legacy/admin.json still matches legacy/**"
    );

    // `disable` removes a rule; the command line's --fail-on wins over the file.
    project.write(
        "whittle.toml",
        "disable = [\"service-wide-wildcard\", \"WH101\"]\n",
    );
    let (report, code) = project.lint_json(&[".", "--fail-on", "note"]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);
}

#[test]
fn findings_about_account_resources_are_ignored_by_arn() {
    let project = Project::new();
    let export = testdata("accounts/cross-policy-escalation.json");
    let export = export.to_str().unwrap();
    let (report, _) = project.lint_json(&[export]);
    assert!(has_rule(&report, "privesc-passrole-ec2"));

    project.write(
        "whittle.toml",
        r#"
[[ignore]]
arns = ["arn:aws:iam::*:role/BUILDER"]
"#,
    );
    let (accepted, _) = project.lint_json(&[export]);
    let about_builder = |report: &Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["location"]["resource"]["arn"] == "arn:aws:iam::123456789012:role/builder"
            })
            .count()
    };
    assert!(
        about_builder(&report) >= 2,
        "the role and its inline policy"
    );
    assert_eq!(about_builder(&accepted), 0);
    assert!(!has_rule(&accepted, "privesc-passrole-ec2"));
    assert_eq!(
        accepted["summary"]["ignored"].as_u64().unwrap() as usize,
        about_builder(&report)
    );
    assert!(
        has_rule(&accepted, "infrastructure-modification"),
        "findings on the managed policy remain"
    );
}

#[test]
fn findings_are_ignored_by_logical_id_and_terraform_address() {
    let project = Project::new();
    let policy = |name: &str| {
        format!(
            "resource \"aws_iam_policy\" \"{name}\" {{\n  name   = \"{name}\"\n  policy = jsonencode({{\n    Version   = \"2012-10-17\"\n    Statement = [{{ Effect = \"Allow\", Action = \"s3:*\", Resource = \"arn:aws:s3:::b/*\" }}]\n  }})\n}}\n"
        )
    };
    project.write("main.tf", &(policy("legacy_one") + &policy("current")));
    project.write(
        "template.yaml",
        "Resources:\n  LegacyPolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - {Effect: Allow, Action: 's3:*', Resource: 'arn:aws:s3:::b/*'}\n",
    );
    let definitions = |report: &Value| -> Vec<String> {
        let mut out: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["location"]["definition"].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    };
    let (report, _) = project.lint_json(&["main.tf", "template.yaml"]);
    assert_eq!(
        definitions(&report),
        [
            "LegacyPolicy",
            "aws_iam_policy.current",
            "aws_iam_policy.legacy_one"
        ]
    );
    project.write(
        "whittle.toml",
        "[[ignore]]\nresources = [\"aws_iam_policy.legacy_*\", \"LegacyPolicy\"]\nreason = \"retired next quarter\"\n",
    );
    let (report, _) = project.lint_json(&["main.tf", "template.yaml"]);
    assert_eq!(definitions(&report), ["aws_iam_policy.current"]);
    assert_eq!(report["summary"]["ignored"], 2);
    let validator = jsonschema::validator_for(
        &serde_json::from_str(
            &std::fs::read_to_string(
                crate::support::workspace_root()
                    .join("crates/whittle-reporter/schemas/lint.v1.schema.json"),
            )
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(validator.is_valid(&report));
}

#[test]
fn invalid_configuration_names_the_file_and_exits_2() {
    let project = Project::new();
    project.write("admin.json", ADMIN);
    project.write("whittle.toml", "disable = [\"no-such-rule\"]\n");
    project
        .whittle()
        .args(["lint", "admin.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("whittle.toml"))
        .stderr(predicate::str::contains(
            "no rule is called \"no-such-rule\"",
        ));

    project.write(
        "whittle.toml",
        "[severity]\nfull-admin-access = \"fatal\"\n",
    );
    project
        .whittle()
        .args(["lint", "admin.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("whittle.toml"))
        .stderr(predicate::str::contains("line 2"));

    // An explicit --config that does not exist is an error, not a silent default.
    project
        .whittle()
        .args(["lint", "--config", "missing.toml", "admin.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
}

#[test]
fn user_rule_directories_add_action_set_rules() {
    let project = Project::new();
    project.write(
        "policy.json",
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Tables", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:DeleteTable"],
     "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"}
  ]
}"#,
    );
    project.write(
        "org-rules/no-table-deletion.toml",
        r#"
id = "ORG001"
name = "no-table-deletion"
severity = "error"
tags = ["org-policy"]
summary = "Deletes DynamoDB tables"
what = "Flags grants of dynamodb:DeleteTable."
why = "Tables are deleted by the platform team's pipeline only."
example = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteTable", "Resource": "*"}]}'
use_instead = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}'

[match]
actions = ["dynamodb:delete*"]
"#,
    );
    let (report, code) = project.lint_json(&["policy.json"]);
    assert_eq!(findings(&report), []);
    assert_eq!(code, 0);

    let (report, code) = project.lint_json(&["--rules", "org-rules", "policy.json"]);
    assert_eq!(
        findings(&report),
        [("no-table-deletion".into(), "error".into())]
    );
    assert_eq!(report["findings"][0]["rule_id"], "ORG001");
    assert_eq!(report["findings"][0]["location"]["line"], 4);
    assert_eq!(code, 1);

    // whittle.toml's rules-dirs are relative to the file; the rule is then listed.
    project.write("whittle.toml", "rules-dirs = [\"org-rules\"]\n");
    project
        .whittle()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("ORG001"));
    let (report, _) = project.lint_json(&["policy.json"]);
    assert!(has_rule(&report, "no-table-deletion"));

    // A broken rule file is named, and nothing is linted with a partial rule set.
    project.write(
        "org-rules/broken.toml",
        "id = \"ORG002\"\nname = \"Not Kebab\"\n",
    );
    project
        .whittle()
        .args(["lint", "policy.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.toml"));
}

#[test]
fn a_baseline_accepts_known_findings_and_survives_moved_lines() {
    let project = Project::new();
    project.write("policy.json", S3_WIDE);
    project.write("admin.json", ADMIN);

    let (report, code) = project.lint_json(&[
        ".",
        "--fail-on",
        "warning",
        "--write-baseline",
        "whittle-baseline.json",
    ]);
    assert_eq!(code, 1, "writing a baseline does not change the verdict");
    assert_eq!(report["summary"]["findings"], 2);
    let baseline: Value = serde_json::from_slice(
        &std::fs::read(project.path().join("whittle-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["schema"], "whittle.baseline/v1");
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);

    let baseline_args = [
        ".",
        "--fail-on",
        "warning",
        "--baseline",
        "whittle-baseline.json",
    ];
    let (report, code) = project.lint_json(&baseline_args);
    assert_eq!(findings(&report), []);
    assert_eq!(report["summary"]["baselined"], 2);
    assert_eq!(code, 0);

    // Reformatted and moved down: still the same findings.
    let moved = format!("\n\n{}", S3_WIDE.replace("\n    ", "\n        "));
    project.write("policy.json", &moved);
    let (report, code) = project.lint_json(&baseline_args);
    assert_eq!(findings(&report), [], "{report:#}");
    assert_eq!(code, 0);

    // A new problem is reported, and only it.
    project.write(
        "policy.json",
        &S3_WIDE.replace(
            r#""Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]"#,
            r#""Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]
    },
    {"Sid": "Queues", "Effect": "Allow", "Action": "sqs:*", "Resource": "*""#,
        ),
    );
    let (report, code) = project.lint_json(&baseline_args);
    let rules: Vec<_> = findings(&report).into_iter().map(|(r, _)| r).collect();
    assert!(
        rules.contains(&"service-wide-wildcard".to_owned()),
        "{rules:?}"
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["location"]["sid"] == "Queues"),
        "only the new statement's findings: {report:#}"
    );
    assert_eq!(code, 1);

    // A baseline that is not one is an error naming it.
    project.write("whittle-baseline.json", "{\"findings\": 3}");
    project
        .whittle()
        .args(["lint", ".", "--baseline", "whittle-baseline.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("whittle-baseline.json"));
}

#[test]
fn sarif_output_is_valid_and_points_into_the_files() {
    let project = Project::new();
    project.write(
        "policies/multi.json",
        r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::reports/*"
    },
    {
      "Sid": "Queues",
      "Effect": "Allow",
      "Action": ["sqs:SendMessage", "sqs:*"],
      "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"
    }
  ]
}"#,
    );
    std::fs::copy(
        testdata("accounts/cross-policy-escalation.json"),
        project.path().join("account.json"),
    )
    .unwrap();
    let output = project
        .whittle()
        .args(["lint", "policies", "account.json", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");

    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "whittle");
    let results = run["results"].as_array().unwrap();
    let wildcard = results
        .iter()
        .find(|r| {
            r["ruleId"] == "WH102"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "policies/multi.json"
        })
        .expect("service-wide-wildcard on policies/multi.json");
    let region = &wildcard["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 13);
    assert_eq!(region["startColumn"], 37);
    assert_eq!(region["endColumn"], 44);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = wildcard["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["name"], "service-wide-wildcard");

    // The cross-policy escalation names the role; the policy findings name the policy.
    let escalation = results
        .iter()
        .find(|r| {
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["name"] == "privesc-passrole-ec2"
        })
        .expect("the role's escalation");
    let logical = &escalation["locations"][0]["logicalLocations"][0];
    assert_eq!(
        logical["fullyQualifiedName"],
        "arn:aws:iam::123456789012:role/builder"
    );
    assert_eq!(logical["kind"], "resource");
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["whittleFindingHash/v1"].is_string())
    );

    // Same input, same fingerprints.
    let again = project
        .whittle()
        .args(["lint", "policies", "account.json", "--format", "sarif"])
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["runs"][0]["results"], run["results"]);
}

#[test]
fn github_format_prints_workflow_annotations() {
    let project = Project::new();
    project.write("policies/admin.json", ADMIN);
    project.write("policies/storage.json", S3_WIDE);
    project
        .whittle()
        .args(["lint", "policies", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "::error file=policies/admin.json,line=4,col=",
        ))
        .stdout(predicate::str::contains(
            "title=full-admin-access (WH101)::",
        ))
        .stdout(predicate::str::contains(
            "::warning file=policies/storage.json,line=7,col=17,",
        ));
}

#[test]
fn whittle_toml_applies_to_the_rules_of_recommend_and_diff() {
    let project = Project::new();
    project.write(
        "whittle.toml",
        r#"
disable = ["unused-role", "new-access", "privesc-passrole-ec2"]

[severity]
unused-action = "error"
"#,
    );
    let output = project
        .whittle()
        .args([
            "recommend",
            "--format",
            "sarif",
            "--as-of",
            "2026-11-20T00:00:00Z",
        ])
        .arg("--snapshot")
        .arg(testdata("recommend/account.json"))
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        !results.iter().any(|r| r["ruleId"] == "WH403"),
        "unused-role is disabled"
    );
    let unused_action = results
        .iter()
        .find(|r| r["ruleId"] == "WH402")
        .expect("unused-action findings");
    assert_eq!(unused_action["level"], "error");

    // Disabling a lint rule does not remove its risk category from diff.
    project.write("old.json", S3_WIDE);
    project.write(
        "new.json",
        &S3_WIDE.replace(
            r#""Action": "s3:*","#,
            r#""Action": ["s3:*", "iam:PassRole", "ec2:RunInstances"],"#,
        ),
    );
    let output = project
        .whittle()
        .args(["diff", "old.json", "new.json", "--format", "sarif"])
        .args(["--deny-new", "privilege-escalation"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["WH502"],
        "new-access is disabled, denied-new-access is not"
    );
}
