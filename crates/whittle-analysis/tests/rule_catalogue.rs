//! The rule catalogue of `rules/`: every rule file is named after its rule.

use std::path::{Path, PathBuf};

use whittle_analysis::RuleSet;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_rule_file_is_named_after_its_rule() {
    let dir = workspace().join("rules");
    let mut misnamed = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("the workspace has a rules/ directory") {
        let path = entry.expect("rules/ is readable").path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let file = path
            .file_name()
            .expect("entries have names")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("rule files are readable");
        let mut rules = RuleSet::default();
        rules
            .add_toml(&file, &text)
            .unwrap_or_else(|e| panic!("{e}"));
        let rule = rules.iter().next().expect("add_toml added the rule");
        if file != format!("{}.toml", rule.name) {
            misnamed.push(format!(
                "rules/{file} holds rule \"{}\": rename it to rules/{}.toml",
                rule.name, rule.name
            ));
        }
    }
    assert!(misnamed.is_empty(), "\n{}", misnamed.join("\n"));
}
