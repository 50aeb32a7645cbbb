//! `service-principal-without-source`: a resource policy that lets an AWS
//! service act on a resource for anyone — no `aws:SourceArn` or
//! `aws:SourceAccount` tying it to the resource or account it acts for.

use super::helpers::conditions::{SOURCE_KEYS, pins_any_of};
use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::policy::Principal;

/// Flags Allow statements of resource-based policies naming service principals
/// without a source condition: a warning with no condition at all, a note when
/// other conditions stand in for one.
pub struct ServicePrincipalWithoutSource;

impl Check for ServicePrincipalWithoutSource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if cx.kind != DocumentKind::Resource {
            return;
        }
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let Principal::Typed(kinds) = &principal.value else {
                continue;
            };
            if statement
                .conditions
                .iter()
                .any(|c| pins_any_of(c, SOURCE_KEYS))
            {
                continue;
            }
            let services = kinds
                .iter()
                .filter(|(kind, _)| kind.value == "Service")
                .flat_map(|(_, values)| values);
            for service in services {
                let finding = out.at(service.span).note(
                    "add a condition on aws:SourceArn (the resource the service acts for) or aws:SourceAccount",
                );
                if statement.conditions.is_empty() {
                    finding.emit(format!(
                        "{} may act on this resource for any account: no aws:SourceArn or aws:SourceAccount condition (the confused deputy problem)",
                        service.value
                    ));
                } else {
                    let keys: Vec<&str> = statement
                        .conditions
                        .iter()
                        .map(|c| c.key.value.as_str())
                        .collect();
                    finding.severity(Severity::Note).emit(format!(
                        "{} is limited by {} rather than aws:SourceArn or aws:SourceAccount, the keys that tie a service to the resource or account it acts for",
                        service.value,
                        keys.join(", ")
                    ));
                }
            }
        }
    }
}
