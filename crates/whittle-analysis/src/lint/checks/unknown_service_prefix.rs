//! `unknown-service-prefix`: an action whose service prefix no AWS service uses.

use super::helpers::suggest::closest;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::expand::{has_wildcard, wildcard_matcher};
use whittle_policy::unknown;

/// Flags action patterns whose service part matches no known service.
pub struct UnknownServicePrefix;

impl Check for UnknownServicePrefix {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
        let prefixes = || catalog.services().iter().map(|s| s.record.prefix.as_str());
        for statement in &cx.policy.statements {
            let Some(action) = &statement.action else {
                continue;
            };
            // An unresolved value may be any action.
            for value in action
                .values
                .iter()
                .filter(|v| !unknown::contains(&v.value))
            {
                let Some((prefix, name)) = value.value.split_once(':') else {
                    continue;
                };
                let known = if has_wildcard(prefix) {
                    wildcard_matcher(prefix).is_some_and(|m| prefixes().any(|p| m.is_match(p)))
                } else {
                    catalog.service(prefix).is_some()
                };
                if known {
                    continue;
                }
                let mut finding = out.at(value.span);
                if let Some(near) = closest(prefix, prefixes()) {
                    finding = finding.note(format!("did you mean \"{near}:{name}\"?"));
                }
                if !statement.is_allow() {
                    finding = finding.note("in a Deny statement an unknown action denies nothing");
                }
                finding.emit(format!(
                    "\"{}\": no AWS service uses the prefix \"{prefix}\"",
                    value.value
                ));
            }
        }
    }
}
