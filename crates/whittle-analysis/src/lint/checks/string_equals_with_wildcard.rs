//! `string-equals-with-wildcard`: `StringEquals` (or `StringNotEquals`, or their
//! `IgnoreCase` forms) with a value containing `*` or `?`, which these operators
//! compare literally.

use crate::lint::{Check, Emitter, PolicyContext};
use whittle_policy::policy::{ConditionOperator, ConditionValue};

/// Flags exact-match string operators given wildcard values.
pub struct StringEqualsWithWildcard;

impl Check for StringEqualsWithWildcard {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let operator = &condition.operator.value;
                let Some(like) = pattern_operator(operator) else {
                    continue;
                };
                for value in &condition.values {
                    let ConditionValue::String(text) = &value.value else {
                        continue;
                    };
                    if !has_literal_wildcard(text) {
                        continue;
                    }
                    let mut finding = out
                        .at(value.span)
                        .note(format!("use \"{like}\" to match a pattern"));
                    if operator.base.ends_with("IgnoreCase") {
                        finding = finding.note(
                            "unlike the IgnoreCase operators, StringLike compares case-sensitively",
                        );
                    }
                    finding.emit(format!(
                        "\"{operator}\" compares \"{text}\" literally: its \"*\" or \"?\" is not a wildcard"
                    ));
                }
            }
        }
    }
}

/// The pattern-matching operator to use instead of an exact string operator,
/// keeping its set qualifier and `IfExists`; `None` for other operators.
fn pattern_operator(operator: &ConditionOperator) -> Option<ConditionOperator> {
    let base = match operator.base {
        "StringEquals" | "StringEqualsIgnoreCase" => "StringLike",
        "StringNotEquals" | "StringNotEqualsIgnoreCase" => "StringNotLike",
        _ => return None,
    };
    Some(ConditionOperator {
        base,
        ..operator.clone()
    })
}

/// True when `text` has a `*` or `?` outside policy variables (`${*}` is IAM's
/// way to write a literal asterisk, and variables never hold wildcards).
fn has_literal_wildcard(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if rest[..start].contains(['*', '?']) {
            return true;
        }
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => return rest[start..].contains(['*', '?']),
        }
    }
    rest.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_inside_policy_variables_do_not_count() {
        assert!(has_literal_wildcard("arn:aws:iam::*:role/app"));
        assert!(has_literal_wildcard("team-?"));
        assert!(has_literal_wildcard("${aws:username}/*"));
        assert!(!has_literal_wildcard("${*}"));
        assert!(!has_literal_wildcard("home/${aws:username}"));
        assert!(!has_literal_wildcard("exact"));
    }

    #[test]
    fn the_replacement_keeps_qualifier_and_if_exists() {
        let op = ConditionOperator::parse("ForAnyValue:StringNotEqualsIfExists").unwrap();
        assert_eq!(
            pattern_operator(&op).unwrap().to_string(),
            "ForAnyValue:StringNotLikeIfExists"
        );
        let arn = ConditionOperator::parse("ArnEquals").unwrap();
        assert!(pattern_operator(&arn).is_none());
    }
}
