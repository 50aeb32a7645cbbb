//! Condition operators: the base operator, the `IfExists` suffix and the
//! `ForAllValues:`/`ForAnyValue:` set qualifiers.

use std::fmt;

/// The operators IAM documents for condition blocks.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// `ForAllValues:` or `ForAnyValue:`, for multivalued condition keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// Every value in the request must match.
    ForAllValues,
    /// At least one value in the request must match.
    ForAnyValue,
}

/// A parsed condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator in IAM's canonical case, e.g. `StringLike`.
    pub base: &'static str,
    /// True when the operator ends in `IfExists`.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// Parses an operator; the error says why it is not one IAM knows.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (qualifier, rest) = if let Some(rest) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, raw)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let Some(&canonical) = OPERATORS.iter().find(|op| **op == base) else {
            let hint = OPERATORS
                .iter()
                .find(|op| op.eq_ignore_ascii_case(base))
                .map(|op| format!(" (operators are case-sensitive: did you mean \"{op}\"?)"))
                .unwrap_or_default();
            return Err(format!("unknown condition operator \"{raw}\"{hint}"));
        };
        if if_exists && canonical == "Null" {
            return Err(
                "\"NullIfExists\" is not a valid operator: \"Null\" already tests for existence"
                    .to_owned(),
            );
        }
        Ok(Self {
            qualifier,
            base: canonical,
            if_exists,
        })
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base)?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers_and_if_exists_are_split_off() {
        let op = ConditionOperator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, "StringLike");
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
    }

    #[test]
    fn unknown_and_miscased_operators_are_rejected() {
        assert!(ConditionOperator::parse("StringEq").is_err());
        let error = ConditionOperator::parse("stringequals").unwrap_err();
        assert!(error.contains("did you mean \"StringEquals\""), "{error}");
        assert!(ConditionOperator::parse("NullIfExists").is_err());
    }
}
