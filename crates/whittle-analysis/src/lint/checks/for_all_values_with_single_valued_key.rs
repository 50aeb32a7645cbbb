//! `for-all-values-with-single-valued-key`: `ForAllValues:` on a key that holds
//! one value, which passes requests without the key.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::condition_keys::key_types;
use whittle_policy::policy::SetQualifier;

/// Flags `ForAllValues:` operators of Allow statements on keys whose known
/// types are all single-valued (not `ArrayOf…`).
pub struct ForAllValuesWithSingleValuedKey;

impl Check for ForAllValuesWithSingleValuedKey {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in cx.policy.statements.iter().filter(|s| s.is_allow()) {
            for condition in &statement.conditions {
                if condition.operator.value.qualifier != Some(SetQualifier::ForAllValues) {
                    continue;
                }
                let Some(types) = key_types(cx.catalog(), &condition.key.value) else {
                    continue;
                };
                if types.is_empty() || types.iter().any(|t| t.starts_with("ArrayOf")) {
                    continue;
                }
                let plain = condition
                    .operator
                    .value
                    .to_string()
                    .replacen("ForAllValues:", "", 1);
                out.at(condition.operator.span)
                    .note(format!("write \"{plain}\" without ForAllValues:"))
                    .emit(format!(
                        "ForAllValues: on the single-valued key {} is also true when the request has no value for it: requests without the key are allowed",
                        condition.key.value
                    ));
            }
        }
    }
}
