//! `null-with-qualifier`: `ForAllValues:Null` or `ForAnyValue:Null`, which are
//! always true or always false.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::SetQualifier;

/// Flags Null operators with a set qualifier.
pub struct NullWithQualifier;

impl Check for NullWithQualifier {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let operator = &condition.operator.value;
                let Some(qualifier) = operator.qualifier.filter(|_| operator.base == "Null") else {
                    continue;
                };
                let always = match qualifier {
                    SetQualifier::ForAllValues => "always true",
                    SetQualifier::ForAnyValue => "always false",
                };
                out.at(condition.operator.span)
                    .note("write \"Null\" without the qualifier to test whether the key is present")
                    .emit(format!(
                        "\"{operator}\" on {} is {always}: Null tests whether a key is present, not its values",
                        condition.key.value
                    ));
            }
        }
    }
}
