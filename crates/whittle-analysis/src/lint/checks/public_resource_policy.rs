//! `public-resource-policy`: a resource-based policy that lets everyone in, or a
//! trust policy that lets everyone assume the role, with no condition that
//! narrows who.

use super::helpers::conditions::narrows_who;
use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::{Principal, Statement};

/// Flags Allow statements whose principal is everyone (`"*"` or `{"AWS": "*"}`)
/// and whose conditions do not narrow the callers (by organisation, account,
/// ARN, source resource, VPC, VPC endpoint or IP range). A condition such as
/// `aws:SecureTransport` alone says how a caller connects, not who it is: the
/// statement stays public. `NotPrincipal` is `allow-not-principal`'s.
pub struct PublicResourcePolicy;

impl Check for PublicResourcePolicy {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(principal) = statement.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            let everyone = match &principal.value {
                Principal::Any => true,
                Principal::Typed(kinds) => kinds.iter().any(|(kind, values)| {
                    kind.value == "AWS" && values.iter().any(|v| v.value == "*")
                }),
            };
            if !everyone || statement.conditions.iter().any(narrows_who) {
                continue;
            }
            let unless = unnarrowing(statement);
            if cx.kind == DocumentKind::Trust {
                out.at(principal.key_span)
                    .note("name the accounts or roles that may assume it, or add a Condition on aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn")
                    .emit(format!(
                        "the trust policy lets everyone assume the role — any principal of any AWS account — {unless}"
                    ));
                continue;
            }
            out.at(principal.key_span)
                .note("add a Condition on who may call, such as aws:PrincipalOrgID, aws:SourceAccount, aws:SourceArn or aws:SourceVpce, or name the principals")
                .emit(format!(
                    "the statement allows everyone — any AWS account, and for most services anonymous callers — {unless}"
                ));
        }
    }
}

/// "with no condition", or which conditions are there without narrowing who.
fn unnarrowing(statement: &Statement) -> String {
    if statement.conditions.is_empty() {
        return "with no condition".to_owned();
    }
    let mut keys: Vec<&str> = statement
        .conditions
        .iter()
        .map(|c| c.key.value.as_str())
        .collect();
    keys.dedup();
    format!(
        "with conditions ({}) that do not narrow who may call",
        keys.join(", ")
    )
}
