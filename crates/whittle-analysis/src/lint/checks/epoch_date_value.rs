//! `epoch-date-value`: a date condition given as seconds since 1970 rather
//! than as a date (Access Analyzer's "Invalid date value").

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags values of Date operators written as a number (`1735689599`): IAM
/// reads them as epoch time, which is easy to get wrong and hard to review.
pub struct EpochDateValue;

impl Check for EpochDateValue {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                if !condition.operator.value.base.starts_with("Date") {
                    continue;
                }
                for value in &condition.values {
                    let text = match &value.value {
                        ConditionValue::Number(n) => n.as_str(),
                        ConditionValue::String(s)
                            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            s.as_str()
                        }
                        _ => continue,
                    };
                    out.at(value.span)
                        .note("write an ISO 8601 date such as \"2026-12-31T23:59:59Z\"")
                        .emit(format!(
                            "\"{text}\" is a date given as seconds since 1970: it may not be the moment you expect"
                        ));
                }
            }
        }
    }
}
