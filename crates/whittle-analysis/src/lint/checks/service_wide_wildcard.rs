//! `service-wide-wildcard`: Allow `service:*`.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::ActionId;
use whittle_policy::catalog::AccessLevel;

/// Flags Allow statements that grant every action of a service, such as `s3:*`.
pub struct ServiceWideWildcard;

impl Check for ServiceWideWildcard {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(action) = statement.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            for value in &action.values {
                let Some((prefix, rest)) = value.value.split_once(':') else {
                    continue;
                };
                if prefix.contains(['*', '?']) || rest.is_empty() || !rest.chars().all(|c| c == '*')
                {
                    continue;
                }
                let Some(service) = cx.catalog().service(prefix) else {
                    continue;
                };
                // A service a Deny of the policy takes away, or a statement that
                // can never apply, grants none of it.
                if !cx.granted(statement).is_some_and(|granted| {
                    service
                        .actions
                        .clone()
                        .any(|i| granted.contains(ActionId(i)))
                }) {
                    continue;
                }
                let actions = cx.catalog().service_actions(service);
                let count = |level| actions.iter().filter(|a| a.record.access == level).count();
                out.at(value.span)
                    .note(format!(
                        "{} includes {} Write and {} Permissions management actions",
                        value.value,
                        count(AccessLevel::Write),
                        count(AccessLevel::PermissionsManagement)
                    ))
                    .emit(format!(
                        "\"{}\" allows all {} actions of {}, including those AWS adds later",
                        value.value,
                        actions.len(),
                        service.record.name
                    ));
            }
        }
    }
}
