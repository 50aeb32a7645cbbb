//! `condition-type-mismatch`: a condition operator whose values, or whose key,
//! are of another type — a date operator with a value that is no date,
//! `StringEquals` on the date key `aws:CurrentTime`.

use std::net::IpAddr;
use whittle_policy::unknown;

use crate::lint::{Check, Emitter, PolicyContext};
use crate::rules::Severity;
use whittle_policy::permissions::parse_date;
use whittle_policy::policy::{Condition, ConditionValue};
use whittle_syntax::Spanned;

use whittle_policy::condition_keys::key_types;

/// Flags condition values the operator cannot read (errors) and operators that
/// do not fit their key's type (warnings).
pub struct ConditionTypeMismatch;

impl Check for ConditionTypeMismatch {
    fn check(&self, cx: &PolicyContext<'_>, out: &mut Emitter<'_>) {
        for statement in &cx.policy.statements {
            for condition in &statement.conditions {
                let family = Family::of(condition.operator.value.base);
                for value in &condition.values {
                    // An unresolved value may be of any type.
                    let unresolved =
                        matches!(&value.value, ConditionValue::String(s) if unknown::contains(s));
                    if !unresolved && !family.reads(&value.value) {
                        report_value(condition, family, value, out);
                    }
                }
                if let Some(types) = key_types(cx.catalog(), &condition.key.value)
                    && !types.iter().any(|t| family.fits(t))
                {
                    report_key(condition, &types, out);
                }
            }
        }
    }
}

/// The kind of value an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    IpAddress,
    Arn,
    Binary,
    Null,
}

impl Family {
    /// The family of a base operator such as `DateLessThan`.
    fn of(base: &str) -> Self {
        match base {
            "Bool" => Family::Bool,
            "Null" => Family::Null,
            "BinaryEquals" => Family::Binary,
            "IpAddress" | "NotIpAddress" => Family::IpAddress,
            _ if base.starts_with("Numeric") => Family::Numeric,
            _ if base.starts_with("Date") => Family::Date,
            _ if base.starts_with("Arn") => Family::Arn,
            _ => Family::String,
        }
    }

    /// True when an operator of this family can read `value`. A policy variable
    /// (`${aws:CurrentTime}`) is resolved only at request time and always passes.
    fn reads(self, value: &ConditionValue) -> bool {
        if let ConditionValue::String(s) = value
            && s.contains("${")
        {
            return true;
        }
        match (self, value) {
            (Family::String | Family::Binary, _) => true,
            (Family::Numeric, ConditionValue::Number(_)) => true,
            (Family::Numeric, ConditionValue::String(s)) => {
                s.parse::<f64>().is_ok_and(f64::is_finite)
            }
            (Family::Date, _) => parse_date(value).is_some(),
            (Family::Bool | Family::Null, ConditionValue::Bool(_)) => true,
            (Family::Bool | Family::Null, ConditionValue::String(s)) => {
                s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
            }
            (Family::IpAddress, ConditionValue::String(s)) => is_ip_range(s),
            (Family::Arn, ConditionValue::String(s)) => {
                s.starts_with("arn:") || (!s.is_empty() && s.chars().all(|c| c == '*'))
            }
            _ => false,
        }
    }

    /// True when this family works on keys of the catalog type `value_type`;
    /// types this check does not know pass.
    fn fits(self, value_type: &str) -> bool {
        let base = value_type.strip_prefix("ArrayOf").unwrap_or(value_type);
        if !matches!(
            base,
            "String" | "ARN" | "Numeric" | "Date" | "Bool" | "IPAddress"
        ) {
            return true;
        }
        match self {
            // Strings compare ARNs and "true"/"false" as text, and Arn operators
            // compare string keys holding ARNs (AWS's own policies do both).
            Family::String => matches!(base, "String" | "ARN" | "Bool"),
            Family::Arn => matches!(base, "ARN" | "String"),
            Family::Numeric => base == "Numeric",
            Family::Date => base == "Date",
            Family::Bool => base == "Bool",
            Family::IpAddress => base == "IPAddress",
            Family::Binary | Family::Null => true,
        }
    }

    /// What the family needs, for messages: "a date".
    fn needs(self) -> &'static str {
        match self {
            Family::Numeric => "a number",
            Family::Date => "a date",
            Family::Bool | Family::Null => "true or false",
            Family::IpAddress => "an IP address or CIDR range",
            Family::Arn => "an ARN",
            Family::String | Family::Binary => "a string",
        }
    }

    /// How to write a value of the family, for notes.
    fn example(self) -> &'static str {
        match self {
            Family::Numeric => "write a number such as 3600",
            Family::Date => {
                "write an ISO 8601 date such as \"2026-12-31T23:59:59Z\", or seconds since 1970"
            }
            Family::Bool => "write true or false",
            Family::Null => "write true (the key is absent) or false (the key is present)",
            Family::IpAddress => {
                "write an IPv4 or IPv6 address or CIDR range such as \"203.0.113.0/24\""
            }
            Family::Arn => {
                "write an ARN such as \"arn:aws:sns:us-east-1:123456789012:alerts\", or use a String operator"
            }
            Family::String | Family::Binary => "write a string",
        }
    }
}

/// True for an IPv4 or IPv6 address, alone or with a prefix length (CIDR).
fn is_ip_range(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    let longest = if address.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= longest))
}

/// Emits the error for a value the operator cannot read.
fn report_value(
    condition: &Condition,
    family: Family,
    value: &Spanned<ConditionValue>,
    out: &mut Emitter<'_>,
) {
    let shown = match &value.value {
        ConditionValue::String(s) => format!("\"{s}\""),
        ConditionValue::Bool(b) => b.to_string(),
        ConditionValue::Number(n) => n.clone(),
    };
    out.at(value.span).note(family.example()).emit(format!(
        "\"{}\" needs {}, but the value {shown} of \"{}\" is not one",
        condition.operator.value,
        family.needs(),
        condition.key.value
    ));
}

/// Emits the warning for an operator that does not fit its key's type.
fn report_key(condition: &Condition, types: &[&str], out: &mut Emitter<'_>) {
    let value_type = types.first().copied().unwrap_or_default();
    let base = value_type.strip_prefix("ArrayOf").unwrap_or(value_type);
    let operators = match base {
        "Date" => "a Date operator such as DateLessThan",
        "Numeric" => "a Numeric operator such as NumericLessThanEquals",
        "Bool" => "Bool",
        "IPAddress" => "IpAddress or NotIpAddress",
        "ARN" => "an Arn operator such as ArnLike, or a String operator",
        _ => "a String operator such as StringEquals or StringLike",
    };
    out.at(condition.operator.span)
        .severity(Severity::Warning)
        .note(format!("use {operators}"))
        .emit(format!(
            "\"{}\" does not fit \"{}\", whose values are of type {value_type}",
            condition.operator.value, condition.key.value
        ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> ConditionValue {
        ConditionValue::String(s.to_owned())
    }

    #[test]
    fn operators_fall_into_families() {
        assert_eq!(Family::of("DateGreaterThanEquals"), Family::Date);
        assert_eq!(Family::of("NumericNotEquals"), Family::Numeric);
        assert_eq!(Family::of("ArnNotLike"), Family::Arn);
        assert_eq!(Family::of("NotIpAddress"), Family::IpAddress);
        assert_eq!(Family::of("StringEqualsIgnoreCase"), Family::String);
    }

    #[test]
    fn values_are_read_as_their_family_needs() {
        assert!(Family::Date.reads(&string("2026-01-31T00:00:00Z")));
        assert!(Family::Date.reads(&ConditionValue::Number("1767225600".into())));
        assert!(!Family::Date.reads(&string("next tuesday")));
        assert!(Family::Numeric.reads(&string("10")));
        assert!(!Family::Numeric.reads(&string("ten")));
        assert!(Family::Bool.reads(&ConditionValue::Bool(false)));
        assert!(Family::Bool.reads(&string("True")));
        assert!(!Family::Null.reads(&string("yes")));
        assert!(Family::Arn.reads(&string("arn:aws:sns:*:*:alerts")));
        assert!(!Family::Arn.reads(&string("alerts")));
        assert!(Family::Date.reads(&string("${aws:TokenIssueTime}")));
    }

    #[test]
    fn ip_ranges_are_addresses_with_optional_prefix_lengths() {
        assert!(is_ip_range("203.0.113.7"));
        assert!(is_ip_range("203.0.113.0/24"));
        assert!(is_ip_range("2001:db8::/32"));
        assert!(!is_ip_range("203.0.113.0/33"));
        assert!(!is_ip_range("203.0.113"));
        assert!(!is_ip_range("10.0.0.0/x"));
        assert!(!is_ip_range("my-office"));
    }

    #[test]
    fn families_fit_key_types() {
        assert!(Family::String.fits("ArrayOfString"));
        assert!(Family::String.fits("ARN"));
        assert!(!Family::String.fits("Date"));
        assert!(!Family::Date.fits("String"));
        assert!(Family::Arn.fits("ArrayOfARN"));
        assert!(Family::Arn.fits("String"));
        assert!(!Family::Arn.fits("Date"));
        assert!(!Family::String.fits("IPAddress"));
        assert!(Family::Null.fits("Date"));
        assert!(Family::Date.fits("SomeFutureType"));
    }
}
