//! `full-admin-access`: Allow every action on every resource.

use crate::lint::{Check, Emitter, PolicyContext, PrincipalContext};

/// Flags Allow statements whose actions expand to the whole catalog (`*`, `*:*`,
/// or a `NotAction` that excludes nothing) on every resource.
pub struct FullAdminAccess;

impl Check for FullAdminAccess {
    fn name(&self) -> &'static str {
        "full-admin-access"
    }

    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
                continue;
            };
            if !resource.covers_every_resource()
                || !cx.matched_actions(statement).is_some_and(|s| s.is_full())
            {
                continue;
            }
            let mut finding = out.at(action.key_span);
            if !statement.conditions.is_empty() {
                finding = finding.note(
                    "the statement has conditions: they limit when it applies, not what it allows",
                );
            }
            finding
                .note("grant the actions this principal needs, or attach AWS's AdministratorAccess deliberately and review it")
                .emit("the statement allows every action on every resource: full administrator access");
        }
    }

    fn check_principal(&self, cx: &PrincipalContext<'_>, out: &mut Emitter<'_>) {
        if cx.permissions.effective_on_any_resource().is_full() {
            out.at(cx.span).emit(format!(
                "{} can use every action on every resource: full administrator access",
                cx.arn
            ));
        }
    }
}
