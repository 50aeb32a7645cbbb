//! `deny-with-unsupported-tag-condition`: a Deny conditioned on a tag key that
//! some of its actions never carry — those actions are not denied.

use super::helpers::tag_keys::{UnsupportedTagCondition, unsupported_tag_conditions};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags tag conditions of Deny statements whose actions include some the key
/// does not apply to (a `NotAction` statement always does: new actions too).
pub struct DenyWithUnsupportedTagCondition;

impl Check for DenyWithUnsupportedTagCondition {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for UnsupportedTagCondition {
            condition,
            negated,
            count,
            services,
        } in unsupported_tag_conditions(cx, false)
        {
            let key = &condition.key.value;
            let finding = out.at(condition.key.span);
            if negated {
                finding
                        .note("list the actions to deny in \"Action\" instead of NotAction, and deny the others by name or ARN in a statement without the tag condition")
                        .emit(format!(
                            "Deny with NotAction and {key}: the {count} actions it covers that never carry the key ({services}) and every action AWS adds later are not denied"
                        ));
            } else {
                finding
                        .note("move those actions to a statement without the tag condition, scoped by resource ARN")
                        .emit(format!(
                            "{key} does not apply to {count} of the statement's actions ({services}): the condition is false for them, so they are never denied"
                        ));
            }
        }
    }
}
