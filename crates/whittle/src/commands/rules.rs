//! `whittle rules` and `whittle explain`, and loading the rules every command
//! applies: the embedded ones, user rule directories, and whittle.toml.

use anyhow::{Context, bail};
use whittle_analysis::RuleSet;
use whittle_analysis::config::Config;

use crate::{RuleArgs, exit, output};

/// The configuration in effect and the rules it selects: embedded rules, then
/// whittle.toml's `rules-dirs`, then `--rules`; then `disable` and `[severity]`.
pub fn load(args: &RuleArgs) -> anyhow::Result<(Config, RuleSet)> {
    let (config, mut rules) = available(args)?;
    config.configure(&mut rules)?;
    Ok((config, rules))
}

/// Every rule that can be enabled, before whittle.toml disables or re-rates any.
pub fn available(args: &RuleArgs) -> anyhow::Result<(Config, RuleSet)> {
    let config = if args.no_config {
        Config::default()
    } else {
        let path = match &args.config {
            Some(path) => Some(path.clone()),
            None => std::env::current_dir()
                .ok()
                .and_then(|dir| Config::discover(&dir)),
        };
        match path {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        }
    };
    let mut rules = RuleSet::embedded().context("the embedded rules are invalid")?;
    for dir in config.rule_dirs().iter().chain(&args.rules_dirs) {
        rules.add_dir(dir)?;
    }
    Ok((config, rules))
}

/// Lists the rules in effect: id, name, the command that reports it, severity,
/// summary and tags.
pub fn list(args: &RuleArgs) -> anyhow::Result<u8> {
    let (_, rules) = load(args)?;
    output::write(None, &whittle_reporter::rule_list(&rules))?;
    Ok(exit::OK)
}

/// Prints one rule's full documentation, disabled or not.
pub fn explain(name: &str, args: &RuleArgs) -> anyhow::Result<u8> {
    let (_, rules) = available(args)?;
    let Some(rule) = rules.get(name) else {
        bail!("no rule is called \"{name}\"; `whittle rules` lists them");
    };
    output::write(None, &whittle_reporter::rule_explanation(rule))?;
    Ok(exit::OK)
}
