//! Recommendations as findings, for SARIF: `unused-service` and
//! `unused-action` per policy (and `unused-role`), located at the policy or
//! principal by ARN inside the snapshot file.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::lint::{Finding, Location, Logical, LogicalKind};
use crate::recommend::{PolicyRef, Recommendations, Usage};
use crate::rules::{Rule, Severity};
use crate::source::Position;

fn rule(id: &str, name: &str, summary: &str, what: &str, why: &str) -> Arc<Rule> {
    Arc::new(Rule {
        id: id.to_owned(),
        name: name.to_owned(),
        severity: Severity::Warning,
        tags: vec!["least-privilege".to_owned(), "usage".to_owned()],
        summary: summary.to_owned(),
        what: what.to_owned(),
        why: why.to_owned(),
        example: String::new(),
        use_instead: String::new(),
        matches: None,
    })
}

/// The rules of recommendation findings.
pub fn rules() -> Vec<Arc<Rule>> {
    vec![
        rule(
            "WH401",
            "unused-service",
            "A policy grants a service its principals did not use inside the window",
            "Flags the services a policy grants that IAM's last-accessed data shows unused by every principal holding it.",
            "Permissions nobody uses only widen what a stolen credential can do.",
        ),
        rule(
            "WH402",
            "unused-action",
            "A policy grants tracked actions its principals did not use inside the window",
            "Flags actions IAM tracks at action level that were not used inside the window, in services that were.",
            "Unused actions of a used service are the finest cut least privilege can make.",
        ),
        rule(
            "WH403",
            "unused-role",
            "A role was not used inside the window",
            "Flags roles whose RoleLastUsed is older than the window, or absent for a role older than it.",
            "An unused role is attack surface with no purpose: delete it rather than trim it.",
        ),
    ]
}

/// One finding per policy and rule, plus one per unused role. `path` is the
/// snapshot file the findings point into.
pub fn findings(all: &Recommendations, path: &str) -> (Vec<Arc<Rule>>, Vec<Finding>) {
    let rules = rules();
    let at = |logical: Logical, subject: String| Location {
        path: Arc::from(path),
        start: Position { line: 1, column: 1 },
        end: Position { line: 1, column: 2 },
        subject: Some(subject),
        logical: Some(logical),
        sid: None,
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
        if !services.is_empty() {
            let names: Vec<&str> = services.keys().copied().collect();
            findings.push(Finding {
                rule: Arc::clone(&rules[0]),
                severity: Severity::Warning,
                message: format!(
                    "{} grants services unused since {}: {}",
                    subject,
                    all.window_start,
                    names.join(", ")
                ),
                location: at(logical.clone(), subject.clone()),
                notes: vec![holders.clone()],
                anchor: format!("{subject} {}", names.join(",")),
            });
        }
        if !actions.is_empty() {
            findings.push(Finding {
                rule: Arc::clone(&rules[1]),
                severity: Severity::Warning,
                message: format!(
                    "{} grants tracked actions unused since {}: {}",
                    subject,
                    all.window_start,
                    actions.join(", ")
                ),
                location: at(logical, subject.clone()),
                notes: vec![holders],
                anchor: format!("{subject} {}", actions.join(",")),
            });
        }
    }
    for role in &all.unused_roles {
        let logical = Logical {
            kind: LogicalKind::Principal,
            arn: role.arn.clone(),
            name: None,
        };
        findings.push(Finding {
            rule: Arc::clone(&rules[2]),
            severity: Severity::Warning,
            message: format!(
                "{}: {}; delete it rather than trim it",
                role.arn, role.reason
            ),
            location: at(logical, format!("role {}", role.arn)),
            notes: Vec::new(),
            anchor: role.arn.clone(),
        });
    }
    (rules, findings)
}
