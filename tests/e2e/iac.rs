//! Policies as code: lint finds the same problems in a bare policy, in a
//! CloudFormation template (JSON and YAML) and in a Terraform plan, located in
//! the containing file; `whittle diff` compares access, also against git.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::support::{git, testdata, workspace_root};

/// A file of `testdata/iac/`.
fn iac(name: &str) -> PathBuf {
    testdata("iac").join(name)
}

fn lint(path: &Path) -> Value {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .args(["lint", "--format", "json", "--fail-on", "never"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The findings of `report` whose subject `about` accepts; a bare file's all.
fn findings_about(report: &Value, about: impl Fn(&str) -> bool) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["subject"].as_str().is_none_or(&about))
        .collect()
}

/// The first finding of `rule` in `report`.
fn first_of<'r>(report: &'r Value, rule: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {report}"))
}

fn text(finding: &Value, key: &str) -> String {
    finding[key].as_str().unwrap().to_owned()
}

/// (rule, severity, message) of the findings about the "deploy" policy.
fn deploy_findings(report: &Value) -> Vec<(String, String, String)> {
    let mut found: Vec<_> = findings_about(report, |s| s.contains("deploy"))
        .into_iter()
        .map(|f| (text(f, "rule"), text(f, "severity"), text(f, "message")))
        .collect();
    found.sort();
    found
}

/// 1-based line and column of the first `needle` in `path`.
fn position(path: &Path, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
    (line, column)
}

#[test]
fn the_same_policy_has_the_same_findings_in_every_form() {
    let bare = deploy_findings(&lint(&iac("policy.json")));
    assert!(bare.iter().any(|f| f.0 == "unknown-action"));
    assert!(bare.iter().any(|f| f.0 == "privesc-passrole-ec2"));
    for form in [
        "template.json",
        "template.yaml",
        "plan.json",
        "main.tf.json",
        // Terraform's native syntax: jsonencode, a heredoc, a rendered
        // aws_iam_policy_document, a quoted JSON string.
        "main.tf",
        "tf/heredoc.tf",
        "tf/document.tf",
        "tf/quoted.tf",
    ] {
        assert_eq!(deploy_findings(&lint(&iac(form))), bare, "{form}");
    }
}

#[test]
fn findings_in_terraform_files_point_at_the_element_in_the_tf_file() {
    // The offending action, at its quote, in every form that writes the
    // document in the .tf file; a quoted JSON string is one value: its start.
    for (form, needle) in [
        ("main.tf", "\"s3:GetObjct\""),
        ("tf/heredoc.tf", "\"s3:GetObjct\""),
        ("tf/document.tf", "\"s3:GetObjct\""),
        ("tf/quoted.tf", "\"{\\\"Version"),
    ] {
        let path = iac(form);
        let report = lint(&path);
        let unknown = first_of(&report, "unknown-action");
        let (line, column) = position(&path, needle);
        assert_eq!(unknown["location"]["line"], line, "{form}");
        assert_eq!(unknown["location"]["column"], column, "{form}");
    }
    // A directory walk reads .tf files.
    let report = lint(&iac("tf"));
    assert_eq!(report["summary"]["files"], 3, "{report}");
}

/// (rule, message, whether it points at the Federated principal's value) of
/// the findings in trust policies.
fn trust_findings(path: &Path) -> Vec<(String, String, bool)> {
    let report = lint(path);
    let (line, column) = position(path, "arn:aws:iam::123456789012:oidc-provider/");
    let mut found: Vec<_> = findings_about(&report, |s| {
        s.contains("trust") || s.contains("assume_role_policy")
    })
    .into_iter()
    .map(|f| {
        // The value starts at its quote in JSON, at the ARN itself in plain YAML.
        let at = f["location"]["line"] == line
            && (f["location"]["column"] == column || f["location"]["column"] == column - 1);
        (text(f, "rule"), text(f, "message"), at)
    })
    .collect();
    found.sort();
    found
}

#[test]
fn trust_policies_are_linted_by_their_own_grammar_in_every_form() {
    // A role trusting GitHub's OIDC provider with no `sub` condition: any
    // repository on github.com could assume it. The EC2 service trust of the
    // builder role is fine, and no trust policy lacks a Resource by mistake.
    let bare = trust_findings(&iac("trust.json"));
    assert_eq!(bare.len(), 1, "{bare:?}");
    assert_eq!(bare[0].0, "oidc-trust-without-subject");
    assert!(bare[0].2, "{bare:?}");
    // A .tf.json configuration renders the data source's statement blocks:
    // the finding points at the identifier inside them.
    for form in ["template.json", "template.yaml", "main.tf.json", "main.tf"] {
        assert_eq!(trust_findings(&iac(form)), bare, "{form}");
    }
    // In a plan the document is a JSON string: same finding, at that string.
    let plan = trust_findings(&iac("plan.json"));
    assert_eq!(
        plan.iter().map(|f| (&f.0, &f.1)).collect::<Vec<_>>(),
        bare.iter().map(|f| (&f.0, &f.1)).collect::<Vec<_>>()
    );
}

#[test]
fn findings_point_into_the_containing_file() {
    for form in ["template.yaml", "template.json", "policy.json"] {
        let path = iac(form);
        let report = lint(&path);
        let unknown = first_of(&report, "unknown-action");
        // The quote before s3:GetObjct starts the offending value.
        let (line, column) = position(&path, "\"s3:GetObjct\"");
        assert_eq!(unknown["location"]["line"], line, "{form}");
        assert_eq!(unknown["location"]["column"], column, "{form}");
    }
    // In a plan the document is a JSON string: findings point at that string.
    let path = iac("plan.json");
    let report = lint(&path);
    let unknown = first_of(&report, "unknown-action");
    let (line, _) = position(&path, "\"policy\": \"{");
    assert_eq!(unknown["location"]["line"], line);
}

#[test]
fn unresolved_values_are_unknown_and_only_the_findings_that_depend_on_one_say_so() {
    let depends = |finding: &Value| finding["notes"].to_string().contains("leaves unresolved");
    for form in ["template.yaml", "template.json", "main.tf.json", "main.tf"] {
        let report = lint(&iac(form));
        let findings = report["findings"].as_array().unwrap();
        let wildcard = first_of(&report, "service-wide-wildcard");
        // "s3:*" is every S3 action whatever the bucket: no note.
        assert!(!depends(wildcard), "{form}: {wildcard}");
        // The bucket named by a parameter is not every resource.
        assert!(
            !findings
                .iter()
                .any(|f| f["location"]["line"] == wildcard["location"]["line"]
                    && f["message"].to_string().contains("on every resource")),
            "{form}: {report}"
        );
    }
    let report = lint(&iac("template.yaml"));
    let wildcard = first_of(&report, "service-wide-wildcard");
    assert_eq!(
        wildcard["location"]["subject"],
        "BuilderRole (AWS::IAM::Role) policy \"artifacts\""
    );
    // The trust policy is not linted as an identity policy, and the bucket
    // policy is linted as a resource policy: no Principal finding for either.
    let report = lint(&iac("template.yaml"));
    assert!(!report.to_string().contains("principal-in-identity-policy"));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["location"]["subject"] == "BucketPolicy (AWS::S3::BucketPolicy)"),
        "{report}"
    );
}

fn diff(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap() + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn diff_against_the_previous_commit_lists_access_and_denies_new_escalations() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.join("iam")).unwrap();
    let policy = repo.join("iam/ci.json");
    std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#).unwrap();
    std::fs::write(
        repo.join("template.yaml"),
        std::fs::read_to_string(iac("template.yaml")).unwrap(),
    )
    .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "v1"]);
    // Narrow s3:* to s3:Get* and add iam:PassRole on every role.
    std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#).unwrap();
    git(repo, &["commit", "-q", "-am", "v2"]);

    let (code, out) = diff(repo, &["--base", "HEAD~1", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(
        changes.len(),
        1,
        "the unchanged template is not listed: {out}"
    );
    assert_eq!(changes[0]["path"], "iam/ci.json");
    assert_eq!(changes[0]["added"], serde_json::json!(["iam:PassRole"]));
    let removed = changes[0]["removed"].as_array().unwrap();
    assert!(removed.iter().any(|a| a == "s3:PutObject"));
    assert!(
        !removed.iter().any(|a| a == "s3:GetObject"),
        "narrowing keeps what stays"
    );
    assert!(
        changes[0]["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "privilege-escalation")
    );

    let (code, out) = diff(
        repo,
        &["--base", "HEAD~1", "--deny-new", "privilege-escalation"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("denied: iam/ci.json newly grants iam:PassRole (privilege-escalation)"),
        "{out}"
    );
    let (code, out) = diff(
        repo,
        &[
            "--base",
            "HEAD~1",
            "--format",
            "markdown",
            "--deny-new",
            "ec2:*",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("| `iam/ci.json` | changed | 1 |"), "{out}");
}

#[test]
fn diff_of_two_files_shows_added_not_action_and_deny() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    std::fs::write(
        &old,
        r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}"#,
    )
    .unwrap();
    std::fs::write(
        &new,
        r#"{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let (code, out) = diff(dir.path(), &["old.json", "new.json", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let change = &report["changes"][0];
    let added = change["added"].as_array().unwrap();
    assert!(added.iter().any(|a| a == "ec2:RunInstances"));
    assert!(
        !added.iter().any(|a| a.as_str().unwrap().starts_with("s3:")),
        "denied by the new Deny"
    );
    assert!(
        change["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "iam:CreateUser")
    );
}

/// Every whittle command line in the GitHub Action and the pre-commit hooks
/// uses options the binary has.
#[test]
fn packaging_files_use_real_options() {
    let root = workspace_root();
    let mut lines = Vec::new();
    for file in ["action.yml", ".pre-commit-hooks.yaml"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        // Both parse as YAML (with whittle's own reader).
        whittle_syntax::parse_yaml(&text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        lines.extend(
            text.lines()
                .filter_map(|l| {
                    l.trim()
                        .trim_start_matches("entry:")
                        .trim()
                        .strip_prefix("whittle ")
                })
                .map(str::to_owned),
        );
    }
    assert!(lines.len() >= 5, "{lines:?}");
    for line in lines {
        let sub = line.split_whitespace().next().unwrap();
        if sub.starts_with('-') {
            continue;
        }
        let help = Command::cargo_bin("whittle")
            .unwrap()
            .args([sub, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
            assert!(
                help.contains(flag),
                "whittle {sub} has no {flag} (in: {line})"
            );
        }
    }
}

#[test]
fn directory_walks_skip_what_git_ignores() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::write(repo.join(".gitignore"), "vendor/\n").unwrap();
    std::fs::create_dir(repo.join("vendor")).unwrap();
    let admin = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    std::fs::write(repo.join("vendor/admin.json"), admin).unwrap();
    std::fs::write(
        repo.join("mine.yaml"),
        std::fs::read_to_string(iac("template.yaml")).unwrap(),
    )
    .unwrap();
    let report = lint(repo);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().all(|p| p.ends_with("mine.yaml")), "{paths:?}");
    assert!(!paths.is_empty());
}

#[test]
fn diff_of_a_template_lists_principals_a_trust_policy_newly_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    let template = std::fs::read_to_string(iac("template.yaml")).unwrap();
    std::fs::write(&old, &template).unwrap();
    // The builder role's trust opens to every AWS principal; the GitHub role's
    // gains a subject condition (its unconditioned entry goes, a conditioned
    // one comes). The identity policies are unchanged.
    let opened = template
        .replacen(
            "Principal:\n              Service: ec2.amazonaws.com",
            "Principal:\n              AWS: \"*\"",
            1,
        )
        .replacen(
            "token.actions.githubusercontent.com:aud: sts.amazonaws.com",
            "token.actions.githubusercontent.com:aud: sts.amazonaws.com\n                token.actions.githubusercontent.com:sub: repo:my-org/deploy:ref:refs/heads/main",
            1,
        );
    assert_ne!(opened, template);
    std::fs::write(&new, &opened).unwrap();
    let old_arg = old.to_str().unwrap();
    let new_arg = new.to_str().unwrap();

    let (code, out) = diff(dir.path(), &[old_arg, new_arg, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{out}");
    let builder = changes
        .iter()
        .find(|c| c["subject"] == "BuilderRole (AWS::IAM::Role) trust policy")
        .expect("the builder role's trust changed");
    assert_eq!(builder["principals_added"], serde_json::json!(["everyone"]));
    assert_eq!(
        builder["principals_removed"],
        serde_json::json!(["Service ec2.amazonaws.com"])
    );
    assert_eq!(
        builder["categories"],
        serde_json::json!(["resource-exposure"])
    );
    let github = changes
        .iter()
        .find(|c| c["subject"] == "GitHubActionsRole (AWS::IAM::Role) trust policy")
        .expect("the GitHub role's trust changed");
    assert_eq!(
        github["principals_added"],
        serde_json::json!([]),
        "narrowed, not added"
    );
    let narrowed = github["principals_narrowed"][0].as_str().unwrap();
    assert!(
        narrowed.contains("if StringEquals token.actions.githubusercontent.com:aud sts.amazonaws.com and StringEquals token.actions.githubusercontent.com:sub repo:my-org/deploy"),
        "{narrowed}"
    );
    assert_eq!(github["categories"], serde_json::json!([]));

    let (code, out) = diff(
        dir.path(),
        &[old_arg, new_arg, "--deny-new", "resource-exposure"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("+ may assume the role: everyone"), "{out}");
    assert!(
        out.contains("newly grants sts:AssumeRole by everyone (resource-exposure)"),
        "{out}"
    );
    // Tightening the GitHub role's trust alone is not denied.
    let (code, out) = diff(
        dir.path(),
        &[new_arg, new_arg, "--deny-new", "resource-exposure"],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn diff_of_a_bucket_policy_made_public_is_new_resource_exposure() {
    // The same action, now for everyone: no action is added, a principal is.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    let policy = |principal: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {principal},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}}]}}"#
        )
    };
    std::fs::write(
        &old,
        policy(r#"{"AWS": "arn:aws:iam::123456789012:role/reporting"}"#),
    )
    .unwrap();
    std::fs::write(&new, policy(r#""*""#)).unwrap();
    let args = [old.to_str().unwrap(), new.to_str().unwrap()];

    let (code, out) = diff(dir.path(), &[args[0], args[1], "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let change = &report["changes"][0];
    assert_eq!(change["added"], serde_json::json!([]));
    assert_eq!(change["principals_added"], serde_json::json!(["everyone"]));
    assert_eq!(
        change["categories"],
        serde_json::json!(["resource-exposure"])
    );

    let (code, out) = diff(
        dir.path(),
        &[args[0], args[1], "--deny-new", "resource-exposure"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("+ now let in: everyone"), "{out}");
    assert!(
        out.contains("access by everyone (resource-exposure)"),
        "{out}"
    );
}

#[test]
fn diff_reports_actions_granted_on_more_resources() {
    // iam:PassRole was allowed on the app role; now also on the admin role.
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    let policy = |roles: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
            "Action": ["iam:PassRole", "ecs:RunTask"], "Resource": [{roles}]}}]}}"#
        )
    };
    std::fs::write(&old, policy(r#""arn:aws:iam::123456789012:role/app""#)).unwrap();
    std::fs::write(
        &new,
        policy(r#""arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/admin""#),
    )
    .unwrap();
    let args = [old.to_str().unwrap(), new.to_str().unwrap()];
    let (code, out) = diff(dir.path(), &[args[0], args[1], "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let change = &report["changes"][0];
    assert_eq!(change["added"], serde_json::json!([]), "no action is new");
    assert_eq!(
        change["new_resources"],
        serde_json::json!([{"resource": "arn:aws:iam::123456789012:role/admin",
            "actions": ["ecs:RunTask", "iam:PassRole"]}])
    );
    assert!(
        change["categories"]
            .as_array()
            .unwrap()
            .contains(&Value::from("privilege-escalation")),
        "{out}"
    );
    let (code, out) = diff(
        dir.path(),
        &[args[0], args[1], "--deny-new", "privilege-escalation"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "~ now also on arn:aws:iam::123456789012:role/admin: ecs:RunTask, iam:PassRole"
        ),
        "{out}"
    );
    // The other way round is a narrowing: nothing new, the admin role gone.
    let (code, out) = diff(
        dir.path(),
        &[
            args[1],
            args[0],
            "--deny-new",
            "privilege-escalation",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["changes"][0]["new_resources"], serde_json::json!([]));
    assert_eq!(
        report["changes"][0]["removed_resources"][0]["resource"],
        "arn:aws:iam::123456789012:role/admin"
    );
}

#[test]
fn diff_reports_a_condition_removed_as_new_access() {
    let fixtures = testdata("rules/new-access");
    let old = fixtures.join("bad-condition-removed.old.json");
    let new = fixtures.join("bad-condition-removed.new.json");
    let args = [old.to_str().unwrap(), new.to_str().unwrap()];
    let (code, out) = diff(
        &fixtures,
        &[
            args[0],
            args[1],
            "--format",
            "json",
            "--deny-new",
            "s3:Get*",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["changes"][0]["unconditioned"],
        serde_json::json!(["s3:GetObject"])
    );
    assert_eq!(report["changes"][0]["added"], serde_json::json!([]));
    // Adding the condition back narrows: nothing is new.
    let (code, out) = diff(&fixtures, &[args[1], args[0], "--deny-new", "s3:Get*"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn symbolic_links_inside_the_walked_directories_are_followed_and_others_reported() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(repo.join("iam")).unwrap();
    std::fs::create_dir_all(repo.join("iam/vendor")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let narrow = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
    let admin = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    std::fs::write(repo.join("iam/base.json"), narrow).unwrap();
    std::fs::write(repo.join("iam/vendor/admin.json"), admin).unwrap();
    std::fs::write(outside.join("admin.json"), admin).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "v1"]);
    std::os::unix::fs::symlink("vendor/admin.json", repo.join("iam/new-role.json")).unwrap();
    std::os::unix::fs::symlink(outside.join("admin.json"), repo.join("iam/outside.json")).unwrap();
    std::os::unix::fs::symlink("nowhere.json", repo.join("iam/broken.json")).unwrap();

    // lint follows the link inside the directory and names it as linked.
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .current_dir(&repo)
        .args(["lint", "iam", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "full-admin-access")
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["iam/new-role.json", "iam/vendor/admin.json"],
        "{report}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("skipped 2 symbolic links"), "{stderr}");
    assert!(
        stderr.contains("iam/outside.json: leads to")
            && stderr.contains("outside the directories walked"),
        "{stderr}"
    );
    assert!(
        stderr.contains("iam/broken.json: broken link -> nowhere.json"),
        "{stderr}"
    );

    // diff of two directories and diff against the last commit see the new admin.
    let before = dir.path().join("before");
    std::fs::create_dir_all(&before).unwrap();
    std::fs::write(before.join("base.json"), narrow).unwrap();
    let (code, out) = diff(
        &repo,
        &[
            before.to_str().unwrap(),
            "iam",
            "--deny-new",
            "privilege-escalation",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("new-role.json"), "{out}");
    assert!(out.contains("skipped 2 symbolic links"), "{out}");

    git(&repo, &["add", "iam/new-role.json"]);
    git(&repo, &["commit", "-q", "-m", "v2: a linked policy"]);
    let (code, out) = diff(
        &repo,
        &[
            "--base",
            "HEAD~1",
            "--deny-new",
            "privilege-escalation",
            "iam",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("iam/new-role.json"), "{out}");
    // At HEAD the link is in the tree too: read where it leads, no change.
    let (code, out) = diff(&repo, &["--base", "HEAD", "--format", "json", "iam"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(out.split("warning:").next().unwrap()).unwrap();
    assert_eq!(report["changes"], serde_json::json!([]), "{out}");
}

#[test]
fn fn_if_branches_are_both_read_so_a_conditional_admin_fails_the_gate() {
    let before = iac("conditions/before.yaml");
    for after in ["conditions/after.yaml", "conditions/after.json"] {
        let after = iac(after);
        let (code, out) = diff(
            Path::new("."),
            &[
                before.to_str().unwrap(),
                after.to_str().unwrap(),
                "--deny-new",
                "privilege-escalation",
            ],
        );
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("denied:") && out.contains("policy \"app\" newly grants"),
            "{out}"
        );

        let report = lint(&after);
        let admin = with_rule(&report, "full-admin-access");
        assert_eq!(admin.len(), 1, "{report}");
        let notes = admin[0]["notes"].to_string();
        assert!(
            notes.contains("depends on the CloudFormation condition IsProd"),
            "{notes}"
        );
    }
    // The conditional Deny is left out, and the findings say so.
    let report = lint(&iac("conditions/after.yaml"));
    let admin = with_rule(&report, "full-admin-access");
    assert!(
        admin[0]["notes"]
            .to_string()
            .contains("1 Deny statement that holds only under a condition was left out"),
        "{report}"
    );
    let extra = with_rule(&report, "pass-role-on-any-resource");
    assert_eq!(
        extra.len(),
        1,
        "the PassRole branch of Extra is read: {report}"
    );
    assert!(
        extra[0]["notes"]
            .to_string()
            .contains("the resource exists only under the CloudFormation condition IsProd"),
        "{report}"
    );
}

fn with_rule<'r>(report: &'r Value, rule: &str) -> Vec<&'r Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn diff_against_a_commit_pairs_terraform_policies_by_resource_address() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let main = repo.join("main.tf");
    let text = std::fs::read_to_string(iac("main.tf")).unwrap();
    std::fs::write(&main, &text).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "v1"]);
    // The deploy policy gains iam:CreateAccessKey; nothing else changes.
    let changed = text.replace(
        "\"ec2:RunInstances\"]",
        "\"ec2:RunInstances\", \"iam:CreateAccessKey\"]",
    );
    assert_ne!(changed, text);
    std::fs::write(&main, changed).unwrap();
    git(repo, &["commit", "-q", "-am", "v2"]);

    let (code, out) = diff(repo, &["--base", "HEAD~1", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{out}");
    assert_eq!(changes[0]["path"], "main.tf");
    assert_eq!(changes[0]["subject"], "aws_iam_role_policy.deploy", "{out}");
    assert_eq!(
        changes[0]["added"],
        serde_json::json!(["iam:CreateAccessKey"])
    );
}

#[test]
fn an_inline_suppression_silences_exactly_its_finding_and_is_counted() {
    let path = testdata("suppress").join("main.tf");
    let run = |extra: &[&str]| {
        let output = Command::cargo_bin("whittle")
            .unwrap()
            .args(["lint", "--format", "json"])
            .args(extra)
            .arg(&path)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    // The builder's administrator policy stays; the break-glass one, under
    // its comment, is suppressed and counted.
    let (code, report) = run(&[]);
    assert_eq!(code, Some(1), "{report}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["location"]["subject"], "aws_iam_policy.builder");
    assert_eq!(report["summary"]["suppressed"], 1);
    // --show-suppressed lists it with its reason; the exit code is the same.
    let (code, report) = run(&["--show-suppressed"]);
    assert_eq!(code, Some(1));
    let shown: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["notes"].to_string().contains("reviewed in SEC-123"))
        .collect();
    assert_eq!(shown.len(), 1, "{report}");
    assert_eq!(
        shown[0]["location"]["subject"],
        "aws_iam_policy.break_glass"
    );
    assert_eq!(
        shown[0]["suppressed"],
        "break-glass access, reviewed in SEC-123"
    );
    // SARIF marks it suppressed in source, with the reason as justification.
    let sarif = Command::cargo_bin("whittle")
        .unwrap()
        .args(["lint", "--format", "sarif", "--show-suppressed"])
        .arg(&path)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert!(crate::support::sarif_validator().is_valid(&sarif));
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{sarif}");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{"kind": "inSource", "justification": "break-glass access, reviewed in SEC-123"}])
    );
    // The table's summary says how many were suppressed.
    let table = Command::cargo_bin("whittle")
        .unwrap()
        .arg("lint")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("1 suppressed inline"),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
    // A suppression naming no rule is an error at its line, with a suggestion.
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.tf");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("ignore[full-admin-access]", "ignore[full-admin-acess]");
    std::fs::write(&typo, text).unwrap();
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .arg("lint")
        .arg(&typo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("typo.tf:4:1:") && stderr.contains("did you mean \"full-admin-access\""),
        "{stderr}"
    );
}

#[test]
fn a_sam_function_reports_its_admin_statement_at_its_line() {
    let path = iac("sam/template.yaml");
    let report = lint(&path);
    let findings = report["findings"].as_array().unwrap();
    let admin = first_of(&report, "full-admin-access");
    let (line, _) = position(&path, "Action: \"*\"");
    assert_eq!(admin["location"]["line"], line);
    assert_eq!(
        admin["location"]["subject"],
        "Handler (AWS::Serverless::Function) policy 3"
    );
    // The managed policy is recorded on it: the role holds more than this.
    assert!(
        admin["notes"].to_string().contains(
            "SAM also attaches \\\"AWSLambdaBasicExecutionRole\\\" to this role, not read here"
        ),
        "{admin}"
    );
    // The S3CrudPolicy template is read (its bucket is the unknown !Ref
    // Bucket: no finding about every resource), the managed policy's name is
    // no error.
    assert_eq!(report["summary"]["documents"], 2, "{report}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    assert!(
        !findings.iter().any(|f| f["location"]["subject"]
            .to_string()
            .contains("S3CrudPolicy")),
        "{report}"
    );
}

#[test]
fn what_is_wrong_with_the_text_of_a_sam_policy_template_is_not_reported() {
    let path = iac("sam/templates.yaml");
    let report = lint(&path);
    let unknown: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unknown-action" || f["rule"] == "resource-mismatch")
        .map(|f| text(&f["location"], "subject"))
        .collect();
    // The same action the template lists is reported where the user wrote it.
    assert_eq!(
        unknown,
        ["Poller (AWS::Serverless::Function) policy 3"],
        "{report}"
    );
    assert_eq!(report["summary"]["documents"], 3, "{report}");
}

/// (definition, rule) of every finding, sorted.
fn by_definition(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (text(&f["location"], "definition"), text(f, "rule")))
        .collect();
    out.sort();
    out
}

#[test]
fn lambda_permissions_are_read_as_the_statement_they_add_to_the_function_policy() {
    let tf = lint(&iac("lambda/permission.tf"));
    assert_eq!(
        by_definition(&tf),
        [
            (
                "aws_lambda_permission.public".into(),
                "public-resource-policy".into()
            ),
            (
                "aws_lambda_permission.s3".into(),
                "service-principal-without-source".into()
            ),
            // A function URL without authentication is public, its condition notwithstanding.
            (
                "aws_lambda_permission.url".into(),
                "public-resource-policy".into()
            ),
        ]
    );
    // A service principal tied to its source bucket and account is quiet;
    // findings land on the argument that causes them.
    let public = first_of(&tf, "public-resource-policy");
    assert_eq!(
        position(&iac("lambda/permission.tf"), "principal     = \"*\""),
        (
            public["location"]["line"].as_u64().unwrap(),
            public["location"]["column"].as_u64().unwrap() - "principal     = ".len() as u64
        )
    );
    let cfn = lint(&iac("lambda/permission.yaml"));
    assert_eq!(
        by_definition(&cfn),
        [
            ("FromS3".into(), "service-principal-without-source".into()),
            ("Public".into(), "public-resource-policy".into()),
        ]
    );
}
