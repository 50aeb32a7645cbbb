//! `principal-in-identity-policy`: a `Principal` or `NotPrincipal` element in an
//! identity policy, which IAM rejects.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `Principal`/`NotPrincipal` in identity policies: every document but
/// resource-based and trust policies (those of templates and account exports, and
/// bare documents whose every statement names a principal).
pub struct PrincipalInIdentityPolicy;

impl Check for PrincipalInIdentityPolicy {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        // Resource-based and trust policies name their principals.
        if cx.kind.names_principals() {
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
