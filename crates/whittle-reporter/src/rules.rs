//! `whittle rules` and `whittle explain`: the rules in effect, one line each,
//! and one rule's documentation in full.

use whittle_analysis::{Rule, RuleSet};

/// One line per rule, ordered by id: id, name, the command that reports it,
/// default severity, summary and tags, in aligned columns.
pub fn rule_list(rules: &RuleSet) -> String {
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut sorted: Vec<&Rule> = rules.iter().map(AsRef::as_ref).collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut text = String::new();
    for rule in sorted {
        text.push_str(&format!(
            "{:<6} {:<width$}  {:<9}  {:<7}  {}  [{}]\n",
            rule.id,
            rule.name,
            rule.command.as_str(),
            rule.severity,
            rule.summary,
            rule.tags.join(", ")
        ));
    }
    text
}

/// A rule's documentation in ruff's shape: its name, id and summary, who
/// reports it, its severity and tags, then What it does / Why is this bad? /
/// Example / Use instead.
pub fn rule_explanation(rule: &Rule) -> String {
    format!(
        "{} ({}): {}\nReported by `whittle {}`. Default severity: {}. Tags: {}.\n\n\
         What it does\n{}\n\nWhy is this bad?\n{}\n\nExample\n{}\n\nUse instead\n{}\n",
        rule.name,
        rule.id,
        rule.summary,
        rule.command.as_str(),
        rule.severity,
        rule.tags.join(", "),
        rule.what.trim_end(),
        rule.why.trim_end(),
        rule.example.trim_end(),
        rule.use_instead.trim_end()
    )
}
