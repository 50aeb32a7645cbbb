//! `full-admin-access`: Allow every action on every resource.

use crate::lint::{Check, Emitter, PolicyContext, PrincipalContext};
use crate::rules::Severity;

/// Administrators can do what every risk rule looks for; those are not repeated.
const RISKS_IMPLIED: &str = "an administrator can also escalate privileges, read every secret and change every resource; those risk findings are not listed separately";

/// Flags Allow statements whose actions expand to the whole catalog (`*`, `*:*`,
/// or a `NotAction` that excludes nothing) on every resource.
pub struct FullAdminAccess;

impl Check for FullAdminAccess {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        let usable = cx.permissions.effective_on_any_resource();
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let (Some(action), Some(resource)) = (&statement.action, &statement.resource) else {
                continue;
            };
            if !resource.covers_every_resource()
                || !cx.matched_actions(statement).is_some_and(|s| s.is_full())
            {
                continue;
            }
            // An explicit Deny beats any Allow: Allow * with Deny * grants nothing.
            if usable.is_empty() {
                return;
            }
            let mut finding = out.at(action.key_span);
            if !statement.conditions.is_empty() {
                finding = finding.note(
                    "the statement has conditions: they limit when it applies, not what it allows",
                );
            }
            finding = finding.note(
                "grant the actions this principal needs, or attach AWS's AdministratorAccess deliberately and review it",
            );
            if usable.is_full() {
                finding
                    .note(RISKS_IMPLIED)
                    .emit("the statement allows every action on every resource: full administrator access");
            } else {
                let taken = cx.catalog().len() - usable.count();
                finding.severity(Severity::Warning).emit(format!(
                    "the statement allows every action on every resource; a Deny in the policy takes back {taken} of them, so it is nearly full administrator access"
                ));
            }
            return;
        }
        // No single statement is an administrator, but together they may be
        // (e.g. NotAction "iam:*" next to Action "iam:*").
        if usable.is_full()
            && let Some(first) = cx.scope.statements.iter().find(|s| s.grants())
        {
            out.at(first.action_span)
                .note(RISKS_IMPLIED)
                .emit("together, the policy's statements allow every action on every resource: full administrator access");
        }
    }

    fn check_principal(&self, cx: &PrincipalContext<'_>, out: &mut Emitter<'_>) {
        if cx.permissions.effective_on_any_resource().is_full() {
            out.at(cx.span).note(RISKS_IMPLIED).emit(format!(
                "{} can use every action on every resource through its policies together: full administrator access",
                cx.arn
            ));
        }
    }
}
