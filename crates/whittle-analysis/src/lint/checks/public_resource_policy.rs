//! `public-resource-policy`: a resource-based policy that lets everyone in, or a
//! trust policy that lets everyone assume the role, with no condition to narrow
//! who.

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

/// Flags Allow statements whose principal is everyone (`"*"`, `{"AWS": "*"}`,
/// or a `NotPrincipal`) and that have no Condition.
pub struct PublicResourcePolicy;

impl Check for PublicResourcePolicy {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(principal) = &statement.principal else {
                continue;
            };
            if !statement.conditions.is_empty() {
                continue;
            }
            let everyone = principal.negated
                || match &principal.value {
                    Principal::Any => true,
                    Principal::Typed(kinds) => kinds.iter().any(|(kind, values)| {
                        kind.value == "AWS" && values.iter().any(|v| v.value == "*")
                    }),
                };
            if !everyone {
                continue;
            }
            let who = if principal.negated {
                "everyone but the principals NotPrincipal names"
            } else {
                "everyone"
            };
            if cx.kind == DocumentKind::Trust {
                out.at(principal.key_span)
                    .note("name the accounts or roles that may assume it, or add a Condition such as aws:PrincipalOrgID or sts:ExternalId")
                    .emit(format!(
                        "the trust policy lets {who} assume the role — any principal of any AWS account — with no condition"
                    ));
                continue;
            }
            out.at(principal.key_span)
                .note("add a Condition such as aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn, or name the principals")
                .emit(format!(
                    "the statement allows {who} — any AWS account, and for most services anonymous callers — with no condition"
                ));
        }
    }
}
