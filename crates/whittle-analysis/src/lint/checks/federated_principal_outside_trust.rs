//! `federated-principal-outside-trust`: a `Federated` principal in a
//! resource-based policy other than a role's trust policy, such as a bucket
//! policy (Access Analyzer's "Federated principal not supported").

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;

/// Flags `Federated` principals in resource-based policies: identity providers
/// are trusted only by roles, whose sessions then act under the role.
pub struct FederatedPrincipalOutsideTrust;

impl Check for FederatedPrincipalOutsideTrust {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        // Identity policies take no principal at all (principal-in-identity-policy).
        if cx.kind != DocumentKind::Resource {
            return;
        }
        for statement in &cx.policy.statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let Principal::Typed(kinds) = &principal.value else {
                continue;
            };
            for (kind, _) in kinds.iter().filter(|(k, _)| k.value == "Federated") {
                out.at(kind.span)
                    .note("let the identity provider assume a role (in the role's trust policy) and name that role here")
                    .emit("a \"Federated\" principal is allowed only in a role's trust policy: this resource-based policy cannot name an identity provider");
            }
        }
    }
}
