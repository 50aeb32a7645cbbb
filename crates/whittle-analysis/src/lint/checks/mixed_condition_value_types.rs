//! `mixed-condition-value-types`: one condition whose values are of different
//! JSON types, such as `[true, "false"]` (Access Analyzer's "Invalid condition
//! data type").

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags conditions whose list of values mixes strings, numbers and Booleans.
pub struct MixedConditionValueTypes;

impl Check for MixedConditionValueTypes {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let Some(first) = condition.values.first() else {
                    continue;
                };
                let kind = json_type(&first.value);
                let Some(other) = condition
                    .values
                    .iter()
                    .find(|v| json_type(&v.value) != kind)
                else {
                    continue;
                };
                out.at(other.span)
                    .note("write every value of the condition as the same JSON type, as the key's type needs")
                    .emit(format!(
                        "the values of \"{}\" mix JSON types: {kind} and {}",
                        condition.key.value,
                        json_type(&other.value)
                    ));
            }
        }
    }
}

fn json_type(value: &ConditionValue) -> &'static str {
    match value {
        ConditionValue::String(_) => "a string",
        ConditionValue::Bool(_) => "a Boolean",
        ConditionValue::Number(_) => "a number",
    }
}
