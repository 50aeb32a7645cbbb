//! `pass-role-on-any-resource`: `iam:PassRole` allowed on every role.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Allow statements that grant iam:PassRole on every role: `"Resource": "*"`
/// or a pattern such as `arn:aws:iam::123456789012:role/*`.
pub struct PassRoleOnAnyResource;

impl Check for PassRoleOnAnyResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let Some(pass_role) = cx.catalog().action_id("iam:PassRole") else {
            return;
        };
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(resource) = statement
                .resource
                .as_ref()
                .filter(|r| r.negated || r.covers_a_whole_type())
            else {
                continue;
            };
            // Every action is full-admin-access's finding; one a Deny of the
            // policy takes away, or that can never apply, is no grant.
            if cx.matched_actions(statement).is_none_or(|a| a.is_full())
                || !cx.granted(statement).is_some_and(|a| a.contains(pass_role))
            {
                continue;
            }
            let span = statement
                .action
                .as_ref()
                .map_or(statement.span, |a| a.key_span);
            out.at(span)
                .note(format!(
                    "name the roles it may pass in \"{}\", e.g. arn:aws:iam::123456789012:role/app-*",
                    resource.key("Resource")
                ))
                .emit("iam:PassRole on every resource lets the principal hand any role, including administrator roles, to a service it controls");
        }
    }
}
