//! `invalid-vpc-id`: an `aws:SourceVpc` value that is no VPC ID or an
//! `aws:SourceVpce` value that is no VPC endpoint ID (Access Analyzer's
//! "Invalid vpc format" and "Invalid vpce format").

use super::helpers::arn_parts::is_literal;
use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::ConditionValue;

/// Flags values of `aws:SourceVpc` and `aws:SourceVpce` written out in full
/// that are not `vpc-`/`vpce-` followed by 8 or 17 letters and digits.
pub struct InvalidVpcId;

impl Check for InvalidVpcId {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let key = condition.key.value.as_str();
                let (prefix, what) = if key.eq_ignore_ascii_case("aws:SourceVpc") {
                    ("vpc-", "a VPC ID")
                } else if key.eq_ignore_ascii_case("aws:SourceVpce") {
                    ("vpce-", "a VPC endpoint ID")
                } else {
                    continue;
                };
                if !condition.operator.value.base.starts_with("String") {
                    continue;
                }
                for value in &condition.values {
                    let ConditionValue::String(text) = &value.value else {
                        continue;
                    };
                    if !is_literal(text) || is_id(text, prefix) {
                        continue;
                    }
                    out.at(value.span)
                        .note(format!(
                            "write \"{prefix}\" followed by the 8 or 17 characters of the ID, such as \"{prefix}1a2b3c4d5e6f7a8b9\""
                        ))
                        .emit(format!(
                            "\"{text}\" is not {what}: \"{key}\" never holds it"
                        ));
                }
            }
        }
    }
}

/// True for `prefix` followed by 8 or 17 ASCII letters and digits.
fn is_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|id| {
        matches!(id.len(), 8 | 17) && id.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_a_prefix_and_8_or_17_characters() {
        assert!(is_id("vpc-1a2b3c4d", "vpc-"));
        assert!(is_id("vpce-1a2b3c4d5e6f7a8b9", "vpce-"));
        assert!(!is_id("vpc-1a2b3c", "vpc-"));
        assert!(!is_id("vpce-1a2b3c4d", "vpc-"));
        assert!(!is_id("1a2b3c4d", "vpc-"));
    }
}
