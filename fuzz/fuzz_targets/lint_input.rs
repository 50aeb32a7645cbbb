//! The whole lint of one file, as `whittle lint` runs it: recognising the
//! input (policy, AWS CLI outputs, account export, CloudFormation in JSON or
//! YAML, Terraform plan and `.tf.json`), every check and action-set rule,
//! principal analysis of account exports, then fingerprints.
//!
//! The first byte picks the file's name; the rest is its text.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use whittle_analysis::diagnostics::fingerprints;
use whittle_analysis::lint::LintOptions;
use whittle_analysis::{FileOutcome, Linter, RuleSet};
use whittle_policy::Catalog;
use whittle_syntax::SourceFile;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the embedded rules are valid"));

static LINTER: LazyLock<Linter<'static>> = LazyLock::new(|| {
    let options = LintOptions {
        now: whittle_fuzz::now(),
    };
    Linter::new(Catalog::embedded(), &RULES, options).expect("every lint rule has a check")
});

const NAMES: [&str; 8] = [
    "policy.json",
    "template.yaml",
    "template.yml",
    "stack.template",
    "main.tf.json",
    "plan.json",
    "account-authorization-details.json",
    "POLICY.JSON",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(text) = whittle_fuzz::text(rest) else {
        return;
    };
    if whittle_fuzz::known_issue(text) {
        return;
    }
    let file = SourceFile::new(NAMES[usize::from(pick) % NAMES.len()], text);
    if let FileOutcome::Linted { findings, .. } = LINTER.lint_file(&file) {
        let prints = fingerprints(&findings, Path::new("/work"));
        assert_eq!(prints.len(), findings.len(), "one fingerprint per finding");
    }
});
