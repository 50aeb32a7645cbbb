//! `create-service-linked-role-on-any-resource`: an Allow statement that lets
//! its holder create service-linked roles for every service — through `*` or
//! `NotResource`, whether the action is named, matched by a wildcard or left
//! out of a `NotAction` (Access Analyzer's six "Create SLR with …" general
//! warnings).

use crate::lint::{Check, Emitter, PolicyContext};

const ACTION: &str = "iam:CreateServiceLinkedRole";

/// Flags Allow statements that grant `iam:CreateServiceLinkedRole` on every
/// resource or through `NotResource`, with no `iam:AWSServiceName` condition
/// naming the services, unless the statement can never apply or the policy
/// denies the action. Administrator policies are left to `full-admin-access`.
pub struct CreateServiceLinkedRoleOnAnyResource;

impl Check for CreateServiceLinkedRoleOnAnyResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let Some(id) = cx.catalog().action_id(ACTION) else {
            return;
        };
        // What the policy allows after its own Denies: an administrator policy
        // is full-admin-access's, and a denied action is granted nowhere.
        let effective = cx.permissions.effective_on_any_resource();
        if effective.is_full() || !effective.contains(id) {
            return;
        }
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
                continue;
            };
            if !(resource.negated || resource.covers_every_resource())
                || !cx
                    .scope
                    .statement(statement.index)
                    .is_some_and(|s| s.actions.contains(id))
                || statement
                    .conditions
                    .iter()
                    .any(|c| c.key.value.eq_ignore_ascii_case("iam:AWSServiceName"))
            {
                continue;
            }
            let how = match (action.negated, resource.negated) {
                (true, true) => "NotAction and NotResource leave it",
                (true, false) => "NotAction leaves it on every resource",
                (false, true) => "NotResource grants it",
                (false, false) => "it is granted on every resource",
            };
            out.at(resource.key_span)
                .note(format!(
                    "name the roles in Resource (\"arn:aws:iam::*:role/aws-service-role/elasticbeanstalk.amazonaws.com/*\"), or add a condition on iam:AWSServiceName; or leave {ACTION} out"
                ))
                .emit(format!(
                    "the statement allows {ACTION} for every service ({how}): its holder can create service-linked roles no one intended"
                ));
        }
    }
}
