//! `whittle diff` of two versions of one file: the access each document
//! allows, the changes between them, `--deny-new` violations and the findings.
//!
//! The input is the old text, a NUL byte, and the new text.
#![no_main]

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use whittle_analysis::RuleSet;
use whittle_analysis::diff;
use whittle_policy::{ActionSet, Catalog, Expander};
use whittle_syntax::SourceFile;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the embedded rules are valid"));

static EXPANDER: LazyLock<Expander<'static>> = LazyLock::new(|| Expander::new(Catalog::embedded()));

static CATEGORIES: LazyLock<BTreeMap<String, ActionSet>> =
    LazyLock::new(|| diff::categories(&RULES, &EXPANDER));

fuzz_target!(|data: &[u8]| {
    let Some((old, new)) = whittle_fuzz::split_two(data) else {
        return;
    };
    if whittle_fuzz::known_issue(old) || whittle_fuzz::known_issue(new) {
        return;
    }
    let access = |side: &str, text: &str| {
        let file = SourceFile::new(format!("{side}/policy.json").as_str(), text);
        diff::file_access("policy.json", &file, &EXPANDER).unwrap_or_default()
    };
    let (old, new) = (access("old", old), access("new", new));
    let new_files = BTreeSet::from(["policy.json".to_owned()]);
    let _ = diff::unreadable_new(&old, &new, &new_files);
    let changes = diff::compare(&old, &new, &CATEGORIES, Catalog::embedded());
    let deny = [
        "privilege-escalation".to_owned(),
        "iam:Pass*".to_owned(),
        "s3:*Object".to_owned(),
    ];
    let violations = diff::violations(&changes, &deny, &CATEGORIES, &EXPANDER);
    let _ = diff::findings(&changes, &violations, &RULES, Catalog::embedded());
});
