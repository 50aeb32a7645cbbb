//! `assume-role-on-any-resource`: `sts:AssumeRole` allowed on every role.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Allow statements that grant sts:AssumeRole (or its SAML and web-identity
/// variants) with `"Resource": "*"`.
pub struct AssumeRoleOnAnyResource;

const ASSUME: [&str; 3] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
];

impl Check for AssumeRoleOnAnyResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let ids: Vec<_> = ASSUME
            .iter()
            .filter_map(|a| cx.catalog().action_id(a))
            .collect();
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            if !statement
                .resource
                .as_ref()
                .is_some_and(|r| r.negated || r.covers_a_whole_type())
            {
                continue;
            }
            // Every action on every resource is full-admin-access's finding.
            let Some(actions) = cx.matched_actions(statement).filter(|a| !a.is_full()) else {
                continue;
            };
            let granted: Vec<&str> = ids
                .iter()
                .filter(|id| actions.contains(**id))
                .map(|id| cx.catalog().action(*id).qualified_name.as_str())
                .collect();
            if granted.is_empty() {
                continue;
            }
            let span = statement
                .action
                .as_ref()
                .map_or(statement.span, |a| a.key_span);
            out.at(span)
                .note("name the roles it may assume; every role that trusts this account is reachable otherwise")
                .emit(format!(
                    "{} on every resource: the principal may assume any role whose trust policy lets it",
                    granted.join(", ")
                ));
        }
    }
}
