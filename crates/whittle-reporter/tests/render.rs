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

#[test]
fn json() {
    let text = render(lint_json);
    serde_json::from_str::<serde_json::Value>(&text).expect("the report is valid JSON");
    insta::assert_snapshot!(text);
}

#[test]
fn accepted_findings_are_counted_in_the_summary() {
    let report = LintReport {
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
        ignored: 2,
        baselined: 1,
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
    let report = LintReport {
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
    };
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
            ..*report
        };
        assert_eq!(
            whittle_reporter::accepted_findings(&accepted),
            "2 findings accepted by whittle.toml, 3 by the baseline\n"
        );
    });
}
