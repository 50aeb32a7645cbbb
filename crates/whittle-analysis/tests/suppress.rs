//! Inline suppressions on CloudFormation templates: a `Metadata.whittle` block
//! or a `# whittle: ignore[…]` comment silences exactly the findings it covers.

use whittle_analysis::{FileOutcome, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

fn check(fixture: &str) {
    let path = format!(
        "{}/../../testdata/suppress/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, Default::default()).unwrap();
    let FileOutcome::Linted {
        findings,
        suppressed,
        failures,
        ..
    } = linter.lint_file(&SourceFile::new(fixture, text))
    else {
        panic!("{fixture} not linted");
    };
    assert!(failures.is_empty(), "{failures:?}");
    let admin: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.name == "full-admin-access")
        .collect();
    assert_eq!(admin.len(), 1, "{findings:#?}");
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(suppressed[0].finding.rule.name, "full-admin-access");
    assert!(suppressed[0].finding.location.start < admin[0].location.start);
    assert_eq!(
        suppressed[0].reason.as_deref(),
        Some("break-glass role, reviewed in SEC-123")
    );
}

#[test]
fn metadata_suppresses_one_resource() {
    check("metadata.yaml");
}

#[test]
fn own_line_comment_suppresses_one_resource() {
    check("comment.yaml");
}
