//! `statement-never-applies`: a statement, or part of it, that can never take
//! effect.

use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;

/// Flags statements whose date condition has already passed, and Allow
/// statements that would change resources only AWS owns.
pub struct StatementNeverApplies;

impl Check for StatementNeverApplies {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for scope in &cx.scope.statements {
            let Some(reason) = &scope.inert else { continue };
            let Some(statement) = cx.policy.statement(scope.index) else {
                continue;
            };
            if scope.actions.is_empty() {
                out.at(statement.span)
                    .note("delete the statement, or fix the condition if it was meant to apply")
                    .emit(format!("this statement can never apply: {reason}"));
            } else {
                out.at(statement.span)
                    .severity(Severity::Note)
                    .note("keep only the List and Read actions for AWS-owned resources")
                    .emit(format!(
                        "{} of this statement's actions can never apply: {reason}",
                        scope.inert_actions.count()
                    ));
            }
        }
    }
}
