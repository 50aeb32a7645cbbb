//! `unknown-action`: an action of a known service that does not exist.

use super::helpers::suggest::closest;
use crate::diagnostics::echo;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::unknown;

/// Flags action patterns of known services that match no action of them.
pub struct UnknownAction;

impl Check for UnknownAction {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let catalog = cx.catalog();
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
                // A pattern with an unknown prefix is unknown-service-prefix's finding.
                let service = catalog.service(prefix);
                if service.is_none() && !whittle_policy::expand::has_wildcard(prefix) {
                    continue;
                }
                if !cx.expander.expand(&value.value).is_empty() {
                    continue;
                }
                let Some(service) = service else {
                    // A wildcard prefix that matches services but none of their actions.
                    if cx.expander.expand(&format!("{prefix}:*")).is_empty() {
                        continue;
                    }
                    out.at(value.span).emit(format!(
                        "\"{}\" matches no action of any service matching \"{}\"",
                        echo(&value.value),
                        echo(prefix)
                    ));
                    continue;
                };
                let names = catalog
                    .service_actions(service)
                    .iter()
                    .map(|a| a.record.name.as_str());
                let mut finding = out.at(value.span);
                if let Some(near) = closest(name, names) {
                    finding = finding.note(format!(
                        "did you mean \"{}:{near}\"?",
                        service.record.prefix
                    ));
                }
                if !statement.is_allow() {
                    finding = finding.note("in a Deny statement an unknown action denies nothing");
                }
                let what = if whittle_policy::expand::has_wildcard(name) {
                    "matches no action of"
                } else {
                    "is not an action of"
                };
                finding.emit(format!(
                    "\"{}\" {what} {}",
                    echo(&value.value),
                    service.record.name
                ));
            }
        }
    }
}
