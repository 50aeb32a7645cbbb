//! `pass-role-without-service-condition`: `iam:PassRole` without
//! `iam:PassedToService`.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Allow statements that grant iam:PassRole without an
/// `iam:PassedToService` condition naming the services the role may go to.
pub struct PassRoleWithoutServiceCondition;

impl Check for PassRoleWithoutServiceCondition {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let Some(pass_role) = cx.catalog().action_id("iam:PassRole") else {
            return;
        };
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            // Every action is full-admin-access's finding; one a Deny of the
            // policy takes away, or that can never apply, is no grant.
            if cx.matched_actions(statement).is_none_or(|a| a.is_full())
                || !cx.granted(statement).is_some_and(|a| a.contains(pass_role))
            {
                continue;
            }
            let limited = statement
                .conditions
                .iter()
                .any(|c| c.key.value.eq_ignore_ascii_case("iam:PassedToService"));
            if limited {
                continue;
            }
            let span = statement
                .action
                .as_ref()
                .map_or(statement.span, |a| a.key_span);
            out.at(span)
                .note("add \"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"lambda.amazonaws.com\"}} with the services that need the role")
                .emit("iam:PassRole without an iam:PassedToService condition: the roles can be passed to any service");
        }
    }
}
