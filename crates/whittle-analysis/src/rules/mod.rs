//! Rule metadata: what each lint rule is called, how severe it is and how it is
//! documented. Rules are data (`rules/*.toml` at the workspace root, embedded at
//! build time); the checks that implement them live in [`crate::lint::checks`].

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// How serious a finding is; ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not a problem on its own.
    Note,
    /// Likely too broad or fragile; review it.
    Warning,
    /// Invalid, or dangerous enough to block a merge.
    Error,
}

impl Severity {
    /// The lowercase name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity \"{other}\": expected error, warning or note"
            )),
        }
    }
}

/// One lint rule's metadata, as written in its `rules/<name>.toml` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable short id, e.g. `WH101`.
    pub id: String,
    /// Stable kebab-case name, e.g. `full-admin-access`.
    pub name: String,
    /// Default severity.
    pub severity: Severity,
    /// Category tags, e.g. `validity`, `over-permission`.
    pub tags: Vec<String>,
    /// One-line description.
    pub summary: String,
    /// What the rule checks.
    pub what: String,
    /// Why a finding matters.
    pub why: String,
    /// A policy that triggers the rule.
    pub example: String,
    /// The same policy written so that it does not.
    pub use_instead: String,
    /// The command whose findings the rule names: `lint` (the default),
    /// `recommend` or `diff`.
    #[serde(default, skip_serializing_if = "RuleCommand::is_lint")]
    pub command: RuleCommand,
    /// For action-set rules: the actions whose grant the rule reports. Rules
    /// without it are implemented by a check in code.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matches: Option<ActionMatch>,
    /// The risk score of a finding on GitHub's 0.0–10.0 scale, when it should
    /// differ from the one derived from severity and tags
    /// ([`Rule::security_severity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_severity: Option<f32>,
    /// True when IAM refuses to store a document with this problem: a document
    /// read from IAM (CLI output, an account export) passed that validation, so
    /// the rule is not run on it — a finding there would be whittle's mistake,
    /// and nothing the user could fix.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rejected_by_iam: bool,
    /// True when the rule judges the text its author chose (action names,
    /// whether they fit the statement's resources): it is not run on a
    /// document AWS wrote, such as a SAM policy template, whose text the user
    /// cannot change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub about_authored_text: bool,
}

impl Rule {
    /// The risk score code scanning ranks alerts by (critical from 9.0, high
    /// from 7.0, medium from 4.0, low below): the rule file's
    /// `security_severity`, else 9.0 for an error that escalates privileges or
    /// exposes a resource, 8.0 for other errors, 5.0 for warnings and 2.0 for
    /// notes. `None` for rules about validity, usage and access changes, which
    /// are not security alerts.
    pub fn security_severity(&self) -> Option<f32> {
        let tagged = |tag: &str| self.tags.iter().any(|t| t == tag);
        if tagged("validity") || tagged("usage") || tagged("access-change") {
            return None;
        }
        if self.security_severity.is_some() {
            return self.security_severity;
        }
        Some(match self.severity {
            Severity::Error if tagged("privilege-escalation") || tagged("resource-exposure") => 9.0,
            Severity::Error => 8.0,
            Severity::Warning => 5.0,
            Severity::Note => 2.0,
        })
    }
}

/// The command that reports a rule's findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleCommand {
    /// `whittle lint`: a check in code or an action set.
    #[default]
    Lint,
    /// `whittle recommend`: findings about unused access, from a snapshot.
    Recommend,
    /// `whittle diff`: findings about access a change adds.
    Diff,
}

impl RuleCommand {
    /// The command's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleCommand::Lint => "lint",
            RuleCommand::Recommend => "recommend",
            RuleCommand::Diff => "diff",
        }
    }

    /// Whether this is `lint`, the default.
    pub fn is_lint(&self) -> bool {
        *self == RuleCommand::Lint
    }
}

/// The action patterns an action-set rule looks for.
///
/// The rule fires when the policy (or principal) is granted at least one action
/// of every group. Patterns are IAM action patterns (`*`, `?`, case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionMatch {
    /// A single group: at least one of these actions. Shorthand for `all_of = [actions]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Several groups, every one of which must be granted (e.g. `iam:PassRole`
    /// together with `ec2:RunInstances`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<Vec<String>>,
    /// Count only grants on every resource (`"Resource": "*"`).
    #[serde(default)]
    pub any_resource: bool,
    /// Count only actions of these access levels (e.g. `"Permissions management"`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_levels: Vec<whittle_policy::catalog::AccessLevel>,
    /// Report one severity level lower when some group is granted only on named
    /// resources, not on `*` (the risk then reaches only those resources). Off by
    /// default: a rule's severity is what its author wrote.
    #[serde(default)]
    pub lower_on_named_resources: bool,
    /// Ignore grants only on the calling user's own IAM resources
    /// (`…:user/${aws:username}`): for actions that gain nothing when a user
    /// performs them on itself, such as creating its own access keys.
    #[serde(default)]
    pub ignore_self_service: bool,
    /// The service principals the rule's `iam:PassRole` hands roles to
    /// (`ec2.amazonaws.com`): a PassRole grant whose `iam:PassedToService`
    /// condition admits none of them does not count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passed_to: Vec<String>,
}

impl ActionMatch {
    /// The groups of patterns, with `actions` as the first group.
    pub fn groups(&self) -> Vec<&[String]> {
        let mut groups: Vec<&[String]> = Vec::new();
        if !self.actions.is_empty() {
            groups.push(&self.actions);
        }
        groups.extend(self.all_of.iter().map(Vec::as_slice));
        groups
    }
}

/// Errors in rule files.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// A rule file is not valid TOML or misses a field.
    #[error("{file}: {source}")]
    Parse {
        /// The rule file.
        file: String,
        /// What is wrong.
        source: toml::de::Error,
    },
    /// A rule file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The rule file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A rule's name or id is malformed or already taken.
    #[error("{file}: {message}")]
    Invalid {
        /// The rule file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// The rules known to a run.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
}

impl RuleSet {
    /// The rules embedded from the workspace's `rules/` directory.
    pub fn embedded() -> Result<Self, RuleError> {
        let mut set = RuleSet::default();
        for (file, text) in EMBEDDED_RULES {
            set.add_toml(file, text)?;
        }
        Ok(set)
    }

    /// Adds every `*.toml` rule file of `dir`.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), RuleError> {
        let io = |source| RuleError::Io {
            file: dir.display().to_string(),
            source,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let file = path.display().to_string();
            let text = whittle_model::limits::SETTINGS
                .read_to_string(&path)
                .map_err(|source| RuleError::Io {
                    file: file.clone(),
                    source,
                })?;
            self.add_toml(&file, &text)?;
        }
        Ok(())
    }

    /// Parses one rule file and adds it.
    pub fn add_toml(&mut self, file: &str, text: &str) -> Result<(), RuleError> {
        let rule: Rule = toml::from_str(text).map_err(|source| RuleError::Parse {
            file: file.to_owned(),
            source,
        })?;
        let invalid = |message: String| RuleError::Invalid {
            file: file.to_owned(),
            message,
        };
        let kebab = !rule.name.is_empty()
            && rule
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !kebab {
            return Err(invalid(format!(
                "rule name \"{}\" is not kebab-case",
                rule.name
            )));
        }
        if rule.matches.is_some() && !rule.command.is_lint() {
            return Err(invalid(format!(
                "rule \"{}\": only lint rules take a [match] section",
                rule.name
            )));
        }
        if let Some(matches) = &rule.matches
            && (matches.groups().is_empty() || matches.groups().iter().any(|g| g.is_empty()))
        {
            return Err(invalid(format!(
                "rule \"{}\": [match] needs `actions` or `all_of`, with no empty group",
                rule.name
            )));
        }
        if let Some(other) = self
            .rules
            .iter()
            .find(|r| r.name == rule.name || r.id == rule.id)
        {
            return Err(invalid(format!(
                "rule {} \"{}\" clashes with rule {} \"{}\"",
                rule.id, rule.name, other.id, other.name
            )));
        }
        self.rules.push(Arc::new(rule));
        Ok(())
    }

    /// Keeps only the rules for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(|rule| keep(rule));
    }

    /// Changes the default severity of the rule called `name`.
    pub fn set_severity(&mut self, name: &str, severity: Severity) {
        for rule in self.rules.iter_mut().filter(|r| r.name == name) {
            Arc::make_mut(rule).severity = severity;
        }
    }

    /// All rules, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter()
    }

    /// The rules whose findings `command` reports.
    pub fn of(&self, command: RuleCommand) -> impl Iterator<Item = &Arc<Rule>> {
        self.rules.iter().filter(move |r| r.command == command)
    }

    /// The rules whose findings `command` reports, ordered by id.
    pub fn sorted_of(&self, command: RuleCommand) -> Vec<Arc<Rule>> {
        let mut rules: Vec<Arc<Rule>> = self.of(command).cloned().collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules
    }

    /// The rule called `name_or_id` (a kebab-case name or an id, any case).
    pub fn get(&self, name_or_id: &str) -> Option<&Arc<Rule>> {
        self.rules.iter().find(|r| {
            r.name.eq_ignore_ascii_case(name_or_id) || r.id.eq_ignore_ascii_case(name_or_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_parse_and_are_unique() {
        let rules = RuleSet::embedded().unwrap();
        assert!(rules.iter().count() >= 9);
        let admin = rules.get("full-admin-access").unwrap();
        assert_eq!(admin.severity, Severity::Error);
        assert!(rules.get(&admin.id.to_lowercase()).is_some());
    }

    #[test]
    fn clashing_and_malformed_rules_are_refused() {
        let mut rules = RuleSet::embedded().unwrap();
        let copy = EMBEDDED_RULES[0].1;
        assert!(matches!(
            rules.add_toml("copy.toml", copy),
            Err(RuleError::Invalid { .. })
        ));
        assert!(matches!(
            rules.add_toml("bad.toml", "id = 1"),
            Err(RuleError::Parse { .. })
        ));
    }

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Note);
        assert_eq!("warning".parse::<Severity>(), Ok(Severity::Warning));
        assert!("fatal".parse::<Severity>().is_err());
    }
}
