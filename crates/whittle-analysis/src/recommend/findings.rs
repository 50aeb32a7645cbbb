//! Recommendations as findings, for SARIF: `unused-service` and
//! `unused-action` per policy (and `unused-role`), located at the policy or
//! principal by ARN inside the snapshot file.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostics::{Finding, Location, Logical, LogicalKind};
use crate::input;
use crate::recommend::{PolicyRef, Recommendation, Recommendations, Scope, Usage};
use crate::rules::{Rule, RuleCommand, RuleSet};
use whittle_syntax::{SourceFile, Span};

/// One finding per policy and rule, plus one per unused role, located in
/// `snapshot` (the file the recommendations come from) at the policy's or
/// role's entry. Returns the recommend rules of `rules`
/// (`rules/unused-*.toml`) with the findings; a rule missing from `rules`
/// (disabled) reports nothing.
pub fn findings(
    all: &Recommendations,
    snapshot: &SourceFile,
    rules: &RuleSet,
) -> (Vec<Arc<Rule>>, Vec<Finding>) {
    let rule = |name: &str| rules.get(name).cloned();
    let (unused_service, unused_action, unused_role) = (
        rule("unused-service"),
        rule("unused-action"),
        rule("unused-role"),
    );
    let places = Places::of(snapshot);
    let mut findings = Vec::new();
    for r in &all.recommendations {
        let logical = match &r.policy {
            PolicyRef::Managed { arn, .. } => Logical {
                kind: LogicalKind::Policy,
                arn: arn.clone(),
                name: None,
            },
            PolicyRef::Inline { owner, name } => Logical {
                kind: LogicalKind::Policy,
                arn: owner.clone(),
                name: Some(name.clone()),
            },
        };
        let (services, actions) = removed(r);
        // A per-principal replacement is about the policy as one holder has it.
        let subject = match &r.scope {
            Scope::Policy => r.policy.label().to_owned(),
            Scope::Principal { arn, .. } => format!("{} (for {arn})", r.policy.label()),
        };
        let holders = format!("held by {}", r.principals.join(", "));
        if let Some(rule) = &unused_service
            && !services.is_empty()
        {
            let message = format!(
                "{subject} grants services unused since {}: {}",
                all.window_start,
                services.join(", ")
            );
            findings.push(
                Finding::builder(rule)
                    .note(holders.clone())
                    .anchor(format!("{subject} {}", services.join(",")))
                    .build(places.at(logical.clone(), subject.clone()), message),
            );
        }
        if let Some(rule) = &unused_action
            && !actions.is_empty()
        {
            let message = format!(
                "{subject} grants tracked actions unused since {}: {}",
                all.window_start,
                actions.join(", ")
            );
            findings.push(
                Finding::builder(rule)
                    .note(holders)
                    .anchor(format!("{subject} {}", actions.join(",")))
                    .build(places.at(logical, subject.clone()), message),
            );
        }
    }
    let roles = unused_role
        .iter()
        .flat_map(|rule| all.unused_roles.iter().map(move |role| (rule, role)));
    for (rule, role) in roles {
        let logical = Logical {
            kind: LogicalKind::Principal,
            arn: role.arn.clone(),
            name: None,
        };
        let message = format!(
            "{}: {}; delete it rather than trim it",
            role.arn, role.reason
        );
        findings.push(
            Finding::builder(rule)
                .anchor(role.arn.clone())
                .build(places.at(logical, format!("role {}", role.arn)), message),
        );
    }
    (rules.sorted_of(RuleCommand::Recommend), findings)
}

/// A recommendation's removals: the unused services (by prefix, sorted) and
/// the unused tracked actions.
fn removed(r: &Recommendation) -> (Vec<&str>, Vec<&str>) {
    let mut services = BTreeSet::new();
    let mut actions = Vec::new();
    for removal in &r.removed {
        match removal.usage {
            Usage::UnusedService(_) => {
                services.insert(removal.action.split(':').next().unwrap_or_default());
            }
            _ => actions.push(removal.action.as_str()),
        }
    }
    (services.into_iter().collect(), actions)
}

/// Where each policy and principal of a snapshot file is.
struct Places<'s> {
    snapshot: &'s SourceFile,
    entries: HashMap<(String, Option<String>), Span>,
}

impl<'s> Places<'s> {
    fn of(snapshot: &'s SourceFile) -> Self {
        let entries = snapshot
            .parse_json()
            .ok()
            .and_then(|root| root.get("authorization_details").map(input::entry_spans))
            .unwrap_or_default();
        Places { snapshot, entries }
    }

    /// The location of `logical`'s entry (an inline policy's, else its
    /// owner's); the file's first character when the snapshot does not list it.
    fn at(&self, logical: Logical, subject: String) -> Location {
        let span = self
            .entries
            .get(&(logical.arn.clone(), logical.name.clone()))
            .or_else(|| self.entries.get(&(logical.arn.clone(), None)))
            .copied()
            .unwrap_or(Span::new(0, self.snapshot.text().len().min(1)));
        Location {
            path: Arc::clone(self.snapshot.path()),
            start: self.snapshot.position(span.start),
            end: self.snapshot.position(span.end),
            subject: Some(subject),
            logical: Some(logical),
            sid: None,
            definition: None,
        }
    }
}
