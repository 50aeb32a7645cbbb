//! End-to-end tests of `whittle recommend --source`: on a Terraform project
//! and a CloudFormation template that define the demo account's policies
//! (`testdata/recommend/source/`), the patch applies with `git apply`, and the
//! patched source, read again, grants exactly what the recommendations
//! suggest.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Map, Value};
use whittle_analysis::input;
use whittle_analysis::recommend::{self, RecommendOptions, Recommendations, Strategy};
use whittle_policy::ActionSet;
use whittle_policy::catalog::Catalog;
use whittle_policy::expand::Expander;
use whittle_syntax::{Node, SourceFile};

use crate::support::{git, testdata};

const AS_OF: &str = "2026-11-20T00:00:00Z";

/// A git repository holding a copy of fixture `name`, committed.
fn repository(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = testdata("recommend/source").join(name);
    std::fs::create_dir(dir.path().join(name)).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(name).join(entry.file_name())).unwrap();
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "the demo account"]);
    dir
}

/// Runs `whittle recommend --source NAME` in `dir`: (exit code, patch, notes).
fn recommend_source(dir: &Path, name: &str, extra: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("whittle")
        .unwrap()
        .current_dir(dir)
        .args(["recommend", "--snapshot"])
        .arg(testdata("recommend/account.json"))
        .args(["--as-of", AS_OF, "--strategy", "in-place", "--source", name])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn recommendations(catalog: &Catalog) -> Recommendations {
    let path = testdata("recommend/account.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let snapshot = whittle_model::Snapshot::parse("account.json", &text).unwrap();
    let options = RecommendOptions {
        as_of: AS_OF.parse().unwrap(),
        strategy: Strategy::InPlace,
        ..RecommendOptions::default()
    };
    recommend::recommend(&snapshot, catalog, &options).unwrap()
}

fn json(node: &Node) -> Value {
    use whittle_syntax::Value as V;
    match &node.value {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Number(n) => Value::String(n.clone()),
        V::String(s) => Value::String(s.clone()),
        V::Array(items) => Value::Array(items.iter().map(json).collect()),
        V::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| (m.key.clone(), json(&m.value)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// What a document's Allow statements grant.
fn granted(document: &Value, expander: &Expander<'_>) -> ActionSet {
    let mut all = ActionSet::empty(expander.catalog().len());
    for grant in recommend::grants(document, expander, "") {
        all.union_with(&grant.actions);
    }
    all
}

/// Every identity policy the files under `dir` define, as what it grants.
fn grants_in(dir: &Path, expander: &Expander<'_>) -> Vec<(String, ActionSet)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::new(path.display().to_string(), text);
        let root = file.parse().expect("the patched file parses");
        let contents = input::read(&root).expect("the patched file is still a template");
        assert!(contents.errors.is_empty(), "{:?}", contents.errors);
        for document in contents.documents {
            if document.kind == input::DocumentKind::Trust {
                continue;
            }
            let subject = document.subject.clone().unwrap_or_default();
            out.push((subject, granted(&json(&document.node), expander)));
        }
    }
    out
}

fn patches_apply_and_grant_exactly_the_suggestions(name: &str) {
    let repo = repository(name);
    let (code, patch, notes) = recommend_source(repo.path(), name, &[]);
    assert_eq!(code, 0, "{notes}");
    assert!(
        notes.contains("source: 5 of 6 recommendations patched"),
        "{notes}"
    );
    assert!(
        notes.contains("AmazonSQSReadOnlyAccess: an AWS managed policy: not defined in the source"),
        "{notes}"
    );
    std::fs::write(repo.path().join("trim.patch"), &patch).unwrap();
    git(repo.path(), &["apply", "--check", "trim.patch"]);
    git(repo.path(), &["apply", "trim.patch"]);

    let catalog = Catalog::embedded();
    let expander = Expander::new(catalog);
    let all = recommendations(catalog);
    let after = grants_in(&repo.path().join(name), &expander);
    for recommendation in &all.recommendations {
        let Some(suggested) = &recommendation.suggested else {
            continue;
        };
        let wanted = granted(suggested, &expander);
        let before = granted(&recommendation.original, &expander);
        assert!(
            after.iter().any(|(_, grants)| *grants == wanted),
            "{}: no policy of the patched source grants exactly the suggestion",
            recommendation.policy.label()
        );
        assert!(
            !after.iter().any(|(_, grants)| *grants == before),
            "{}: the patched source still grants what the original did",
            recommendation.policy.label()
        );
    }
    // Run again on the patched source, nothing is left to patch where the
    // suggestion already holds: the definitions now differ from the snapshot.
    let (code, again, notes) = recommend_source(repo.path(), name, &[]);
    assert_eq!(code, 0, "{notes}");
    assert_eq!(again, "", "{notes}");
    assert!(notes.contains("is not the one in the snapshot"), "{notes}");
}

#[test]
fn a_terraform_project_is_patched_where_it_defines_each_policy() {
    patches_apply_and_grant_exactly_the_suggestions("terraform");
}

#[test]
fn a_cloudformation_template_is_patched_where_it_defines_each_policy() {
    patches_apply_and_grant_exactly_the_suggestions("cloudformation");
}

#[test]
fn the_patch_keeps_formatting_and_comments_and_reports_its_evidence() {
    let repo = repository("terraform");
    let (_, patch, notes) = recommend_source(repo.path(), "terraform", &[]);
    // A comment on a kept line stays; a removed item's goes with it.
    assert!(
        patch.contains("-        \"logs:*\", # every log group\n"),
        "{patch}"
    );
    // NotAction becomes Action, aligned as `terraform fmt` aligns.
    assert!(
        patch.contains("+    actions     = [\"lambda:*\", \"logs:*\", \"s3:*\"]\n"),
        "{patch}"
    );
    assert!(patch.contains("--- a/terraform/documents.tf\n+++ b/terraform/documents.tf\n"));
    // The match names the owner's resource across files.
    assert!(
        notes.contains(
            "matched by aws_iam_group_policy.dev_tools: policy name \"dev-tools\", group aws_iam_group.devs (name \"devs\")"
        ),
        "{notes}"
    );
    let (code, _, notes) = recommend_source(repo.path(), "terraform", &["--format", "json"]);
    assert_eq!(code, 2, "{notes}");
    assert!(notes.contains("--source writes a patch"), "{notes}");
}
