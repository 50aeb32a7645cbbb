//! Recommendations as findings, for SARIF: `unused-service` and
//! `unused-action` per policy (and `unused-role`), located at the policy or
//! principal by ARN inside the snapshot file.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diagnostics::{Finding, Location, Logical, LogicalKind};
use crate::input;
use crate::recommend::{PolicyRef, Recommendations, Usage};
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
    let entries = snapshot
        .parse_json()
        .ok()
        .and_then(|root| root.get("authorization_details").map(input::entry_spans))
        .unwrap_or_default();
    let at = |logical: Logical, subject: String| {
        let span = entries
            .get(&(logical.arn.clone(), logical.name.clone()))
            .or_else(|| entries.get(&(logical.arn.clone(), None)))
            .copied()
            .unwrap_or(Span::new(0, snapshot.text().len().min(1)));
        Location {
            path: Arc::clone(snapshot.path()),
            start: snapshot.position(span.start),
            end: snapshot.position(span.end),
            subject: Some(subject),
            logical: Some(logical),
            sid: None,
        }
    };
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
        let mut services: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut actions: Vec<&str> = Vec::new();
        for removal in &r.removed {
            match removal.usage {
                Usage::UnusedService(_) => services
                    .entry(removal.action.split(':').next().unwrap_or_default())
                    .or_default()
                    .push(&removal.action),
                _ => actions.push(&removal.action),
            }
        }
        let subject = r.policy.label().to_owned();
        let holders = format!("held by {}", r.principals.join(", "));
        if let Some(rule) = &unused_service
            && !services.is_empty()
        {
            let names: Vec<&str> = services.keys().copied().collect();
            findings.push(
                Finding::builder(rule)
                    .note(holders.clone())
                    .anchor(format!("{subject} {}", names.join(",")))
                    .build(
                        at(logical.clone(), subject.clone()),
                        format!(
                            "{} grants services unused since {}: {}",
                            subject,
                            all.window_start,
                            names.join(", ")
                        ),
                    ),
            );
        }
        if let Some(rule) = &unused_action
            && !actions.is_empty()
        {
            findings.push(
                Finding::builder(rule)
                    .note(holders)
                    .anchor(format!("{subject} {}", actions.join(",")))
                    .build(
                        at(logical, subject.clone()),
                        format!(
                            "{} grants tracked actions unused since {}: {}",
                            subject,
                            all.window_start,
                            actions.join(", ")
                        ),
                    ),
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
        findings.push(Finding::builder(rule).anchor(role.arn.clone()).build(
            at(logical, format!("role {}", role.arn)),
            format!(
                "{}: {}; delete it rather than trim it",
                role.arn, role.reason
            ),
        ));
    }
    (rules.sorted_of(RuleCommand::Recommend), findings)
}
