//! Constraints that still leave an action usable keep a finding (lowered one level
//! when they name resources); constraints that cannot match drop the risk finding,
//! and `statement-never-applies` says why the statement is dead.

use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, Linter, RuleSet, Severity};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

fn lint(policy: &str) -> Vec<Finding> {
    let rules = RuleSet::embedded().unwrap();
    let options = LintOptions {
        now: "2026-11-24T12:00:00Z".parse().unwrap(),
    };
    let linter = Linter::new(Catalog::embedded(), &rules, options).unwrap();
    match linter.lint_file(&SourceFile::new("p.json", policy)) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("{other:?}"),
    }
}

fn only<'f>(findings: &'f [Finding], rule: &str) -> &'f Finding {
    let matching: Vec<_> = findings.iter().filter(|f| f.rule.name == rule).collect();
    assert_eq!(matching.len(), 1, "{rule}: {findings:#?}");
    matching[0]
}

/// Asserts that `rule` did not fire and that `statement-never-applies` explains
/// why with `reason`.
fn dropped_because(findings: &[Finding], rule: &str, reason: &str) {
    assert!(
        !findings.iter().any(|f| f.rule.name == rule),
        "{findings:#?}"
    );
    let dead = only(findings, "statement-never-applies");
    assert!(dead.message.contains(reason), "{}", dead.message);
}

#[test]
fn a_resource_constraint_that_leaves_the_action_usable_keeps_the_finding() {
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreatePolicyVersion",
            "Resource":"arn:aws:iam::123456789012:policy/team-*"}]}"#,
    );
    let finding = only(&findings, "privesc-create-policy-version");
    // Lowered one level, not dropped: the team's policies can still be rewritten.
    assert_eq!(finding.severity, Severity::Warning);
    assert!(
        finding
            .notes
            .iter()
            .any(|n| n.contains("only on named resources"))
    );
}

#[test]
fn resources_only_aws_owns_drop_the_finding_and_say_why() {
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
            "Action":["iam:CreatePolicyVersion","iam:GetPolicyVersion"],
            "Resource":"arn:aws:iam::aws:policy/*"}]}"#,
    );
    dropped_because(&findings, "privesc-create-policy-version", "belong to AWS");
}

#[test]
fn every_resource_of_a_type_is_not_a_named_resource() {
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreatePolicyVersion",
            "Resource":"arn:aws:iam::123456789012:policy/*"}]}"#,
    );
    let finding = only(&findings, "privesc-create-policy-version");
    assert_eq!(finding.severity, Severity::Error, "{:?}", finding.notes);
}

#[test]
fn a_date_condition_in_the_past_drops_the_finding_and_one_in_the_future_does_not() {
    let expired = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*",
            "Condition":{"DateLessThan":{"aws:CurrentTime":"2024-06-30T00:00:00Z"}}}]}"#,
    );
    dropped_because(&expired, "privesc-attach-policy", "expired");

    let current = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"*",
            "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#,
    );
    assert_eq!(
        only(&current, "privesc-attach-policy").severity,
        Severity::Error
    );
}

#[test]
fn a_condition_that_can_hold_does_not_hide_the_finding() {
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#,
    );
    assert_eq!(
        only(&findings, "privesc-put-inline-policy").severity,
        Severity::Error
    );
}

/// The findings of a file under `testdata/`.
fn lint_testdata(path: &str) -> Vec<Finding> {
    let full = format!("{}/../../testdata/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap();
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    match linter.lint_file(&SourceFile::new(path, text)) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("{other:?}"),
    }
}

fn depends_on_unknown(finding: &Finding) -> bool {
    finding
        .notes
        .iter()
        .any(|n| n.contains("leaves unresolved"))
}

#[test]
fn unresolved_values_are_some_specific_value_not_every_one() {
    let findings = lint_testdata("precision/unknown-values.yaml");
    let rules: Vec<(&str, usize)> = findings
        .iter()
        .map(|f| (f.rule.name.as_str(), f.location.start.line))
        .collect();
    // Before, each of these fired on a !GetAtt, !Ref, !Sub, !ImportValue or
    // !Split read as "*", or on a key or bucket policy read as an identity
    // policy.
    for rule in [
        "data-exfiltration",
        "infrastructure-modification",
        "resource-exposure",
        "pass-role-on-any-resource",
        "string-equals-with-wildcard",
        "public-resource-policy",
        "invalid-sid",
        "malformed-arn",
        "wildcard-permissions-management-on-any-resource",
        "invalid-arn-account",
        "invalid-region",
        "invalid-service-principal",
    ] {
        let wrong: Vec<_> = rules
            .iter()
            .filter(|(r, line)| *r == rule && *line != 49)
            .collect();
        assert!(wrong.is_empty(), "{rule}: {findings:#?}");
    }
    // No grammar or format error on what a template leaves to deployment.
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A literal "*" is still every resource, and says nothing of unknowns.
    let everything = findings
        .iter()
        .find(|f| f.rule.name == "data-exfiltration")
        .expect("Resource \"*\" reads every secret");
    assert_eq!(everything.location.start.line, 49);
    assert!(!depends_on_unknown(everything), "{everything:#?}");
    // A grant on `!Ref TeamPolicy` is lowered (named resources) and says that
    // its verdict depends on the unresolved value.
    let version = only(&findings, "privesc-create-policy-version");
    assert_eq!(version.severity, Severity::Warning);
    assert!(depends_on_unknown(version), "{version:#?}");
    assert!(version.notes.iter().any(|n| n.contains("{TeamPolicy}")));
    // The default key policy's "*" is the key: noted as such.
    for finding in findings.iter().filter(|f| f.location.start.line >= 90) {
        assert!(
            finding.notes.iter().any(|n| n.contains("key policy")),
            "{finding:#?}"
        );
    }
}

#[test]
fn documents_read_from_iam_are_not_judged_on_what_iam_rejects() {
    // AWS's own managed policies have no size quota, and IAM stored this one:
    // as `aws iam get-policy-version` output it cannot be "too large".
    let from_iam = lint_testdata("precision/get-policy-version-aws-managed.json");
    assert!(
        !from_iam
            .iter()
            .any(|f| f.rule.name == "policy-size-exceeded"),
        "{from_iam:#?}"
    );
    // The same document as a bare file, which could be about to be created,
    // is measured.
    let full = format!(
        "{}/../../testdata/precision/get-policy-version-aws-managed.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let output: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap();
    let bare = lint(&output["PolicyVersion"]["Document"].to_string());
    only(&bare, "policy-size-exceeded");
}

#[test]
fn no_check_judges_what_an_unresolved_value_will_be() {
    // A Sid, actions, and condition values of each type from parameters.
    let findings = lint_testdata("precision/unknown-in-every-element.yaml");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn an_allow_its_own_policy_denies_grants_nothing_to_report() {
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"All","Effect":"Allow","Action":"iam:*","Resource":"*"},
            {"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    );
    for rule in [
        "service-wide-wildcard",
        "pass-role-on-any-resource",
        "pass-role-without-service-condition",
    ] {
        dropped_because(
            &findings,
            rule,
            "statement 2 (\"NoIam\") denies everything it allows",
        );
    }
    // A NotResource Deny spares what it lists: the Allow still grants there.
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:role/app-*"},
            {"Effect":"Deny","Action":"iam:*","NotResource":"arn:aws:iam::123456789012:role/app-*"}]}"#,
    );
    only(&findings, "service-wide-wildcard");
    assert!(
        !findings
            .iter()
            .any(|f| f.rule.name == "statement-never-applies")
    );
    // A conditional Deny may not apply: the findings stay.
    let findings = lint(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
            {"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
    );
    only(&findings, "pass-role-on-any-resource");
}

#[test]
fn credentials_issued_before_a_long_past_date_are_expired() {
    let statement = |date: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],
                "Resource":"*","Condition":{{"DateLessThan":{{"aws:TokenIssueTime":"{date}"}}}}}}]}}"#
        )
    };
    // Sessions last at most 36 hours: none issued before 2026-01-01 is alive.
    let findings = lint(&statement("2026-01-01T00:00:00Z"));
    dropped_because(&findings, "privesc-passrole-ec2", "aws:TokenIssueTime");
    // Issued before yesterday noon (LintOptions::now is 2026-11-24T12:00Z): a
    // 36-hour session from then may still be valid.
    let findings = lint(&statement("2026-11-23T12:00:00Z"));
    only(&findings, "privesc-passrole-ec2");
}
