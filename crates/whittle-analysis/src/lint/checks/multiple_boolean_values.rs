//! `multiple-boolean-values`: a `Bool` condition with more than one value
//! (Access Analyzer's "Invalid condition multiple Boolean").

use crate::lint::{Check, Emitter, PolicyContext};

/// Flags `Bool` conditions given a list of values: a Boolean key holds one
/// value, and `["true", "false"]` matches every request that has the key.
pub struct MultipleBooleanValues;

impl Check for MultipleBooleanValues {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                if condition.operator.value.base != "Bool" || condition.values.len() < 2 {
                    continue;
                }
                out.at(condition.key.span)
                    .note("give the key a single true or false; to test whether the key is present, use Null")
                    .emit(format!(
                        "\"{}\" is given {} values under \"{}\": a Boolean key holds one value",
                        condition.key.value,
                        condition.values.len(),
                        condition.operator.value
                    ));
            }
        }
    }
}
