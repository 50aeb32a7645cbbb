//! `allow-not-principal`: an Allow statement that names the principals it does
//! *not* apply to.

use super::helpers::conditions::narrows_who;
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags every Allow statement with `NotPrincipal`; says it is public when no
/// condition narrows who may call.
pub struct AllowNotPrincipal;

impl Check for AllowNotPrincipal {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(principal) = statement.principal.as_ref().filter(|p| p.negated) else {
                continue;
            };
            let finding = out
                .at(principal.key_span)
                .note("name the principals that need access in \"Principal\"; keep NotPrincipal for Deny statements");
            if statement.conditions.iter().any(narrows_who) {
                finding.emit("Allow with NotPrincipal grants access to every principal but those listed, limited here only by the statement's conditions");
            } else {
                finding.emit("Allow with NotPrincipal and no condition on who may call: every principal but those listed — any AWS account, and for most services anonymous callers — is allowed");
            }
        }
    }
}
