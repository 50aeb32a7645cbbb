//! `statement-never-applies`: a statement, or part of it, that can never take
//! effect.

use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::permissions::StatementScope;

/// Flags statements whose date condition has already passed, Allow
/// statements that would change resources only AWS owns, and Allow
/// statements an unconditional Deny of the same policy takes away whole.
pub struct StatementNeverApplies;

impl Check for StatementNeverApplies {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for scope in &cx.scope.statements {
            let Some(reason) = &scope.inert else {
                denied_whole(cx, scope, out);
                continue;
            };
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

/// Reports an Allow statement whose every action an unconditional Deny of the
/// same policy denies on every resource: it grants nothing.
fn denied_whole(cx: &PolicyContext<'_>, scope: &StatementScope, out: &mut Emitter<'_>) {
    if !scope.grants() {
        return;
    }
    let mut left = scope.actions.clone();
    left.subtract(&cx.permissions.denied);
    if !left.is_empty() {
        return;
    }
    let Some(statement) = cx.policy.statement(scope.index) else {
        return;
    };
    let denying: Vec<String> = cx
        .scope
        .statements
        .iter()
        .filter(|d| d.denies_everywhere() && d.actions.meets(|i| scope.actions.word(i)))
        .filter_map(|d| cx.policy.statement(d.index))
        .map(|d| match &d.sid {
            Some(sid) => format!("{} (\"{}\")", d.index + 1, sid.value),
            None => (d.index + 1).to_string(),
        })
        .collect();
    out.at(statement.span)
        .note("delete the statement, or narrow the Deny if the Allow was meant to apply")
        .emit(format!(
            "this statement can never apply: statement {} denies everything it allows, on every resource and without a condition",
            denying.join(" and ")
        ));
}
