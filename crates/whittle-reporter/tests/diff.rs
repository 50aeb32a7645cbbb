//! `whittle diff`'s reports on real fixtures: the lines, the Markdown comment,
//! the `whittle.diff/v1` document (valid against its schema) and the SARIF log
//! of its findings.

mod support;

use std::path::Path;

use whittle_analysis::RuleSet;
use whittle_analysis::diff::{self, PolicyAccess, PolicyChange, Violation};
use whittle_policy::{Catalog, Expander};
use whittle_reporter::{DiffReport, diff_json, diff_markdown, diff_table, findings_sarif};
use whittle_syntax::SourceFile;

use support::{BASE, testdata};

/// The documents of a testdata file, compared under the name `as_path` (two
/// files compare with each other whatever their names, as on the command line).
fn side(file: &str, as_path: &str) -> Vec<PolicyAccess> {
    let path = testdata(file);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let expander = Expander::new(Catalog::embedded());
    let source = SourceFile::new(format!("testdata/{file}").as_str(), text);
    diff::file_access(as_path, &source, &expander).expect("the fixture is readable")
}

/// The changes from `old` to `new` and the violations of `deny`.
fn compare(old: &str, new: &str, deny: &[&str]) -> (Vec<PolicyChange>, Vec<Violation>) {
    let catalog = Catalog::embedded();
    let expander = Expander::new(catalog);
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let categories = diff::categories(&rules, &expander);
    let name = format!("testdata/{new}");
    let changes = diff::compare(&side(old, &name), &side(new, &name), &categories, catalog);
    let deny: Vec<String> = deny.iter().map(|d| (*d).to_owned()).collect();
    let violations = diff::violations(&changes, &deny, &categories, &expander);
    (changes, violations)
}

/// A bare policy made into a CloudFormation template with a public bucket
/// policy, denied new IAM actions and resource exposure.
fn template() -> (Vec<PolicyChange>, Vec<Violation>) {
    compare(
        "iac/policy.json",
        "iac/template.yaml",
        &["resource-exposure", "iam:*"],
    )
}

/// A trust policy against the template whose role trusts more principals.
fn trust() -> (Vec<PolicyChange>, Vec<Violation>) {
    compare("iac/trust.json", "iac/template.json", &[])
}

fn render(
    (changes, violations): &(Vec<PolicyChange>, Vec<Violation>),
    render: impl Fn(&DiffReport<'_>) -> String,
) -> String {
    render(&DiffReport {
        changes,
        violations,
        catalog: Catalog::embedded(),
    })
}

fn schema() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/diff.v1.schema.json")
}

#[test]
fn table() {
    insta::assert_snapshot!("table_template", render(&template(), diff_table));
    insta::assert_snapshot!("table_trust", render(&trust(), diff_table));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("markdown_template", render(&template(), diff_markdown));
    insta::assert_snapshot!("markdown_trust", render(&trust(), diff_markdown));
}

#[test]
fn json() {
    let text = render(&template(), diff_json);
    support::valid_against(&schema(), &text);
    insta::assert_snapshot!("json_template", text);
    support::valid_against(&schema(), &render(&trust(), diff_json));
}

#[test]
fn no_change_is_said_in_every_format() {
    let none = (Vec::new(), Vec::new());
    assert_eq!(render(&none, diff_table), "no change in access\n");
    assert_eq!(
        render(&none, diff_markdown),
        "### whittle: IAM access changes\n\nNo change in access.\n"
    );
    let text = render(&none, diff_json);
    support::valid_against(&schema(), &text);
    assert_eq!(
        text,
        "{\n  \"schema\": \"whittle.diff/v1\",\n  \"changes\": [],\n  \"violations\": []\n}\n"
    );
}

#[test]
fn sarif() {
    let (changes, violations) = template();
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let (rules, findings) = diff::findings(&changes, &violations, &rules, Catalog::embedded());
    assert!(findings.iter().any(|f| f.rule.name == "denied-new-access"));
    let text = support::with_run(&findings, &rules, &[], |run| {
        findings_sarif(run, Path::new(BASE))
    });
    support::valid_sarif(&text);
    insta::assert_snapshot!("sarif_template", text);
}
