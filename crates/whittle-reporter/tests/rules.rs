//! `whittle rules` and `whittle explain` on rule files of the test's own, so
//! that the snapshots do not change with the embedded rules' wording.

use std::path::Path;

use whittle_analysis::RuleSet;
use whittle_reporter::{rule_explanation, rule_list};

fn rules() -> RuleSet {
    let mut rules = RuleSet::default();
    rules
        .add_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules"))
        .expect("the fixture rules are valid");
    rules
}

#[test]
fn list_is_ordered_by_id_in_aligned_columns() {
    insta::assert_snapshot!(rule_list(&rules()), @r"
    WX010  stale-key           recommend  note     An access key was not used for a year  [usage]
    WX901  wide-bucket-access  lint       warning  A policy grants every S3 action  [over-permission, data-exfiltration]
    ");
}

#[test]
fn explanation_has_the_four_sections() {
    let rules = rules();
    insta::assert_snapshot!(
        "explain_lint_rule",
        rule_explanation(rules.get("wide-bucket-access").unwrap())
    );
    insta::assert_snapshot!(
        "explain_recommend_rule",
        rule_explanation(rules.get("WX010").unwrap())
    );
}

#[test]
fn every_embedded_rule_is_listed() {
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let text = rule_list(&rules);
    assert_eq!(text.lines().count(), rules.iter().count());
}
