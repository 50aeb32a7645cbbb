//! AWS's managed policies (`testdata/corpus/`), as IAM returns them: what
//! whittle reports on documents nobody here wrote. IAM stored each one, so
//! no rule about what IAM rejects may fire, and the risk rules must not
//! mistake read-only grants for permission changes.

use std::collections::BTreeMap;
use std::io::Read;

use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Finding, Linter, RuleSet, Severity};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

/// Every managed policy as `aws iam get-policy-version` output, linted.
fn findings() -> BTreeMap<String, Vec<Finding>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/corpus/aws-managed-policies.json.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(&std::fs::read(path).unwrap()[..])
        .read_to_string(&mut text)
        .unwrap();
    let corpus: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    corpus
        .into_iter()
        .map(|(name, document)| {
            let output = serde_json::json!({"PolicyVersion": {
                "Document": document, "VersionId": "v1", "IsDefaultVersion": true}});
            let text = serde_json::to_string_pretty(&output).unwrap();
            let file = SourceFile::new(format!("{name}.json"), text);
            let FileOutcome::Linted { findings, .. } = linter.lint_file(&file) else {
                panic!("{name} is get-policy-version output");
            };
            (name, findings)
        })
        .collect()
}

#[test]
fn aws_managed_policies_break_no_rule_iam_enforces() {
    let all = findings();
    assert!(all.len() > 1_500, "{}", all.len());
    let rules = RuleSet::embedded().unwrap();
    let enforced: Vec<&str> = rules
        .iter()
        .filter(|r| r.rejected_by_iam)
        .map(|r| r.name.as_str())
        .collect();
    assert!(enforced.contains(&"policy-size-exceeded"), "{enforced:?}");
    for (name, findings) in &all {
        for finding in findings {
            assert!(
                !enforced.contains(&finding.rule.name.as_str()),
                "{name}: {finding:#?}"
            );
            // The grammar whittle reads is IAM's: nothing IAM stored fails it.
            assert_ne!(
                finding.rule.name, "malformed-policy",
                "{name}: {finding:#?}"
            );
        }
    }
    // Reading a policy or listing grants changes no permission: no
    // wildcard-permissions-management-on-any-resource finding rests on
    // Get, List or Describe actions alone (AWS's data labels some of them
    // "Permissions management"; crates/whittle-policy/data/corrections.toml).
    for (name, findings) in &all {
        for finding in findings
            .iter()
            .filter(|f| f.rule.name == "wildcard-permissions-management-on-any-resource")
        {
            let read_only = finding
                .message
                .split('"')
                .nth(1)
                .and_then(|pattern| pattern.split_once(':'))
                .is_some_and(|(_, action)| {
                    ["Get", "List", "Describe"]
                        .iter()
                        .any(|verb| action.starts_with(verb))
                });
            assert!(!read_only, "{name}: {}", finding.message);
        }
    }
    // Findings are still made: the corpus grants a lot.
    let errors = all
        .values()
        .flatten()
        .filter(|f| f.severity == Severity::Error)
        .count();
    assert!(errors > 0);
}
