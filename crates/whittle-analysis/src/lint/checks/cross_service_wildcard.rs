//! `cross-service-wildcard`: a wildcard in the service part of an action.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::expand::has_wildcard;

/// Flags Allow action patterns such as `*:Get*` or `s*:List*` whose service part
/// is a wildcard (`*` alone is full-admin-access's).
pub struct CrossServiceWildcard;

impl Check for CrossServiceWildcard {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(action) = statement.action.as_ref().filter(|a| !a.negated) else {
                continue;
            };
            for value in &action.values {
                let Some((service, _)) = value.value.split_once(':') else {
                    continue;
                };
                if !has_wildcard(service) {
                    continue;
                }
                let matched = cx.expander.expand(&value.value);
                let services: std::collections::BTreeSet<usize> = matched
                    .iter()
                    .map(|id| cx.catalog().action(id).service)
                    .collect();
                out.at(value.span)
                    .note("name the services: a service-wide pattern also matches every service AWS launches later")
                    .emit(format!(
                        "\"{}\" matches {} actions across {} services",
                        value.value,
                        matched.count(),
                        services.len()
                    ));
            }
        }
    }
}
