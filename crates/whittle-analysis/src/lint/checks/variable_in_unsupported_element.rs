//! `variable-in-unsupported-element`: a policy variable in `Action`,
//! `NotAction`, `Principal` or `NotPrincipal`, where IAM does not substitute
//! variables (Access Analyzer's "Variable unsupported in element").

use super::helpers::variables::has_variable;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Principal;
use whittle_syntax::Spanned;

/// Flags values of the action and principal elements that hold `${…}`:
/// variables work only in Resource, NotResource and condition values.
pub struct VariableInUnsupportedElement;

impl Check for VariableInUnsupportedElement {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            if let Some(action) = &statement.action {
                let key = action.key("Action");
                for value in &action.values {
                    report(value, &key, out);
                }
            }
            if let Some(principal) = &statement.principal
                && let Principal::Typed(kinds) = &principal.value
            {
                let key = if principal.negated {
                    "NotPrincipal"
                } else {
                    "Principal"
                };
                for value in kinds.iter().flat_map(|(_, values)| values) {
                    report(value, key, out);
                }
            }
        }
    }
}

fn report(value: &Spanned<String>, key: &str, out: &mut Emitter<'_>) {
    if !has_variable(&value.value) {
        return;
    }
    out.at(value.span)
        .note("policy variables are substituted only in Resource, NotResource and Condition values; name the value in full, or move the test into a Condition")
        .emit(format!(
            "\"{}\" holds a policy variable, which \"{key}\" does not support: IAM reads it as literal text",
            value.value
        ));
}
