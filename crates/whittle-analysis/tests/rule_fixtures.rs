//! Runs every rule against its fixtures in `testdata/rules/<rule-name>/`: each
//! `bad-*.json` must produce at least one finding of that rule, each `good-*.json`
//! none. Every rule must have at least one fixture of each kind.

use std::path::{Path, PathBuf};

use whittle_analysis::lint::LintOptions;
use whittle_analysis::{Catalog, FileOutcome, Finding, Linter, RuleSet, SourceFile};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rules")
}

fn lint(linter: &Linter<'_>, path: &Path) -> Vec<Finding> {
    let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
    let file = SourceFile::new(path.display().to_string(), text);
    match linter.lint_file(&file) {
        FileOutcome::Linted { findings, .. } => findings,
        other => panic!("{}: not linted: {other:?}", path.display()),
    }
}

#[test]
fn every_rule_fires_on_its_bad_fixtures_and_not_on_its_good_ones() {
    let rules = RuleSet::embedded().unwrap();
    let linter = Linter::new(Catalog::embedded(), &rules, LintOptions::default()).unwrap();
    let mut failures = Vec::new();
    for rule in rules.iter() {
        let dir = fixtures_dir().join(&rule.name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        let (bad, good): (Vec<_>, Vec<_>) = files.iter().partition(|p| name(p).starts_with("bad"));
        assert!(!bad.is_empty(), "{}: no bad-*.json fixture", rule.name);
        assert!(
            good.iter().any(|p| name(p).starts_with("good")),
            "{}: no good-*.json fixture",
            rule.name
        );
        for path in bad {
            if !lint(&linter, path).iter().any(|f| f.rule.name == rule.name) {
                failures.push(format!(
                    "{}: expected a {} finding",
                    path.display(),
                    rule.name
                ));
            }
        }
        for path in good {
            for finding in lint(&linter, path)
                .iter()
                .filter(|f| f.rule.name == rule.name)
            {
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
