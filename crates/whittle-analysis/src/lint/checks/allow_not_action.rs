//! `allow-not-action`: an Allow statement with `NotAction`.

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags Allow statements that grant everything except a list of actions.
pub struct AllowNotAction;

impl Check for AllowNotAction {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(action) = statement.action.as_ref().filter(|a| a.negated) else {
                continue;
            };
            let excluded = cx
                .expander
                .expand_all(action.values.iter().map(|v| v.value.as_str()));
            let granted = excluded.complement().count();
            out.at(action.key_span)
                .note("every service AWS launches later is allowed too; list the allowed actions with \"Action\" instead")
                .emit(format!(
                    "Allow with \"NotAction\" grants every action except those listed: {granted} of {} known actions",
                    cx.catalog().len()
                ));
        }
    }
}
