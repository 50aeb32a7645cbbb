//! Runs every rule against its fixtures in `testdata/rules/<rule-name>/`: each
//! bad fixture must produce at least one finding of that rule, each good one
//! none, and every rule must have at least one fixture of each kind.
//!
//! - lint rules: `bad-*.json` and `good-*.json` are linted as they are;
//! - recommend rules: the fixtures are snapshots, recommended as of
//!   2026-11-20T00:00:00Z with the default options;
//! - diff rules: the fixtures are pairs `<name>.old.json` and `<name>.new.json`,
//!   compared with `--deny-new privilege-escalation`.

use std::path::{Path, PathBuf};

use whittle_analysis::lint::LintOptions;
use whittle_analysis::recommend::{self, RecommendOptions};
use whittle_analysis::{FileOutcome, Finding, Linter, Rule, RuleCommand, RuleSet, diff};
use whittle_model::Snapshot;
use whittle_policy::{Catalog, Expander};
use whittle_syntax::SourceFile;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules")
}

fn source(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
    SourceFile::new(path.display().to_string(), text)
}

fn lint(linter: &Linter<'_>, path: &Path) -> Vec<Finding> {
    match linter.lint_file(&source(path)) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("{}: not linted: {other:?}", path.display()),
    }
}

fn recommend(rules: &RuleSet, path: &Path) -> Vec<Finding> {
    let file = source(path);
    let snapshot = Snapshot::parse(file.path(), file.text())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = RecommendOptions {
        as_of: "2026-11-20T00:00:00Z".parse().unwrap(),
        ..RecommendOptions::default()
    };
    let all = recommend::recommend(&snapshot, Catalog::embedded(), &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    recommend::findings(&all, &file, rules).1
}

/// `path` is the `.old.json` half of a pair.
fn compare(rules: &RuleSet, path: &Path) -> Vec<Finding> {
    let expander = Expander::new(Catalog::embedded());
    let new_path = PathBuf::from(path.display().to_string().replace(".old.json", ".new.json"));
    let side = |path: &Path| diff::file_access("policy.json", &source(path), &expander).unwrap();
    let categories = diff::categories(rules, &expander);
    let changes = diff::compare(
        &side(path),
        &side(&new_path),
        &categories,
        Catalog::embedded(),
    );
    let deny = ["privilege-escalation".to_owned()];
    let violations = diff::violations(&changes, &deny, &categories, &expander);
    diff::findings(&changes, &violations, rules, Catalog::embedded()).1
}

/// The fixtures of `rule`: (bad, good), each file standing for one case.
fn fixtures(rule: &Rule) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let dir = fixtures_dir().join(&rule.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| rule.command != RuleCommand::Diff || name(p).ends_with(".old.json"))
        .collect();
    files.sort();
    files.into_iter().partition(|p| name(p).starts_with("bad"))
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_rule_fires_on_its_bad_fixtures_and_not_on_its_good_ones() {
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    let mut failures = Vec::new();
    for rule in rules.iter() {
        let (bad, good) = fixtures(rule);
        assert!(!bad.is_empty(), "{}: no bad fixture", rule.name);
        assert!(
            good.iter().any(|p| name(p).starts_with("good")),
            "{}: no good fixture",
            rule.name
        );
        let findings = |path: &Path| -> Vec<Finding> {
            let all = match rule.command {
                RuleCommand::Lint => lint(&linter, path),
                RuleCommand::Recommend => recommend(&rules, path),
                RuleCommand::Diff => compare(&rules, path),
            };
            all.into_iter()
                .filter(|f| f.rule.name == rule.name)
                .collect()
        };
        for path in bad {
            if findings(&path).is_empty() {
                failures.push(format!(
                    "{}: expected a {} finding",
                    path.display(),
                    rule.name
                ));
            }
        }
        for path in good {
            for finding in findings(&path) {
                failures.push(format!(
                    "{}:{}: unexpected {}: {}",
                    path.display(),
                    finding.location.start,
                    rule.name,
                    finding.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
