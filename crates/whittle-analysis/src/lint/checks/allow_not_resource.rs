//! `allow-not-resource`: an Allow statement with `NotResource`.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Allow statements that grant access to every resource except a list.
pub struct AllowNotResource;

impl Check for AllowNotResource {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(resource) = statement.resource.as_ref().filter(|r| r.negated) else {
                continue;
            };
            out.at(resource.key_span)
                .note("resources created later, in any account, are covered too; list the allowed resources with \"Resource\" instead")
                .emit(format!(
                    "Allow with \"NotResource\" grants the statement's actions on every resource except the {} listed",
                    resource.values.len()
                ));
        }
    }
}
