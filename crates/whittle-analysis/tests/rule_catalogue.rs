//! The rule catalogue of `rules/` and what is derived from it: every rule file
//! is named after its rule, and the rule tables of README.md are rendered from
//! the rules. After adding or changing a rule, rewrite the tables with
//! `WHITTLE_UPDATE_README=1 cargo test -p whittle-analysis --test rule_catalogue`.

use std::path::{Path, PathBuf};

use whittle_analysis::{Rule, RuleCommand, RuleSet};

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

/// Where a generated table goes: between `<!-- rules:<name>:begin -->` and
/// `<!-- rules:<name>:end -->`.
struct Region {
    name: &'static str,
    table: String,
}

#[test]
fn readme_rule_tables_are_rendered_from_the_rules() {
    let rules = RuleSet::embedded().expect("the embedded rules are valid");
    let regions = [
        Region {
            name: "lint",
            table: lint_table(&rules),
        },
        Region {
            name: "recommend-diff",
            table: recommend_and_diff_table(&rules),
        },
    ];
    let path = workspace().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let mut rendered = readme.clone();
    for region in &regions {
        rendered = replace_region(&rendered, region);
    }
    rendered = replace_count(&rendered, rules.sorted_of(RuleCommand::Lint).len());
    if rendered == readme {
        return;
    }
    if std::env::var_os("WHITTLE_UPDATE_README").is_some() {
        std::fs::write(&path, rendered).expect("README.md is writable");
        return;
    }
    let diff = similar::TextDiff::from_lines(&readme, &rendered)
        .unified_diff()
        .context_radius(2)
        .header("README.md", "README.md rendered from rules/")
        .to_string();
    panic!(
        "README.md's rule tables differ from rules/; rewrite them with\n  WHITTLE_UPDATE_README=1 cargo test -p whittle-analysis --test rule_catalogue\n\n{diff}"
    );
}

/// `readme` with its introduction's "with N lint rules" counting `count`.
fn replace_count(readme: &str, count: usize) -> String {
    let end = readme
        .find(" lint rules")
        .expect("README.md says how many lint rules there are");
    let start = readme[..end]
        .rfind("with ")
        .expect("README.md says \"with N lint rules\"")
        + "with ".len();
    format!("{}{count}{}", &readme[..start], &readme[end..])
}

/// `readme` with the text between the markers of `region` replaced by its table.
fn replace_region(readme: &str, region: &Region) -> String {
    let begin = format!("<!-- rules:{}:begin -->\n", region.name);
    let end = format!("<!-- rules:{}:end -->", region.name);
    let start = readme
        .find(&begin)
        .unwrap_or_else(|| panic!("README.md has no line {}", begin.trim_end()))
        + begin.len();
    let stop = readme[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("README.md has no line {end} after the begin marker"))
        + start;
    format!("{}{}{}", &readme[..start], region.table, &readme[stop..])
}

/// Every lint rule, by id: id, name, severity, tags, summary.
fn lint_table(rules: &RuleSet) -> String {
    let mut table = String::from(
        "| id | name | severity | tags | what it finds |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in rules.sorted_of(RuleCommand::Lint) {
        table.push_str(&row(&[
            &rule.id,
            &format!("`{}`", rule.name),
            rule.severity.as_str(),
            &rule.tags.join(", "),
            &rule.summary,
        ]));
    }
    table
}

/// Every recommend and diff rule, by id: id, name, command, severity, summary.
fn recommend_and_diff_table(rules: &RuleSet) -> String {
    let mut table = String::from(
        "| id | name | reported by | severity | what it finds |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut others: Vec<_> = [RuleCommand::Recommend, RuleCommand::Diff]
        .into_iter()
        .flat_map(|command| rules.sorted_of(command))
        .collect();
    others.sort_by(|a, b| a.id.cmp(&b.id));
    for rule in others {
        table.push_str(&command_row(&rule));
    }
    table
}

fn command_row(rule: &Rule) -> String {
    row(&[
        &rule.id,
        &format!("`{}`", rule.name),
        rule.command.as_str(),
        rule.severity.as_str(),
        &rule.summary,
    ])
}

/// One table row; a `|` inside a cell is escaped.
fn row(cells: &[&str]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", cells.join(" | "))
}
