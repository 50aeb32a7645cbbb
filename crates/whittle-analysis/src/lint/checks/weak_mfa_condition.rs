//! `weak-mfa-condition`: an MFA requirement on `aws:MultiFactorAuthPresent`
//! that requests signed with long-term access keys (which carry no such key)
//! get past.

use super::helpers::conditions::bool_conditions;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::Effect;

/// Flags Deny statements with `Bool` `aws:MultiFactorAuthPresent` `false` and
/// Allow statements with `BoolIfExists` `aws:MultiFactorAuthPresent` `true`.
pub struct WeakMfaCondition;

impl Check for WeakMfaCondition {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for (condition, values) in bool_conditions(statement, "aws:MultiFactorAuthPresent") {
                let operator = &condition.operator.value;
                if operator.qualifier.is_some() {
                    continue;
                }
                match statement.effect.value {
                    Effect::Deny if !operator.if_exists && values == [false] => {
                        out.at(condition.operator.span)
                            .note("write \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"} so that requests without the key are denied too")
                            .emit("Deny with Bool aws:MultiFactorAuthPresent false never matches requests signed with long-term access keys, which carry no MFA key: they are not denied");
                    }
                    Effect::Allow if operator.if_exists && values == [true] => {
                        out.at(condition.operator.span)
                            .note("write \"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"} so that requests without the key are not allowed")
                            .emit("Allow with BoolIfExists aws:MultiFactorAuthPresent true lets requests signed with long-term access keys, which carry no MFA key, through without MFA");
                    }
                    _ => {}
                }
            }
        }
    }
}
