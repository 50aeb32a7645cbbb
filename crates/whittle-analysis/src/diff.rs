//! Access diffs between two versions of a set of policies (like IAM Access
//! Analyzer's CheckNoNewAccess): per policy, the actions added and removed at
//! the level of expanded actions, and those widened from named resources to
//! every resource, with the risk categories of the new access, and checks that
//! no change grants forbidden access (like CheckAccessNotGranted).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::expand::{ActionSet, Expander};
use crate::input::DocumentKind;
use crate::lint::{FileOutcome, read_contents};
use crate::permissions::{PolicyScope, policy_permissions};
use crate::policy::Policy;
use crate::rules::{Rule, RuleCommand, RuleSet, Severity};
use crate::source::{Position, SourceFile};

/// What one policy document allows.
#[derive(Debug, Clone)]
pub struct PolicyAccess {
    /// The file, relative to the root compared.
    pub path: String,
    /// The document inside the file, for files holding several.
    pub subject: Option<String>,
    /// Actions allowed and not explicitly denied.
    pub allowed: ActionSet,
    /// Of those, the actions allowed on every resource.
    pub anywhere: ActionSet,
    /// The file as the user named it (for locations in reports).
    pub display: String,
    /// Where the document starts in the file.
    pub start: Position,
}

impl PolicyAccess {
    /// The key that pairs the old and new versions of a document.
    pub fn key(&self) -> String {
        match &self.subject {
            Some(subject) => format!("{} {subject}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The documents of one file (trust policies aside) and what each allows;
/// `Err` when the file cannot be read (a message with the position), `Ok(empty)` when it holds no policy.
pub fn file_access(
    path: &str,
    file: &SourceFile,
    expander: &Expander<'_>,
) -> Result<Vec<PolicyAccess>, String> {
    let contents = match read_contents(file) {
        Ok(contents) => contents,
        Err(FileOutcome::Unrecognised) => return Ok(Vec::new()),
        Err(FileOutcome::Failed(failure)) => return Err(failure.to_string()),
        Err(FileOutcome::Linted { .. }) => return Ok(Vec::new()),
    };
    let now = jiff::Timestamp::now();
    // A trust policy says who may assume a role, not what the role may do:
    // it grants no actions to compare.
    Ok(contents
        .documents
        .iter()
        .filter(|document| document.kind != DocumentKind::Trust)
        .map(|document| {
            let policy = Policy::parse(&document.node);
            let scope = PolicyScope::resolve(&policy, expander, now);
            let permissions = policy_permissions(&scope, expander.catalog().len());
            PolicyAccess {
                path: path.to_owned(),
                subject: document.subject.clone(),
                allowed: permissions.effective(),
                anywhere: permissions.effective_on_any_resource(),
                display: file.path().to_string(),
                start: file.position(document.node.span.start),
            }
        })
        .collect())
}

/// How one policy's access changed.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// The file, relative to the root compared.
    pub path: String,
    /// The file as named (the new version's, or the old one's if it is gone).
    pub display: String,
    /// Where the document starts in it.
    pub start: Position,
    /// The document inside it.
    pub subject: Option<String>,
    /// `added`, `removed` or `changed`.
    pub status: &'static str,
    /// Actions allowed now that were not before.
    pub added: ActionSet,
    /// Actions allowed before that are not now.
    pub removed: ActionSet,
    /// Actions allowed before on named resources only, now on every resource.
    pub widened: ActionSet,
    /// Risk categories (rule tags) of the added and widened actions.
    pub categories: BTreeSet<String>,
}

/// The risk categories and the actions that fall in each: the tags of the
/// action-set rules, each with the union of the rule's action groups (limited
/// to the access levels the rule names).
pub fn categories(rules: &RuleSet, expander: &Expander<'_>) -> BTreeMap<String, ActionSet> {
    let mut out: BTreeMap<String, ActionSet> = BTreeMap::new();
    for rule in rules.iter() {
        let Some(matches) = &rule.matches else {
            continue;
        };
        let compiled = crate::lint::action_rules::ActionRule::compile(matches, expander);
        let mut set = ActionSet::empty(expander.catalog().len());
        for group in compiled.groups() {
            set.union_with(group);
        }
        for tag in &rule.tags {
            out.entry(tag.clone())
                .or_insert_with(|| ActionSet::empty(expander.catalog().len()))
                .union_with(&set);
        }
    }
    out
}

/// Pairs old and new documents by file and subject and reports every change.
pub fn compare(
    old: &[PolicyAccess],
    new: &[PolicyAccess],
    categories: &BTreeMap<String, ActionSet>,
    catalog: &Catalog,
) -> Vec<PolicyChange> {
    let index = |all: &[PolicyAccess]| -> BTreeMap<String, PolicyAccess> {
        all.iter().map(|p| (p.key(), p.clone())).collect()
    };
    let (old, new) = (index(old), index(new));
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let empty = ActionSet::empty(catalog.len());
    let mut changes = Vec::new();
    for key in keys {
        let (before, after) = (old.get(key), new.get(key));
        let status = match (before, after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        };
        let was = before.map_or(&empty, |p| &p.allowed);
        let is = after.map_or(&empty, |p| &p.allowed);
        let mut added = is.clone();
        added.subtract(was);
        let mut removed = was.clone();
        removed.subtract(is);
        let mut widened = after.map_or_else(|| empty.clone(), |p| p.anywhere.clone());
        widened.subtract(before.map_or(&empty, |p| &p.anywhere));
        widened.intersect_with(was);
        if added.is_empty() && removed.is_empty() && widened.is_empty() && status == "changed" {
            continue;
        }
        let mut new_access = added.clone();
        new_access.union_with(&widened);
        let touched = |set: &ActionSet| {
            let mut both = set.clone();
            both.intersect_with(&new_access);
            !both.is_empty()
        };
        let either = after.or(before).expect("one side exists");
        changes.push(PolicyChange {
            path: either.path.clone(),
            display: either.display.clone(),
            start: either.start,
            subject: either.subject.clone(),
            status,
            categories: categories
                .iter()
                .filter(|(_, set)| touched(set))
                .map(|(tag, _)| tag.clone())
                .collect(),
            added,
            removed,
            widened,
        });
    }
    changes
}

/// A forbidden grant found by `--deny-new`.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The change it is found in.
    pub change: usize,
    /// The policy's file and subject.
    pub policy: String,
    /// The category or action pattern that forbids it.
    pub rule: String,
    /// The actions newly granted that it forbids.
    pub actions: Vec<String>,
}

/// Checks every change against `deny` (risk categories or action patterns).
pub fn violations(
    changes: &[PolicyChange],
    deny: &[String],
    categories: &BTreeMap<String, ActionSet>,
    expander: &Expander<'_>,
) -> Vec<Violation> {
    let catalog = expander.catalog();
    let forbidden: Vec<(String, Arc<ActionSet>)> = deny
        .iter()
        .map(|d| {
            let set = categories
                .get(d)
                .map(|s| Arc::new(s.clone()))
                .unwrap_or_else(|| expander.expand(d));
            (d.clone(), set)
        })
        .collect();
    let mut out = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        for (rule, set) in &forbidden {
            let mut hit = change.added.clone();
            hit.union_with(&change.widened);
            hit.intersect_with(set);
            if hit.is_empty() {
                continue;
            }
            out.push(Violation {
                change: index,
                policy: match &change.subject {
                    Some(s) => format!("{} {s}", change.path),
                    None => change.path.clone(),
                },
                rule: rule.clone(),
                actions: hit
                    .iter()
                    .map(|id| catalog.action(id).qualified_name.clone())
                    .collect(),
            });
        }
    }
    out
}

/// The changes that add access, and the violations, as findings located at
/// each document. Returns the diff rules of `rules` (`new-access`,
/// `denied-new-access`) with the findings; a rule missing from `rules`
/// reports nothing. New access in a risk category is raised to a warning.
pub fn findings(
    changes: &[PolicyChange],
    violations: &[Violation],
    rules: &RuleSet,
    catalog: &Catalog,
) -> (Vec<Arc<Rule>>, Vec<crate::lint::Finding>) {
    use crate::lint::{Finding, Location};
    let (new_access_rule, denied_rule) = (rules.get("new-access"), rules.get("denied-new-access"));
    let at = |change: &PolicyChange| Location {
        path: Arc::from(change.display.as_str()),
        start: change.start,
        end: Position {
            line: change.start.line,
            column: change.start.column + 1,
        },
        subject: change.subject.clone(),
        logical: None,
        sid: None,
    };
    let mut out = Vec::new();
    let changed = changes
        .iter()
        .filter(|c| !c.added.is_empty() || !c.widened.is_empty());
    for (rule, change) in new_access_rule
        .iter()
        .flat_map(|rule| changed.clone().map(move |change| (rule, change)))
    {
        let mut new_access = change.added.clone();
        new_access.union_with(&change.widened);
        let names: Vec<&str> = new_access
            .iter()
            .take(12)
            .map(|id| catalog.action(id).qualified_name.as_str())
            .collect();
        let more = new_access.count().saturating_sub(names.len());
        let risk = if change.categories.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                change
                    .categories
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.push(Finding {
            rule: Arc::clone(rule),
            severity: if change.categories.is_empty() {
                rule.severity
            } else {
                rule.severity.max(Severity::Warning)
            },
            message: format!(
                "newly grants {}{}{risk}",
                names.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
            location: at(change),
            notes: Vec::new(),
            anchor: format!(
                "{} {}",
                change.path,
                change.subject.as_deref().unwrap_or("")
            ),
        });
    }
    for (rule, violation) in denied_rule
        .iter()
        .flat_map(|rule| violations.iter().map(move |violation| (rule, violation)))
    {
        let change = &changes[violation.change];
        out.push(Finding {
            rule: Arc::clone(rule),
            severity: rule.severity,
            message: format!(
                "newly grants {} (denied by --deny-new {})",
                violation.actions.join(", "),
                violation.rule
            ),
            location: at(change),
            notes: Vec::new(),
            anchor: format!("{} {}", violation.policy, violation.rule),
        });
    }
    (rules.sorted_of(RuleCommand::Diff), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(path: &str, policy: &str) -> Vec<PolicyAccess> {
        let expander = Expander::new(Catalog::embedded());
        file_access(path, &SourceFile::new(path, policy), &expander).unwrap()
    }

    fn names(set: &ActionSet) -> Vec<String> {
        set.iter()
            .map(|id| Catalog::embedded().action(id).qualified_name.clone())
            .collect()
    }

    #[test]
    fn narrowing_is_a_removal_and_widening_an_addition_with_its_categories() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let rules = RuleSet::embedded().unwrap();
        let categories = categories(&rules, &expander);
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert!(!changes[0].removed.is_empty());

        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:PassRole"], "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert_eq!(names(&changes[0].added), ["iam:PassRole"]);
        assert!(changes[0].categories.contains("privilege-escalation"));
        // iam:PassRole changes no resource policy: categories follow the rules'
        // access levels.
        assert!(!changes[0].categories.contains("resource-exposure"));
        let hits = violations(
            &changes,
            &["privilege-escalation".to_owned()],
            &categories,
            &expander,
        );
        assert_eq!(hits[0].actions, ["iam:PassRole"]);
        let hits = violations(&changes, &["iam:Pass*".to_owned()], &categories, &expander);
        assert_eq!(hits.len(), 1);
        assert!(violations(&changes, &["ec2:*".to_owned()], &categories, &expander).is_empty());
    }

    #[test]
    fn widening_a_resource_to_every_resource_is_new_access() {
        let catalog = Catalog::embedded();
        let expander = Expander::new(catalog);
        let categories = categories(&RuleSet::embedded().unwrap(), &expander);
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"}]}"#,
        );
        let new = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &new, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert_eq!(names(&changes[0].widened), ["iam:PassRole"]);
        let hits = violations(
            &changes,
            &["privilege-escalation".to_owned()],
            &categories,
            &expander,
        );
        assert_eq!(hits[0].actions, ["iam:PassRole"]);
        // And back: narrowing the resource is no new access.
        assert!(
            compare(&new, &old, &categories, catalog)
                .iter()
                .all(|c| c.added.is_empty() && c.widened.is_empty())
        );
    }

    #[test]
    fn a_new_deny_or_not_action_changes_access_as_iam_would() {
        let catalog = Catalog::embedded();
        let categories = BTreeMap::new();
        let old = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}"#,
        );
        let denied = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &denied, &categories, catalog);
        assert!(changes[0].added.is_empty());
        assert!(
            names(&changes[0].removed)
                .iter()
                .all(|n| n.starts_with("iam:Delete"))
        );
        let not_action = access(
            "p.json",
            r#"{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}"#,
        );
        let changes = compare(&old, &not_action, &categories, catalog);
        assert!(changes[0].added.count() > 10_000);
        assert_eq!(changes[0].removed.count(), old[0].allowed.count());
    }
}
