//! `missing-set-qualifier`: a multivalued condition key (`aws:TagKeys`,
//! `aws:CalledVia`, …) compared without `ForAllValues:` or `ForAnyValue:`
//! (Access Analyzer's "Missing qualifier").

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::condition_keys::key_types;

/// Flags conditions on keys whose every known type is a list (`ArrayOf…`)
/// whose operator has no set qualifier; `Null`, which tests only whether the
/// key is present, needs none.
pub struct MissingSetQualifier;

impl Check for MissingSetQualifier {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let operator = &condition.operator.value;
                if operator.qualifier.is_some() || operator.base == "Null" {
                    continue;
                }
                let Some(types) = key_types(cx.catalog(), &condition.key.value) else {
                    continue;
                };
                if types.is_empty() || !types.iter().all(|t| t.starts_with("ArrayOf")) {
                    continue;
                }
                out.at(condition.operator.span)
                    .note(format!(
                        "write \"ForAnyValue:{operator}\" (some value of the request matches) or \"ForAllValues:{operator}\" (every value does)"
                    ))
                    .emit(format!(
                        "\"{}\" holds a list of values, but \"{operator}\" has no ForAnyValue or ForAllValues: the policy does not say whether some or every value must match",
                        condition.key.value
                    ));
            }
        }
    }
}
