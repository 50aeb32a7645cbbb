//! `variable-with-unsupported-operator`: a policy variable as the value of a
//! numeric, date, Boolean, binary or IP address condition (Access Analyzer's
//! "Invalid variable for operator").

use super::helpers::variables::has_variable;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags `${…}` in the values of conditions whose operator is neither a
/// String nor an Arn operator: only those substitute policy variables.
pub struct VariableWithUnsupportedOperator;

impl Check for VariableWithUnsupportedOperator {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let base = condition.operator.value.base;
                if base.starts_with("String") || base.starts_with("Arn") {
                    continue;
                }
                for value in &condition.values {
                    let ConditionValue::String(text) = &value.value else {
                        continue;
                    };
                    if !has_variable(text) {
                        continue;
                    }
                    out.at(value.span)
                        .note("policy variables work only with String and Arn operators; write the value itself")
                        .emit(format!(
                            "\"{text}\" holds a policy variable, which \"{}\" does not substitute",
                            condition.operator.value
                        ));
                }
            }
        }
    }
}
