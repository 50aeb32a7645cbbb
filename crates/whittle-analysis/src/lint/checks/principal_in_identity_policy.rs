//! `principal-in-identity-policy`: a `Principal` or `NotPrincipal` element in an
//! identity policy, which IAM rejects.

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `Principal`/`NotPrincipal` in identity policies (every document but the
/// resource-based policies of templates).
pub struct PrincipalInIdentityPolicy;

impl Check for PrincipalInIdentityPolicy {
    fn name(&self) -> &'static str {
        "principal-in-identity-policy"
    }

    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        // Resource-based policies name their principals.
        if cx.kind == DocumentKind::Resource {
            return;
        }
        for statement in &cx.policy.statements {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let key = if principal.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            out.at(principal.key_span)
                .note("an identity policy applies to the user, group or role it is attached to; name principals only in resource-based policies such as trust policies and bucket policies")
                .emit(format!(
                    "\"{key}\" is not allowed in an identity policy: IAM rejects the document"
                ));
        }
    }
}
