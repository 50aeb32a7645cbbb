//! `not-principal-in-trust-policy`: `NotPrincipal` in a role's trust policy
//! (Access Analyzer's "Role trust policy syntax error notprincipal").

use crate::input::DocumentKind;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `NotPrincipal` in trust policies, which IAM does not support there.
pub struct NotPrincipalInTrustPolicy;

impl Check for NotPrincipalInTrustPolicy {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        if cx.kind != DocumentKind::Trust {
            return;
        }
        for statement in &cx.policy.statements {
            let Some(principal) = statement.principal.as_ref().filter(|p| p.negated) else {
                continue;
            };
            out.at(principal.key_span)
                .note("name the principals that may assume the role in \"Principal\"")
                .emit("a role's trust policy does not support \"NotPrincipal\": IAM rejects the document");
        }
    }
}
