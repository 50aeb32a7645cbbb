//! `whittle rules` and `whittle explain`.

use anyhow::{Context, bail};
use whittle_analysis::RuleSet;

use crate::exit;

/// Lists every rule: id, name, default severity, tags and summary.
pub fn list() -> anyhow::Result<u8> {
    let rules = RuleSet::embedded().context("the embedded rules are invalid")?;
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut sorted: Vec<_> = rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for rule in sorted {
        println!(
            "{:<6} {:<width$}  {:<7}  {}  [{}]",
            rule.id,
            rule.name,
            rule.severity,
            rule.summary,
            rule.tags.join(", ")
        );
    }
    Ok(exit::OK)
}

/// Prints one rule's full documentation.
pub fn explain(name: &str) -> anyhow::Result<u8> {
    let rules = RuleSet::embedded().context("the embedded rules are invalid")?;
    let Some(rule) = rules.get(name) else {
        bail!("no rule is called \"{name}\"; `whittle rules` lists them");
    };
    println!("{} ({}): {}", rule.name, rule.id, rule.summary);
    println!(
        "Default severity: {}. Tags: {}.",
        rule.severity,
        rule.tags.join(", ")
    );
    println!("\nWhat it does\n{}", rule.what.trim_end());
    println!("\nWhy is this bad?\n{}", rule.why.trim_end());
    println!("\nExample\n{}", rule.example.trim_end());
    println!("\nUse instead\n{}", rule.use_instead.trim_end());
    Ok(exit::OK)
}
