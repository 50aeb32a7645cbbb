//! Snapshot tests of the rendered reports: a change in output is reviewed as a diff.

mod support;

use whittle_reporter::{FindingsReport, LintReport, lint_json, lint_table};

const POLICY: &str = r#"{
  "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Admin", "Effect": "Allow", "Action": ["s3:GetObjct", "ec2:*"], "Resource": "*"}
  ]
}"#;

fn render(render: impl FnOnce(&LintReport<'_>) -> String) -> String {
    let findings = support::lint("policies/wide.json", POLICY);
    let rules = support::all_rules();
    let failures = support::failures();
    support::with_report(&findings, &rules, &failures[..1], render)
}

#[test]
fn table() {
    insta::assert_snapshot!(render(|report| lint_table(report, 120)));
}

fn schema() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/lint.v1.schema.json")
}

#[test]
fn json() {
    let text = render(lint_json);
    support::valid_against(&schema(), &text);
    insta::assert_snapshot!(text);
}

/// The JSON report of every file of the fixture folders is valid against the
/// schema: every rule's findings, every kind of input, resources and related
/// places included.
#[test]
fn json_of_every_fixture_is_valid() {
    let rules = support::all_rules();
    for folder in ["policies", "accounts", "inputs", "iac"] {
        let mut entries: Vec<_> = std::fs::read_dir(support::testdata(folder))
            .expect("fixture folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for path in entries {
            let name = format!(
                "testdata/{folder}/{}",
                path.file_name().unwrap().to_string_lossy()
            );
            let text = std::fs::read_to_string(&path).expect("fixture");
            let (findings, failures) = support::lint_outcome(&name, &text);
            let json = support::with_report(&findings, &rules, &failures, lint_json);
            support::valid_against(&schema(), &json);
        }
    }
}

/// A role escalating through two policies together: each policy is a related
/// place, named by its subject and IAM resource.
#[test]
fn json_of_a_cross_policy_escalation_names_the_policies_behind_it() {
    let text = std::fs::read_to_string(support::account_export_path()).expect("fixture");
    let findings: Vec<_> = support::lint("testdata/accounts/cross-policy-escalation.json", &text)
        .into_iter()
        .filter(|f| !f.related.is_empty())
        .collect();
    assert!(!findings.is_empty(), "the escalation has related policies");
    let rules = support::rules_of(&findings);
    let json = support::with_report(&findings, &rules, &[], lint_json);
    let document = support::valid_against(&schema(), &json);
    let related = document["findings"][0]["related"].as_array().unwrap();
    assert!(related.len() >= 2, "{json}");
    assert!(related.iter().all(|r| r["resource"]["kind"] == "policy"));
    insta::assert_snapshot!(json);
}

/// A chain of roles: each hop is a step of `flow`, at the trust policy's
/// statement that makes it.
#[test]
fn json_of_a_chain_lists_its_hops() {
    let path = "testdata/accounts/assume-role-chain.json";
    let text =
        std::fs::read_to_string(support::testdata("accounts").join("assume-role-chain.json"))
            .expect("fixture");
    let findings: Vec<_> = support::lint(path, &text)
        .into_iter()
        .filter(|f| !f.flow.is_empty())
        .collect();
    let rules = support::rules_of(&findings);
    let json = support::with_report(&findings, &rules, &[], lint_json);
    let document = support::valid_against(&schema(), &json);
    let lengths: Vec<usize> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flow"].as_array().unwrap().len())
        .collect();
    assert_eq!(lengths, [2, 1], "{json}");
    let step = &document["findings"][0]["flow"][1];
    assert_eq!(step["location"]["resource"]["kind"], "trust-policy");
    assert_eq!(step["location"]["sid"], "TrustCi");
}

#[test]
fn the_schema_catches_drift() {
    let mut document: serde_json::Value = serde_json::from_str(&render(lint_json)).unwrap();
    document["findings"][0]["rule_name"] = "renamed".into();
    document["summary"]
        .as_object_mut()
        .unwrap()
        .remove("skipped");
    let text = document.to_string();
    let outcome = std::panic::catch_unwind(|| support::valid_against(&schema(), &text));
    let message = outcome
        .expect_err("a drifted document is refused")
        .downcast::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("/findings/0"), "{message}");
    assert!(message.contains("skipped"), "{message}");
}

/// A run over 5 policies in 3 files (and one file skipped) that found nothing.
fn no_findings() -> LintReport<'static> {
    LintReport {
        run: FindingsReport {
            tool_version: "0.1.0",
            catalog: &[],
            rules: &[],
            findings: &[],
            fingerprints: &[],
            failures: &[],
        },
        files: 3,
        documents: 5,
        skipped: 1,
        ignored: 0,
        baselined: 0,
        suppressed: 0,
    }
}

#[test]
fn accepted_findings_are_counted_in_the_summary() {
    let report = LintReport {
        ignored: 2,
        baselined: 1,
        suppressed: 0,
        ..no_findings()
    };
    assert_eq!(
        lint_table(&report, 120),
        "No findings in 5 policies from 3 files; 1 file without policies skipped; \
         2 findings accepted by whittle.toml, 1 by the baseline.\n"
    );
    let json: serde_json::Value = serde_json::from_str(&lint_json(&report)).unwrap();
    assert_eq!(json["summary"]["ignored"], 2);
    assert_eq!(json["summary"]["baselined"], 1);
}

#[test]
fn table_without_findings_is_one_summary_line() {
    let report = no_findings();
    assert_eq!(
        lint_table(&report, 120),
        "No findings in 5 policies from 3 files; 1 file without policies skipped.\n"
    );
}

#[test]
fn lines_for_standard_error() {
    assert_eq!(
        whittle_reporter::baseline_written(25, std::path::Path::new(".whittle-baseline.json")),
        "wrote 25 findings to the baseline .whittle-baseline.json\n"
    );
    let findings = support::lint("policies/wide.json", POLICY);
    let rules = support::all_rules();
    support::with_report(&findings, &rules, &[], |report| {
        assert_eq!(whittle_reporter::accepted_findings(report), "");
        let accepted = LintReport {
            ignored: 2,
            baselined: 3,
            suppressed: 1,
            ..*report
        };
        assert_eq!(
            whittle_reporter::accepted_findings(&accepted),
            "2 findings accepted by whittle.toml, 3 by the baseline, 1 suppressed inline\n"
        );
    });
}
