//! `allow-with-unsupported-tag-condition`: an Allow conditioned on a tag key
//! that some of its actions never carry — those actions are not allowed.

use super::helpers::tag_keys::{UnsupportedTagCondition, unsupported_tag_conditions};
use crate::lint::{Check, Emitter, PolicyContext};

/// Flags tag conditions of Allow statements whose actions include some the key
/// does not apply to.
pub struct AllowWithUnsupportedTagCondition;

impl Check for AllowWithUnsupportedTagCondition {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for UnsupportedTagCondition {
            condition,
            negated,
            count,
            services,
        } in unsupported_tag_conditions(cx, true)
        {
            let key = &condition.key.value;
            let finding = out.at(condition.key.span);
            if negated {
                finding
                        .note("list the actions in \"Action\" instead of NotAction")
                        .emit(format!(
                            "Allow with NotAction and {key} allows only the actions that carry the key: {count} others ({services}) are not allowed by this statement"
                        ));
            } else {
                finding
                        .note("move those actions to a statement without the tag condition, scoped by resource ARN")
                        .emit(format!(
                            "{key} does not apply to {count} of the statement's actions ({services}): the condition is false for them, so this statement never allows them"
                        ));
            }
        }
    }
}
